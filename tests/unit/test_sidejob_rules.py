"""Side jobs (§4): HR advises before the manager decides; how long they are kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from bot.domain.requests import (
    ADVICE_LAPSED,
    ADVICE_REMINDED,
    APPROVE,
    DECLINE,
    NO_ADVISOR,
    WITHOUT_ADVICE,
    AuditEntry,
    Person,
    decide,
    lacking_advice,
)
from bot.domain.sidejobs import AdviceDates, SideJob, advice_step, retained_from, waiting_for_hr
from tests.support.card_samples import _gift_request

APPROVED = datetime(2020, 3, 2, 10, 0, tzinfo=UTC)


def _side_job(ended_on: date | None, choice=APPROVE):  # type: ignore[no-untyped-def]
    job = SideJob("Penningmeester", "VV Groen", "unpaid", 6, False, "", date(2020, 1, 1), ended_on)
    request = dataclasses.replace(_gift_request(), kind="sidejob", facts=job, verdict="x")
    return decide(request, "u2", choice, "", APPROVED)


def test_a_current_side_job_has_no_retention_start_yet() -> None:
    assert retained_from(_side_job(None)) is None


def test_an_ended_side_job_is_kept_from_the_day_after_it_ended() -> None:
    start = retained_from(_side_job(date(2030, 6, 30)))
    assert start is not None
    assert start.date() == date(2030, 7, 1)


def test_an_end_before_the_decision_counts_from_the_decision() -> None:
    assert retained_from(_side_job(date(2019, 12, 31))) == APPROVED


def test_a_declined_side_job_counts_from_its_decision() -> None:
    assert retained_from(_side_job(None, DECLINE)) == APPROVED


# --- HR's advice before the manager's decision (§4) -------------------------------------------


DATES = AdviceDates(due=date(2026, 12, 4), decide_from=date(2026, 12, 11))


def _pending(*actions: str, advisor: bool = True, advice: str = ""):  # type: ignore[no-untyped-def]
    job = SideJob("Penningmeester", "VV Groen", "unpaid", 6, False, "", date(2020, 1, 1))
    trail = tuple(AuditEntry(APPROVED, "system", a) for a in actions)
    return dataclasses.replace(
        _gift_request(),
        kind="sidejob",
        facts=job,
        advisor=Person("hr", "Joost") if advisor else None,
        advice=advice,
        audit=trail,
    )


def test_the_manager_waits_for_hr_until_advised_or_the_period_lapsed() -> None:
    assert waiting_for_hr(_pending()) == "waiting_for_hr"
    assert waiting_for_hr(_pending(advice="Geen bezwaar")) is None
    assert waiting_for_hr(_pending(ADVICE_REMINDED)) == "waiting_for_hr"
    assert waiting_for_hr(_pending(ADVICE_LAPSED)) is None
    assert waiting_for_hr(_pending(NO_ADVISOR, advisor=False)) is None  # nobody to wait for


def test_hr_is_reminded_once_after_the_due_day_then_the_manager_is_released() -> None:
    assert advice_step(_pending(), date(2026, 12, 4), DATES) is None  # still in time
    assert advice_step(_pending(), date(2026, 12, 7), DATES) == ADVICE_REMINDED
    assert advice_step(_pending(ADVICE_REMINDED), date(2026, 12, 10), DATES) is None
    assert advice_step(_pending(ADVICE_REMINDED), date(2026, 12, 11), DATES) == ADVICE_LAPSED
    assert advice_step(_pending(ADVICE_LAPSED), date(2026, 12, 14), DATES) is None
    assert advice_step(_pending(advice="Akkoord"), date(2026, 12, 14), DATES) is None


def test_a_decision_without_advice_is_recorded_with_why() -> None:
    lapsed = decide(_pending(ADVICE_LAPSED), "u2", APPROVE, "", APPROVED)
    assert lapsed.decided_without == ADVICE_LAPSED == lacking_advice(lapsed)
    assert [(e.action, e.detail) for e in lapsed.audit][-2:] == [
        (WITHOUT_ADVICE, ADVICE_LAPSED),
        ("approved", ""),
    ]
    nobody = decide(_pending(NO_ADVISOR, advisor=False), "u2", APPROVE, "", APPROVED)
    assert nobody.decided_without == NO_ADVISOR
    advised = decide(_pending(advice="Prima"), "u2", APPROVE, "", APPROVED)
    assert advised.decided_without == "" and lacking_advice(advised) is None
