"""Side jobs (§4): how long they are kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from bot.domain.requests import APPROVE, DECLINE, decide
from bot.domain.sidejobs import SideJob, retained_from
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
