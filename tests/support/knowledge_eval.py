"""Top-1 accuracy of the text understanding on the labelled questions.

Run: `python -m tests.support.knowledge_eval` (prints the accuracy and every miss).
Labels: `guideline:<id>` (answered with that guideline), `flow:<flow>` (opens that flow),
`menu` (a greeting), `none` (nothing in the code matches: "I don't know").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.domain.intents import Answer, OpenFlow, ShowMenu, Understanding, understand
from bot.domain.knowledge import knowledge_base

QUESTIONS = Path(__file__).resolve().parents[1] / "unit" / "data" / "questions.json"


@dataclass(frozen=True)
class Outcome:
    text: str
    expected: str
    got: str

    @property
    def correct(self) -> bool:
        return self.expected == self.got


def label(understanding: Understanding) -> str:
    """The label an understanding gets in the labelled set."""
    if isinstance(understanding, ShowMenu):
        return "menu"
    if isinstance(understanding, OpenFlow):
        return f"flow:{understanding.flow}"
    if isinstance(understanding, Answer):
        return f"guideline:{understanding.guideline.id}"
    return "none"


def labelled() -> list[tuple[str, str]]:
    return [(q["text"], q["label"]) for q in json.loads(QUESTIONS.read_text("utf-8"))]


def evaluate() -> list[Outcome]:
    knowledge = knowledge_base()
    return [Outcome(text, want, label(understand(text, knowledge))) for text, want in labelled()]


def main() -> None:
    outcomes = evaluate()
    right = sum(o.correct for o in outcomes)
    for miss in (o for o in outcomes if not o.correct):
        print(f"miss: {miss.text!r}: expected {miss.expected}, got {miss.got}")
    print(f"top-1 accuracy: {right}/{len(outcomes)} = {right / len(outcomes):.1%}")


if __name__ == "__main__":
    main()
