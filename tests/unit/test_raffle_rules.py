"""The raffle's rules besides the draw: who takes part (staff only, §2), the commitment, and
checking a published record, also with the documented command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.domain.people import Person, PersonType, Role
from bot.domain.raffle import ALGORITHM, commitment, draw, eligibility, participants_of, verify

ROOT = Path(__file__).resolve().parents[2]


def test_staff_take_part_and_former_staff_rvc_and_contractors_do_not() -> None:
    people = [
        Person("d", "Dirk", type=PersonType.CONTRACTOR),
        Person("a", "Anna"),
        Person("c", "Cor", type=PersonType.RVC),
        Person("b", "Bram", active=False),
        Person("e", "Els", roles=frozenset({Role.RVC_CHAIR})),  # chair without a type: RvC too
        Person("f", "Fleur", roles=frozenset({Role.DIRECTOR})),  # the board is staff
        Person("g", "Gijs", roles=frozenset({Role.RVC_MEMBER})),  # from the RvC's Entra group
    ]
    assert [eligibility(p) for p in people] == [
        "contractor", "", "rvc", "inactive", "rvc", "", "rvc"
    ]  # fmt: skip
    assert participants_of(people) == (
        ["a", "f"],
        [("b", "Bram", "inactive"), ("c", "Cor", "rvc"), ("d", "Dirk", "contractor"),
         ("e", "Els", "rvc"), ("g", "Gijs", "rvc")],
    )  # fmt: skip


def test_the_commitment_is_the_sha256_of_the_seed() -> None:
    assert commitment("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def record(seed: str = "5eed") -> dict[str, Any]:
    participants = ["p1", "p2", "p3"]
    winners = draw(participants, ["g1", "g2"], seed)
    return {
        "id": "R1",
        "algorithm": ALGORITHM,
        "commitment": commitment(seed),
        "seed": seed,
        "participants": participants,
        "gifts": [{"id": g, "description": g, "winner": w} for g, w in winners.items()],
    }


def test_a_true_record_checks_out() -> None:
    assert verify(record()) == []


def test_a_changed_seed_winner_or_algorithm_is_found() -> None:
    wrong_seed = {**record(), "seed": "other"}
    assert "does not match the commitment" in verify(wrong_seed)[0]
    wrong_winner = record()
    first = wrong_winner["gifts"][0]
    others = [p for p in wrong_winner["participants"] if p != first["winner"]]
    first["winner"] = others[0]
    assert verify(wrong_winner) == [
        f"gift g1: the draw gives {record()['gifts'][0]['winner']}, the record {others[0]}"
    ]
    assert "unknown algorithm" in verify({**record(), "algorithm": "v0"})[0]
    assert "not been drawn" in verify({**record(), "seed": ""})[0]


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.verify_raffle", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_verification_command(tmp_path: Path) -> None:
    good = tmp_path / "raffle.json"
    good.write_text(json.dumps(record()), encoding="utf-8")
    done = run(good)
    assert done.returncode == 0 and "correct" in done.stdout and "NOT" not in done.stdout
    bad = tmp_path / "changed.json"
    bad.write_text(json.dumps({**record(), "seed": "other"}), encoding="utf-8")
    done = run(bad)
    assert done.returncode == 1 and "NOT correct" in done.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert run(broken).returncode == 2


def removed_record() -> dict[str, Any]:
    """A raffle whose gift g1 was given back after the announcement, before the draw."""
    participants = ["p1", "p2", "p3"]
    winners = draw(participants, ["g1", "g2", "g3"], "5eed", removed=["g1"])
    gifts = [
        {"id": "g1", "description": "Wijn", "winner": "", "removedAt": "2026-12-03T10:00:00+00:00",
         "removedReason": "returned"},
        *({"id": g, "description": g, "winner": w} for g, w in winners.items()),
    ]  # fmt: skip
    return {
        "id": "R2", "algorithm": ALGORITHM, "commitment": commitment("5eed"), "seed": "5eed",
        "participants": participants, "gifts": gifts, "drawnAt": "2026-12-04T09:00:00+00:00",
    }  # fmt: skip


def test_a_gift_removed_before_the_draw_checks_out_and_a_tampered_removal_does_not() -> None:
    assert verify(removed_record()) == []
    # Drop the removal from the record: the draw gives g1 to someone, the record says nobody.
    unrecorded = removed_record()
    del unrecorded["gifts"][0]["removedAt"]
    assert "gift g1: the draw gives" in verify(unrecorded)[0]
    # A removed gift given to someone after all.
    won = removed_record()
    won["gifts"][0]["winner"] = "p2"
    assert verify(won) == ["gift g1 was removed before the draw but has a winner"]
    # A removal dated after the draw.
    late = removed_record()
    late["gifts"][0]["removedAt"] = "2026-12-05T09:00:00+00:00"
    assert verify(late) == ["gift g1 is marked removed after the draw"]
