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

    def __init__(self, guidelines: Sequence[Guideline]) -> None:
        self.guidelines = tuple(guidelines)
        self._by_id = {g.id: g for g in self.guidelines}
        spellings = {
            word: stems(word)
            for g in self.guidelines
            for text in g.texts.values()
            for word in content_words(f"{text.title} {text.keywords}")
        }
        self._index = Bm25Index({g.id: _bag(g) for g in self.guidelines}, spellings)
        self._topics = {
            g.id: {
                stem
                for text in g.texts.values()
                for word in content_words(f"{text.title} {text.keywords}")
                for stem in stems(word)
            }
            for g in self.guidelines
        }

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


def _bag(guideline: Guideline) -> dict[str, float]:
    bag: dict[str, float] = {}
    for text in guideline.texts.values():
        fields = {"title": text.title, "keywords": text.keywords, "points": " ".join(text.points)}
        for field, value in fields.items():
            for word in content_words(value):
                for stem in stems(word):
                    bag[stem] = bag.get(stem, 0.0) + FIELD_WEIGHTS[field]
    return bag


@cache
def knowledge_base() -> KnowledgeBase:
    """The shipped knowledge base, read once."""
    raw = resources.files("bot.domain").joinpath("knowledge.json").read_text("utf-8")
    return KnowledgeBase(parse_guidelines(json.loads(raw)))
