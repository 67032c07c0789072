"""The gift raffle (§2: gifts to Woongroen are collected centrally and raffled among all staff).

A pure, documented draw so anyone can re-run it from the record and get the same winners:

1. participants and gifts are sorted (by id) and de-duplicated;
2. the participants are shuffled with Fisher-Yates, taking each random number from
   SHA-256("<seed>:<counter>") (the first 8 bytes, big-endian), counter = 0, 1, 2, ...;
   a number is used as `value % n` only when `value < 2**64 - 2**64 % n` (else the next counter
   is taken), so every position is equally likely;
3. gift i (in sorted order) goes to shuffled participant i; with more gifts than people the
   list wraps around, so nobody wins twice before everyone has won once.

No Python-version-dependent randomness is used, so the draw can be checked in any language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

ALGORITHM = "sha256-fisher-yates-v1"
_SPACE = 2**64


class NoParticipants(ValueError):
    """Nobody to raffle among."""


class _Stream:
    """Uniform numbers below n from the seed, as described in the module docstring."""

    def __init__(self, seed: str) -> None:
        self._seed = seed
        self._counter = 0

    def below(self, n: int) -> int:
        limit = _SPACE - _SPACE % n
        while True:
            digest = hashlib.sha256(f"{self._seed}:{self._counter}".encode()).digest()
            self._counter += 1
            value = int.from_bytes(digest[:8], "big")
            if value < limit:
                return value % n


def shuffled(items: Iterable[str], seed: str) -> list[str]:
    """The sorted items in the seed's order."""
    order = sorted(set(items))
    stream = _Stream(seed)
    for i in range(len(order) - 1, 0, -1):
        j = stream.below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def draw(participants: Iterable[str], gifts: Iterable[str], seed: str) -> dict[str, str]:
    """Gift id -> winning participant id."""
    order = shuffled(participants, seed)
    if not order:
        raise NoParticipants("no participants")
    return {gift: order[i % len(order)] for i, gift in enumerate(sorted(set(gifts)))}
