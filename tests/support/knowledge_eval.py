"""Top-1 accuracy of the text understanding on a labelled set, and its confusion table.

Run: `python -m tests.support.knowledge_eval [SET.json ...] [--table]` (default: the original
`questions.json`); prints every miss, the accuracy, the wrong-form and "I don't know" counts,
and with `--table` the confusion table (label x predicted) as Markdown.
Labels: `guideline:<id>` (answered with that guideline), `flow:<flow>` (opens that flow),
`menu` (a greeting), `none` (nothing in the code matches: "I don't know").
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.domain.intents import Answer, OpenFlow, ShowMenu, Understanding, understand
from bot.domain.knowledge import (
    KnowledgeBase,
    knowledge_base,
    shipped_examples,
    shipped_guidelines,
)

DATA = Path(__file__).resolve().parents[1] / "unit" / "data"
QUESTIONS = DATA / "questions.json"
DEV = DATA / "questions_dev.json"
TEST = DATA / "questions_test.json"


@dataclass(frozen=True)
class Outcome:
    text: str
    expected: str
    got: str

    @property
    def correct(self) -> bool:
        return self.expected == self.got

    @property
    def wrong_form(self) -> bool:
        """A form opened for another flow than the sentence is about (worse than no answer).
        The form of the right topic opened for a question about it does not count here: its
        answer is one tap away (`form_for_question`)."""
        if not self.got.startswith("flow:") or self.got == self.expected:
            return False
        return self.got != f"flow:{topic_flow(self.expected)}"

    @property
    def form_for_question(self) -> bool:
        """The right topic's form opened where its guideline was the answer wanted."""
        if not self.expected.startswith("guideline:") or not self.got.startswith("flow:"):
            return False
        return self.got == f"flow:{topic_flow(self.expected)}"

    @property
    def unknown_but_answered(self) -> bool:
        """An "I don't know" to something the code does answer."""
        return self.got == "none" and self.expected != "none"


def topic_flow(expected: str) -> str | None:
    """The flow an expected label is about: its own, or its guideline's."""
    if expected.startswith("flow:"):
        return expected.removeprefix("flow:")
    if expected.startswith("guideline:"):
        return knowledge_base().get(expected.removeprefix("guideline:")).flow
    return None


def label(understanding: Understanding) -> str:
    """The label an understanding gets in the labelled set."""
    if isinstance(understanding, ShowMenu):
        return "menu"
    if isinstance(understanding, OpenFlow):
        return f"flow:{understanding.flow}"
    if isinstance(understanding, Answer):
        return f"guideline:{understanding.guideline.id}"
    return "none"


def labelled(path: Path = QUESTIONS) -> list[tuple[str, str]]:
    return [(q["text"], q["label"]) for q in json.loads(path.read_text("utf-8"))]


def evaluate(path: Path = QUESTIONS, knowledge: KnowledgeBase | None = None) -> list[Outcome]:
    knowledge = knowledge or knowledge_base()
    return [
        Outcome(text, want, label(understand(text, knowledge))) for text, want in labelled(path)
    ]


EXAMPLES = Path(__file__).resolve().parents[2] / "bot" / "domain" / "examples.json"


def examples_file() -> str:
    """The shipped examples file as `--write-examples` makes it: the old set and the
    development part, never the test part."""
    scored = {text for text, _ in labelled(TEST)}  # 5 old-set sentences recur there verbatim
    examples = [
        {"text": text, "label": want}
        for path in (QUESTIONS, DEV)
        for text, want in labelled(path)
        if text not in scored
    ]
    document = {
        "_comment": (
            "Labelled example sentences the matcher learns from (bot/domain/knowledge.py): "
            "tests/unit/data/questions.json and questions_dev.json, never a sentence of the test "
            "part. "
            "Made by: python -m tests.support.knowledge_eval --write-examples"
        ),
        "examples": examples,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def cross_validate(path: Path, folds: int = 5) -> list[Outcome]:
    """Each item judged by a knowledge base whose examples leave out its fold (items are dealt
    to the folds label by label, so every fold has every label): what the examples teach,
    measured on sentences they do not contain. For the development part, whose sentences are
    among the shipped examples."""
    items = sorted(enumerate(labelled(path)), key=lambda pair: (pair[1][1], pair[0]))
    fold_of = {index: rank % folds for rank, (index, _) in enumerate(items)}
    guidelines = shipped_guidelines()
    examples = shipped_examples()
    outcomes: dict[int, Outcome] = {}
    for fold in range(folds):
        held = {labelled(path)[i][0] for i, f in fold_of.items() if f == fold}
        knowledge = KnowledgeBase(guidelines, [e for e in examples if e.text not in held])
        for index, (text, want) in enumerate(labelled(path)):
            if fold_of[index] == fold:
                outcomes[index] = Outcome(text, want, label(understand(text, knowledge)))
    return [outcomes[i] for i in sorted(outcomes)]


@dataclass(frozen=True)
class Summary:
    total: int
    right: int
    wrong_forms: int
    forms_for_questions: int
    unknown: int  # "I don't know" to something answered
    answered: int  # items the code answers (label not `none`)

    @property
    def accuracy(self) -> float:
        return self.right / self.total

    @property
    def unknown_rate(self) -> float:
        return self.unknown / self.answered if self.answered else 0.0


def summarise(outcomes: list[Outcome]) -> Summary:
    return Summary(
        total=len(outcomes),
        right=sum(o.correct for o in outcomes),
        wrong_forms=sum(o.wrong_form for o in outcomes),
        forms_for_questions=sum(o.form_for_question for o in outcomes),
        unknown=sum(o.unknown_but_answered for o in outcomes),
        answered=sum(o.expected != "none" for o in outcomes),
    )


def confusion_table(outcomes: list[Outcome]) -> str:
    """Markdown: one row per expected label, the count per predicted label (misses named)."""
    rows: dict[str, Counter[str]] = {}
    for o in outcomes:
        rows.setdefault(o.expected, Counter())[o.got] += 1
    lines = ["| label | n | right | predicted instead |", "|---|--:|--:|---|"]
    for expected in sorted(rows):
        counts = rows[expected]
        wrong = ", ".join(f"{got} {n}" for got, n in counts.most_common() if got != expected)
        lines.append(f"| `{expected}` | {sum(counts.values())} | {counts[expected]} | {wrong} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.knowledge_eval")
    parser.add_argument("sets", nargs="*", type=Path, default=[QUESTIONS])
    parser.add_argument("--table", action="store_true", help="print the confusion table")
    parser.add_argument("--quiet", action="store_true", help="do not list the misses")
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="judge each item without its fold's examples (k-fold cross-validation)",
    )
    parser.add_argument(
        "--write-examples",
        action="store_true",
        help="write bot/domain/examples.json from the old set and the development part",
    )
    args = parser.parse_args(argv)
    if args.write_examples:
        EXAMPLES.write_text(examples_file(), "utf-8")
        print(f"wrote {EXAMPLES}")
        return
    for path in args.sets:
        outcomes = cross_validate(path, args.folds) if args.folds else evaluate(path)
        print(f"## {path.name}" + (f" ({args.folds}-fold)" if args.folds else ""))
        if not args.quiet:
            for miss in (o for o in outcomes if not o.correct):
                print(f"miss: {miss.text!r}: expected {miss.expected}, got {miss.got}")
        s = summarise(outcomes)
        print(f"top-1 accuracy: {s.right}/{s.total} = {s.accuracy:.1%}")
        print(f"form opened for the wrong flow: {s.wrong_forms}")
        print(f"the right topic's form opened for a question about it: {s.forms_for_questions}")
        print(f"\"I don't know\" to an answered question: {s.unknown}/{s.answered}"
              f" = {s.unknown_rate:.1%}")  # fmt: skip
        if args.table:
            print(confusion_table(outcomes))


if __name__ == "__main__":
    main()
