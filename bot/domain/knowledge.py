"""The knowledge base: the code's guidelines in our own words, and finding the right one.

The entries live in `knowledge.json` beside this module (one per guideline, Dutch and English,
with the section of the code it comes from, colloquial keywords, and the flow it leads to). It is
shipped with the code and read once, like a card template; nothing here touches storage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.domain.ranking import Bm25Index, Hit
from bot.domain.text import content_words, stems

# How much each field of an entry counts when searching.
FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "points": 0.5}
# How much the labelled example sentences count beside the guideline's own words, and how many
# of a topic's nearest examples are summed (a k-nearest-neighbour vote).
EXAMPLE_WEIGHT = 0.4
NEAREST = 1
SHOWN = 5  # closest examples kept in an assessment
# Example labels that are not a guideline: a greeting, or something the code does not answer.
MENU, NONE = "menu", "none"


class KnowledgeError(ValueError):
    """The knowledge file is malformed; the message names the entry."""


@dataclass(frozen=True)
class Text:
    """An entry in one language."""

    title: str
    points: tuple[str, ...]
    keywords: str


@dataclass(frozen=True)
class Guideline:
    """One guideline of the code, as we explain it."""

    id: str
    section: Mapping[str, str]  # language -> "§2 Relatiegeschenken"
    texts: Mapping[str, Text]  # language -> text
    flow: str | None  # the flow this guideline leads to, e.g. "gift"
    confidential: bool  # asking about it must leave no trace
    triggers: tuple[str, ...]  # phrases that mean "I want to do this now"

    def text(self, language: str) -> Text:
        return self.texts.get(language) or self.texts["nl"]


@dataclass(frozen=True)
class Example:
    """A labelled sentence: `guideline:<id>`, `flow:<flow>`, `menu` or `none`."""

    text: str
    label: str


@dataclass(frozen=True)
class Assessment:
    """What the guidelines and the examples say about one sentence.

    `topics`: guidelines by descending combined score (the guideline's own words plus its
    nearest examples); `menu`, `none`: the example evidence for a greeting and for "not about
    the code"; `flow_votes`, `answer_votes`: per guideline id, the evidence of its nearest
    examples that opened its flow, or that were answered with it.
    """

    topics: list[tuple[Guideline, float]]
    menu: float
    none: float
    flow_votes: Mapping[str, float]
    answer_votes: Mapping[str, float]
    nearest: list[tuple[Example, float]]  # the closest examples, best first
    own: Mapping[str, float]  # guideline id -> the score of its own words alone
    by_example: Mapping[str, float]  # topic -> the evidence of its nearest examples alone


def parse_examples(raw: Any) -> tuple[Example, ...]:
    """Validate the parsed examples file."""
    if not isinstance(raw, dict) or not isinstance(raw.get("examples"), list):
        raise KnowledgeError("expected an object with an 'examples' list")
    try:
        return tuple(Example(str(e["text"]), str(e["label"])) for e in raw["examples"])
    except (KeyError, TypeError) as error:
        raise KnowledgeError(f"examples: missing or malformed {error}") from None


def parse_guidelines(raw: Any) -> tuple[Guideline, ...]:
    """Validate the parsed knowledge file."""
    if not isinstance(raw, dict) or not isinstance(raw.get("guidelines"), list):
        raise KnowledgeError("expected an object with a 'guidelines' list")
    out: list[Guideline] = []
    for index, entry in enumerate(raw["guidelines"]):
        where = f"guidelines[{index}]"
        try:
            texts = {
                language: Text(
                    title=str(entry[language]["title"]),
                    points=tuple(str(p) for p in entry[language]["points"]),
                    keywords=str(entry[language]["keywords"]),
                )
                for language in ("nl", "en")
            }
            out.append(
                Guideline(
                    id=str(entry["id"]),
                    section={k: str(entry["section"][k]) for k in ("nl", "en")},
                    texts=texts,
                    flow=str(entry["flow"]) if entry.get("flow") else None,
                    confidential=bool(entry.get("confidential", False)),
                    triggers=tuple(str(t) for t in entry.get("triggers", [])),
                )
            )
        except (KeyError, TypeError) as error:
            raise KnowledgeError(f"{where}: missing or malformed {error}") from None
    ids = [g.id for g in out]
    if len(set(ids)) != len(ids):
        raise KnowledgeError("guideline ids must be unique")
    return tuple(out)


class KnowledgeBase:
    """The guidelines and a search over them (both languages at once)."""

    def __init__(self, guidelines: Sequence[Guideline], examples: Sequence[Example] = ()) -> None:
        self.guidelines = tuple(guidelines)
        self.examples = tuple(examples)
        self._by_id = {g.id: g for g in self.guidelines}
        by_flow: dict[str, list[str]] = {}
        for g in self.guidelines:
            if g.flow:
                by_flow.setdefault(g.flow, []).append(g.id)
        # Which topics an example speaks for: its guideline, or every guideline of its flow.
        self._example_topics: list[tuple[str, ...]] = []
        for example in self.examples:
            kind, _, name = example.label.partition(":")
            if kind == "guideline" and name in self._by_id:
                self._example_topics.append((name,))
            elif kind == "flow":
                self._example_topics.append(tuple(by_flow.get(name, ())))
            elif example.label in (MENU, NONE):
                self._example_topics.append((example.label,))
            else:
                raise KnowledgeError(f"example {example.text!r}: unknown label {example.label!r}")
        self._examples = Bm25Index(
            {str(i): _sentence_bag(e.text) for i, e in enumerate(self.examples)},
            {w: stems(w) for e in self.examples for w in content_words(e.text)},
        )
        spellings = {
            word: stems(word)
            for g in self.guidelines
            for text in g.texts.values()
            for word in content_words(f"{text.title} {text.keywords}")
        }
        self._index = Bm25Index({g.id: _bag(g) for g in self.guidelines}, spellings)
        self._topic_words = {
            g.id: frozenset(
                word
                for text in g.texts.values()
                for word in content_words(f"{text.title} {text.keywords}")
            )
            for g in self.guidelines
        }
        self._topics = {
            g.id: {
                stem
                for text in g.texts.values()
                for word in content_words(f"{text.title} {text.keywords}")
                for stem in stems(word)
            }
            for g in self.guidelines
        }

    def topic_words(self, guideline_id: str) -> frozenset[str]:
        """The words of a guideline's titles and keywords (both languages)."""
        return self._topic_words[guideline_id]

    def get(self, guideline_id: str) -> Guideline:
        return self._by_id[guideline_id]

    def search(self, question: str) -> list[tuple[Guideline, float]]:
        """Guidelines that match the question, best first, with their score.

        A guideline counts only when a word of the question matches its title or keywords: a
        word that merely occurs in the explanation ("time", "open") is not a topic.
        """
        query = [(word, self._index.expand(word)) for word in content_words(question)]
        asked = {stem for _, variants in query for stem in variants}
        hits: list[Hit] = self._index.rank(variants for _, variants in query)
        return [(self._by_id[h.key], h.score) for h in hits if asked & self._topics[h.key]]

    def assess(self, question: str) -> Assessment:
        """The guidelines' and the examples' evidence for one sentence (see `Assessment`)."""
        own = dict((g.id, score) for g, score in self.search(question))
        said = content_words(question)
        near = self._examples.rank(self._examples.expand(word) for word in said)
        per_topic: dict[str, list[float]] = {}
        flow_votes: dict[str, list[float]] = {}
        answer_votes: dict[str, list[float]] = {}
        for hit in near:
            example = self.examples[int(hit.key)]
            for topic in self._example_topics[int(hit.key)]:
                per_topic.setdefault(topic, []).append(hit.score)
                votes = flow_votes if example.label.startswith("flow:") else answer_votes
                votes.setdefault(topic, []).append(hit.score)
        evidence = {t: sum(scores[:NEAREST]) for t, scores in per_topic.items()}
        combined = {
            g.id: own.get(g.id, 0.0) + EXAMPLE_WEIGHT * evidence.get(g.id, 0.0)
            for g in self.guidelines
        }
        topics = sorted(
            ((self._by_id[k], v) for k, v in combined.items() if v > 0),
            key=lambda pair: (-pair[1], pair[0].id),
        )
        return Assessment(
            topics=topics,
            menu=EXAMPLE_WEIGHT * evidence.get(MENU, 0.0),
            none=EXAMPLE_WEIGHT * evidence.get(NONE, 0.0),
            flow_votes={t: sum(v[:NEAREST]) for t, v in flow_votes.items()},
            answer_votes={t: sum(v[:NEAREST]) for t, v in answer_votes.items()},
            nearest=[(self.examples[int(h.key)], h.score) for h in near[:SHOWN]],
            own=own,
            by_example=evidence,
        )


def _bag(guideline: Guideline) -> dict[str, float]:
    bag: dict[str, float] = {}
    for text in guideline.texts.values():
        fields = {"title": text.title, "keywords": text.keywords, "points": " ".join(text.points)}
        for field, value in fields.items():
            for word in content_words(value):
                for stem in stems(word):
                    bag[stem] = bag.get(stem, 0.0) + FIELD_WEIGHTS[field]
    return bag


def _sentence_bag(text: str) -> dict[str, float]:
    bag: dict[str, float] = {}
    for word in content_words(text):
        for stem in stems(word):
            bag[stem] = bag.get(stem, 0.0) + 1.0
    return bag


def shipped_guidelines() -> tuple[Guideline, ...]:
    raw = resources.files("bot.domain").joinpath("knowledge.json").read_text("utf-8")
    return parse_guidelines(json.loads(raw))


def shipped_examples() -> tuple[Example, ...]:
    raw = resources.files("bot.domain").joinpath("examples.json").read_text("utf-8")
    return parse_examples(json.loads(raw))


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base with its labelled examples, read and indexed once."""
    return KnowledgeBase(shipped_guidelines(), shipped_examples())
