"""Violations and measures as pure rules: who records, who reads, who decides, what an overview
may show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.people import Person, Role
from bot.domain.violations import (
    DECIDABLE,
    PROPOSABLE,
    Measure,
    Refused,
    Violation,
    check_recording,
    counts,
    decide,
    may_read,
    readable,
    retained_from,
    team_of,
    viewed,
)

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
SANNE = Person("sanne", "Sanne", manager_id="pieter")
CASE = Violation(
    "t", "OVT-1", "sanne", "Sanne", "pieter", "Pieter", "§2", "Cadeau gehouden", None, AT
)
DIRECTOR = frozenset({Role.DIRECTOR})


def test_only_the_employees_own_manager_records_and_never_about_themselves() -> None:
    assert check_recording("pieter", SANNE) == SANNE
    for manager, person, code in (
        ("marieke", SANNE, "not_your_team"),
        ("sanne", SANNE, "own_case"),
        ("pieter", None, "unknown_employee"),
    ):
        with pytest.raises(Refused) as refused:
            check_recording(manager, person)
        assert refused.value.code == code


def test_the_team_is_the_managers_direct_reports_in_service() -> None:
    people = [
        SANNE,
        Person("bram", "Bram", manager_id="pieter", active=False),
        Person("anna", "Anna", manager_id="pieter"),
        Person("joost", "Joost", manager_id="marieke"),
    ]
    assert [p.id for p in team_of("pieter", people)] == ["anna", "sanne"]


def test_only_the_director_and_the_integrity_officer_read_it() -> None:
    assert may_read(DIRECTOR) and may_read(frozenset({Role.INTEGRITY_OFFICER}))
    assert not may_read(frozenset({Role.HR})) and not may_read(frozenset())


def test_every_view_is_on_the_trail() -> None:
    seen = viewed(viewed(CASE, "lotte", AT, "listed"), "marieke", AT)
    assert [(e.by, e.action) for e in seen.trail] == [("lotte", "listed"), ("marieke", "viewed")]


def test_only_the_director_decides_once_and_not_on_their_own_case() -> None:
    decided = decide(CASE, "marieke", DIRECTOR, Measure.WARNING, "Gesprek volgt.", AT)
    assert (decided.decision, decided.decided_by, decided.message) == (
        Measure.WARNING,
        "marieke",
        "Gesprek volgt.",
    )
    assert decided.trail[-1].action == "decided"
    for case, by, roles, code in (
        (CASE, "lotte", frozenset({Role.INTEGRITY_OFFICER}), "director_only"),
        (decided, "marieke", DIRECTOR, "already_decided"),
        (CASE, "sanne", DIRECTOR, "own_case"),
    ):
        with pytest.raises(Refused) as refused:
            decide(case, by, roles, Measure.NONE, "", AT)
        assert refused.value.code == code
    with pytest.raises(Refused) as long:
        decide(CASE, "marieke", DIRECTOR, Measure.NONE, "x" * 2001, AT)
    assert long.value.code == "message_too_long"


def test_measures_run_from_a_warning_to_ending_the_contract() -> None:
    assert PROPOSABLE == ("warning", "reprimand", "transfer", "suspension", "dismissal")
    assert DECIDABLE == ("none", *PROPOSABLE)


def test_an_overview_gets_numbers_only() -> None:
    decided = decide(CASE, "marieke", DIRECTOR, Measure.DISMISSAL, "", AT)
    other = Violation("t", "OVT-2", "a", "A", "p", "P", "§3", "x", None, AT)
    assert counts([decided, other], 2026) == {
        "recorded": 2, "decided": 1, "none": 0, "warning": 0, "reprimand": 0, "transfer": 0,
        "suspension": 0, "dismissal": 1,
    }  # fmt: skip
    assert counts([decided], 2025)["recorded"] == 0


def test_retention_runs_from_the_decision_or_else_from_the_recording() -> None:
    later = datetime(2027, 3, 5, 10, tzinfo=UTC)
    assert retained_from(CASE) == AT  # never decided: from when it was recorded
    decided = decide(CASE, "marieke", DIRECTOR, Measure.WARNING, "", later)
    assert retained_from(decided) == later


def test_counts_go_by_the_amsterdam_year() -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 in Amsterdam
    new_years_eve = Violation("t", "OVT-3", "a", "A", "p", "P", "§3", "x", None, late)
    assert counts([new_years_eve], 2026)["recorded"] == 0
    assert counts([new_years_eve], 2027)["recorded"] == 1


MARIEKE = Person("marieke", "Marieke", roles=frozenset({Role.DIRECTOR}))
CHAIR = frozenset({Role.RVC_CHAIR})


def test_a_case_about_the_director_is_recorded_by_the_rvc_chair_only() -> None:
    assert check_recording("henk", MARIEKE, CHAIR) == MARIEKE
    for roles in (frozenset(), frozenset({Role.INTEGRITY_OFFICER}), DIRECTOR):
        with pytest.raises(Refused):
            check_recording("lotte", MARIEKE, roles)
    people = [MARIEKE, SANNE]
    assert [p.id for p in team_of("henk", people, CHAIR)] == ["marieke"]
    assert team_of("lotte", people, frozenset({Role.INTEGRITY_OFFICER})) == []


def test_a_case_about_the_director_is_read_and_decided_by_the_rvc_not_the_director() -> None:
    case = Violation(
        "t", "OVT-2", "marieke", "Marieke", "henk", "Henk", "§2", "Reis aangenomen", None, AT,
        about_director=True,
    )  # fmt: skip
    assert readable(case, CHAIR) and readable(case, frozenset({Role.RVC_VICE_CHAIR}))
    assert not readable(case, DIRECTOR)
    assert not readable(case, frozenset({Role.INTEGRITY_OFFICER}))
    assert not readable(CASE, CHAIR) and readable(CASE, DIRECTOR)
    assert may_read(CHAIR)
    with pytest.raises(Refused) as refused:
        decide(case, "lotte", DIRECTOR | {Role.INTEGRITY_OFFICER}, Measure.WARNING, "", AT)
    assert refused.value.code == "rvc_only"
    decided = decide(case, "henk", CHAIR, Measure.WARNING, "", AT)
    assert (decided.decision, decided.decided_by) == (Measure.WARNING, "henk")
