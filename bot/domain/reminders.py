"""When a pending request is reminded to its approver, and when it is escalated to the
approver's own manager: counted in working days (Monday to Friday) in Amsterdam."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.requests import ADVICE_LAPSED, ApprovalRequest, ApproverRole

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Due(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class ReminderPolicy:
    remind_after: int = 3  # working days pending before the approver is reminded
    escalate_after: int = 2  # further working days before it goes to the approver's manager


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def decidable_since(request: ApprovalRequest) -> datetime:
    """From when the approver could decide: a request that waits for advice (a side job waits
    for HR) from the advice, or from when the advisor let the period pass; else its filing."""
    if request.advisor is None:
        return request.created_at
    lapsed = [e.at for e in request.audit if e.action == ADVICE_LAPSED]
    opened = request.advised_at or (min(lapsed) if lapsed else None)
    return max(request.created_at, opened) if opened is not None else request.created_at


def due(
    request: ApprovalRequest, now: datetime, policy: ReminderPolicy, acknowledgement: bool = False
) -> Due | None:
    """What the reminder job should do for this request now, if anything. A report that only
    asks to be taken note of (`acknowledgement`, e.g. a gift the employee may keep) is
    reminded once and never escalated."""
    if not request.pending:
        return None
    start = decidable_since(request).astimezone(AMSTERDAM).date()
    waited = working_days_between(start, now.astimezone(AMSTERDAM).date())
    escalated = request.escalated_at is not None or request.approver_role is ApproverRole.ESCALATION
    if (
        not escalated
        and not acknowledgement
        and waited >= policy.remind_after + policy.escalate_after
    ):
        return Due.ESCALATE
    if request.reminded_at is None and waited >= policy.remind_after:
        return Due.REMIND
    return None
