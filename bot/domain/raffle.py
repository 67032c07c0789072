"""The gift raffle (§2: gifts to Woongroen are collected centrally and raffled among all staff).

A pure, documented draw so anyone can re-run it from the record and get the same winners:

1. participants and gifts are sorted (by id) and de-duplicated;
2. the participants are shuffled with Fisher-Yates, taking each random number from
   SHA-256("<seed>:<counter>") (the first 8 bytes, big-endian), counter = 0, 1, 2, ...;
   a number is used as `value % n` only when `value < 2**64 - 2**64 % n` (else the next counter
   is taken), so every position is equally likely;
3. gift i (in sorted order) goes to shuffled participant i; with more gifts than people the
   list wraps around, so nobody wins twice before everyone has won once;
4. a gift removed after the list was published (withdrawn, or given back to the employee)
   keeps its place in that order and is won by nobody: the published list stays what the
   commitment was made over, and the removal cannot move any other gift to someone else.

No Python-version-dependent randomness is used, so the draw can be checked in any language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain.people import Person, PersonType

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


def draw(
    participants: Iterable[str], gifts: Iterable[str], seed: str, removed: Iterable[str] = ()
) -> dict[str, str]:
    """Gift id -> winning participant id, for every gift not in `removed` (step 4)."""
    order = shuffled(participants, seed)
    if not order:
        raise NoParticipants("no participants")
    gone = set(removed)
    return {
        gift: order[i % len(order)] for i, gift in enumerate(sorted(set(gifts))) if gift not in gone
    }


# --- Who takes part, the commitment, and checking a published record ---------------------


def eligibility(person: Person) -> str:
    """Why a person is not in the raffle ("" when they are): it is for staff (§2), so not former
    staff (inactive in the directory), not RvC members, not contractors."""
    if not person.active or person.type is PersonType.FORMER:
        return "inactive"
    if person.on_rvc:
        return "rvc"
    if person.type is PersonType.CONTRACTOR:
        return "contractor"
    return ""


def participants_of(people: Iterable[Person]) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(participant ids, sorted; (id, name, reason) of everyone left out, sorted by id)."""
    ordered = sorted(people, key=lambda p: p.id)
    taking_part = [p.id for p in ordered if not eligibility(p)]
    left_out = [(p.id, p.name, eligibility(p)) for p in ordered if eligibility(p)]
    return taking_part, left_out


def commitment(seed: str) -> str:
    """What is published before the draw: SHA-256 of the seed (hex). The seed itself is revealed
    after the draw; anyone can then check it is the one committed to."""
    return hashlib.sha256(seed.encode()).hexdigest()


def _moment(iso: str) -> datetime:
    """A record's moment (ISO 8601); an unreadable one counts as the latest possible."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify(record: Mapping[str, Any]) -> list[str]:
    """What does not hold in a published raffle record (empty: it checks out).

    The record (see docs/raffle.md): `algorithm`, `commitment`, `seed`, `participants` (ids),
    `gifts` (each `id` and `winner`; `removedAt` when it was taken out after the announcement,
    then its winner is empty)."""
    problems: list[str] = []
    if record.get("algorithm") != ALGORITHM:
        problems.append(f"unknown algorithm {record.get('algorithm')!r} (expected {ALGORITHM})")
        return problems
    seed = str(record.get("seed", ""))
    if not seed:
        return ["the seed is not revealed yet: the raffle has not been drawn"]
    if commitment(seed) != record.get("commitment"):
        problems.append("the seed does not match the commitment published before the draw")
    gifts = {str(g["id"]): str(g.get("winner", "")) for g in record.get("gifts", [])}
    removed = {
        str(g["id"]): str(g["removedAt"]) for g in record.get("gifts", []) if g.get("removedAt")
    }
    participants = [str(p) for p in record.get("participants", [])]
    try:
        expected = draw(participants, gifts, seed, removed)
    except NoParticipants:
        return [*problems, "the record has no participants"]
    drawn_at = str(record.get("drawnAt", ""))
    for gift, winner in sorted(gifts.items()):
        if gift in removed:
            if winner:
                problems.append(f"gift {gift} was removed before the draw but has a winner")
            if drawn_at and _moment(removed[gift]) > _moment(drawn_at):
                problems.append(f"gift {gift} is marked removed after the draw")
        elif expected.get(gift) != winner:
            problems.append(
                f"gift {gift}: the draw gives {expected.get(gift)}, the record {winner}"
            )
    return problems
