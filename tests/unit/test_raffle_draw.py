"""The raffle's draw is a pure, documented function: the same inputs give the same winners."""

from __future__ import annotations

import hashlib

import pytest

from bot.domain.raffle import NoParticipants, draw, shuffled

PEOPLE = [f"p{n:02d}" for n in range(10)]
GIFTS = ["g1", "g2", "g3"]


def test_the_same_seed_gives_the_same_winners_whatever_the_input_order() -> None:
    first = draw(PEOPLE, GIFTS, "seed-1")
    assert draw(list(reversed(PEOPLE)), list(reversed(GIFTS)), "seed-1") == first
    assert draw(PEOPLE + PEOPLE[:3], GIFTS, "seed-1") == first  # duplicates do not count twice


def test_the_algorithm_is_pinned() -> None:
    # If this changes, records of earlier raffles can no longer be checked: add a new version.
    assert shuffled(["e", "d", "c", "b", "a"], "woongroen") == ["c", "a", "d", "e", "b"]
    assert draw(PEOPLE, GIFTS, "woongroen") == {"g1": "p08", "g2": "p04", "g3": "p02"}


def test_the_documented_method_reimplemented_gives_the_same_winners() -> None:
    """A second implementation written from the module docstring alone."""
    seed, order, counter = "controle", sorted(PEOPLE), 0
    for i in range(len(order) - 1, 0, -1):
        n = i + 1
        while True:
            digest = hashlib.sha256(f"{seed}:{counter}".encode()).digest()
            counter += 1
            value = int.from_bytes(digest[:8], "big")
            if value < 2**64 - 2**64 % n:
                break
        j = value % n
        order[i], order[j] = order[j], order[i]
    expected = {gift: order[k % len(order)] for k, gift in enumerate(sorted(GIFTS))}
    assert draw(PEOPLE, GIFTS, seed) == expected


def test_different_seeds_give_different_orders() -> None:
    orders = {tuple(shuffled(PEOPLE, f"s{n}")) for n in range(20)}
    assert len(orders) == 20


def test_nobody_wins_twice_before_everyone_won_once() -> None:
    gifts = [f"g{n:02d}" for n in range(25)]
    counts = {p: 0 for p in PEOPLE}
    for winner in draw(PEOPLE, gifts, "x").values():
        counts[winner] += 1
    assert sorted(set(counts.values())) == [2, 3]


def test_every_position_is_reachable() -> None:
    firsts = {shuffled(PEOPLE, f"seed{n}")[0] for n in range(300)}
    assert firsts == set(PEOPLE)


def test_no_participants_is_an_error() -> None:
    with pytest.raises(NoParticipants):
        draw([], GIFTS, "s")


def test_a_removed_gift_is_won_by_nobody_and_moves_no_other_gift() -> None:
    people = [f"p{n}" for n in range(5)]
    gifts = [f"g{n}" for n in range(4)]
    for seed in ("5eed", "other", "third"):
        full = draw(people, gifts, seed)
        without = draw(people, gifts, seed, removed=["g1"])
        assert "g1" not in without
        assert without == {g: w for g, w in full.items() if g != "g1"}  # the same winners
