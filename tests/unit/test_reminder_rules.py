from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.reminders import Due, ReminderPolicy, due, working_days_between
from bot.domain.requests import ApprovalRequest, ApproverRole, Person, Status

MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)
REQUEST = ApprovalRequest(
    id="X",
    kind="gift",
    tenant_id="t",
    requester=Person("s", "S"),
    approver=Person("p", "P"),
    approver_role=ApproverRole.MANAGER,
    facts={},
    verdict="keep",
    reasons=(),
    created_at=MONDAY,
)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 30), date(2026, 11, 30), 0),  # same day
        (date(2026, 11, 30), date(2026, 12, 3), 3),  # Mon -> Thu
        (date(2026, 12, 4), date(2026, 12, 7), 1),  # Fri -> Mon skips the weekend
        (date(2026, 12, 5), date(2026, 12, 6), 0),  # Sat -> Sun
        (date(2026, 11, 30), date(2026, 12, 14), 10),  # two weeks
        (date(2026, 12, 3), date(2026, 11, 30), 0),  # backwards
    ],
)
def test_working_days_skip_weekends(start: date, end: date, days: int) -> None:
    assert working_days_between(start, end) == days


def test_a_request_is_reminded_then_escalated() -> None:
    policy = ReminderPolicy(remind_after=3, escalate_after=2)
    assert due(REQUEST, MONDAY + timedelta(days=2), policy) is None
    assert due(REQUEST, MONDAY + timedelta(days=3), policy) is Due.REMIND
    reminded = replace(REQUEST, reminded_at=MONDAY + timedelta(days=3))
    assert due(reminded, MONDAY + timedelta(days=4), policy) is None
    assert due(reminded, MONDAY + timedelta(days=7), policy) is Due.ESCALATE  # next Monday
    escalated = replace(reminded, escalated_at=MONDAY + timedelta(days=7))
    assert due(escalated, MONDAY + timedelta(days=30), policy) is None


def test_decided_requests_are_left_alone() -> None:
    decided = replace(REQUEST, status=Status.APPROVED)
    assert due(decided, MONDAY + timedelta(days=30), ReminderPolicy()) is None
