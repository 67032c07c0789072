"""BM25 ranking over weighted bags of stems, forgiving of typos and Dutch compounds.

Each document is a bag of stems with weights (a title word counts more than a word of the
answer). A query word is matched through all its stems (Dutch and English); a word the index
does not know is matched to a known stem one or two edits away ("aanhanwagen"), or split into two
known parts ("kerstcadeau" = "kerst" + "cadeau").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.domain.text import stems

K1 = 1.2
B = 0.4  # mild length normalisation: entries differ a lot in how many aliases they list
FUZZY_WEIGHT = 0.7  # a guessed spelling counts less than an exact one
PART_WEIGHT = 0.6  # each half of a split compound
MAX_COMPOUND = 60  # longer than any real compound ("arbeidsongeschiktheidsverzekering" is 33)


@dataclass(frozen=True)
class Hit:
    """A ranked document: its key and BM25 score."""

    key: str
    score: float


class Bm25Index:
    """An immutable BM25 index over `{key: {stem: weighted count}}`."""

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, float]],
        spellings: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        """`documents`: key -> stem -> weight; `spellings`: indexed word -> its stems, used to
        match misspelt query words."""
        self._by_length: dict[int, list[tuple[str, frozenset[str]]]] = {}
        for known, known_stems in (spellings or {}).items():
            self._by_length.setdefault(len(known), []).append((known, known_stems))
        self._docs = {key: dict(bag) for key, bag in documents.items()}
        self._lengths = {key: sum(bag.values()) for key, bag in self._docs.items()}
        count = len(self._docs) or 1
        self._average = sum(self._lengths.values()) / count or 1.0
        frequency: dict[str, int] = {}
        for bag in self._docs.values():
            for stem in bag:
                frequency[stem] = frequency.get(stem, 0) + 1
        self._idf = {
            stem: math.log(1 + (count - n + 0.5) / (n + 0.5)) for stem, n in frequency.items()
        }

    @property
    def vocabulary(self) -> frozenset[str]:
        return frozenset(self._idf)

    def rank(self, query: Iterable[Mapping[str, float]]) -> list[Hit]:
        """Documents by descending score for a query of expanded words (see `expand`);
        documents that match nothing are left out."""
        totals: dict[str, float] = {}
        for variants in query:
            for key in self._docs:
                best = max((self._term(stem, key) * w for stem, w in variants.items()), default=0)
                if best > 0:
                    totals[key] = totals.get(key, 0.0) + best
        hits = [Hit(key, score) for key, score in totals.items()]
        return sorted(hits, key=lambda h: (-h.score, h.key))

    def expand(self, word: str) -> dict[str, float]:
        """The indexed stems a query word stands for, each with how much it counts.

        Deliberately not cached: what people type is not kept, not even in memory.
        """
        known = {stem: 1.0 for stem in stems(word) if stem in self._idf}
        if known:
            return known
        close = {stem: FUZZY_WEIGHT for stem in self._near(word)}
        if close:
            return close
        return {stem: PART_WEIGHT for stem in self._parts(word)}

    def _term(self, stem: str, key: str) -> float:
        tf = self._docs[key].get(stem, 0.0)
        if not tf:
            return 0.0
        norm = K1 * (1 - B + B * self._lengths[key] / self._average)
        return self._idf[stem] * tf * (K1 + 1) / (tf + norm)

    def _near(self, word: str) -> set[str]:
        if len(word) < 5:
            return set()
        limit = 1 if len(word) < 9 else 2
        found: set[str] = set()
        for length in range(len(word) - limit, len(word) + limit + 1):
            bucket = self._by_length.get(length, ())
            if not bucket:
                continue
            close = process.extract(
                word,
                [known for known, _ in bucket],
                scorer=OSA.distance,
                score_cutoff=limit,
                limit=None,
            )
            for _, _, position in close:
                found |= bucket[position][1] & self._idf.keys()
        return found

    def _parts(self, word: str) -> set[str]:
        if len(word) > MAX_COMPOUND:
            # Not a word anyone writes; splitting it at every cut costs quadratic time (a
            # 2,000-letter "word" took seconds, a message-sized one would stall the bot).
            return set()
        found: set[str] = set()
        for cut in range(4, len(word) - 3):
            head, tail = stems(word[:cut]), stems(word[cut:].removeprefix("s"))
            if head & self._idf.keys() and tail & self._idf.keys():
                found |= (head | tail) & self._idf.keys()
        return found


def _distance(a: str, b: str) -> int:
    """Edit distance with adjacent swaps (restricted Damerau-Levenshtein: optimal string
    alignment), computed by `rapidfuzz` in C."""
    return int(OSA.distance(a, b))
