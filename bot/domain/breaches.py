"""A (suspected) data leak and the privacy office's handling of it (§5 Informatie: datalekken).

Every suspected leak goes to the privacy officer. The law behind it (AVG art. 33/34): the
Autoriteit Persoonsgegevens (AP) must be told within 72 hours of the organisation becoming aware
of a leak, unless it is unlikely to put people at risk; a late notification gives the reason for
the delay; every leak is kept in a register, notified or not; people affected are told when the
risk to them is high.

Pure: times are passed in (aware datetimes, stored and compared in UTC). The 72 hours are
elapsed hours, so across a daylight-saving change the local clock time of the deadline shifts by
an hour (the law counts hours, not wall-clock days).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.requests import AuditEntry, DecisionRefused

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AP_PERIOD = timedelta(hours=72)
REMINDER_HOURS: tuple[int, ...] = (24, 48, 66)  # after discovery, while no AP decision exists
SECTION = "§5"
FUTURE_SLACK = timedelta(minutes=5)  # a phone's clock may run a little ahead of ours
MAX_ADDITIONS = 20  # a report stays one readable card (and one table row)


class LeakKind(StrEnum):
    WRONG_RECIPIENT = "wrong_recipient"
    LOST_OR_STOLEN = "lost_or_stolen"
    HACKED_OR_PHISHING = "hacked_or_phishing"
    PUBLISHED = "published"
    OTHER = "other"


class DataKind(StrEnum):
    NAME_ADDRESS = "name_address"
    CONTACT = "contact"
    BSN = "bsn"
    ID_COPY = "id_copy"
    FINANCIAL = "financial"
    SPECIAL = "special"  # health or other special categories (art. 9)
    LOGIN = "login"
    OTHER = "other"


class PeopleRange(StrEnum):
    ONE = "1"
    FEW = "2-10"
    DOZENS = "11-100"
    HUNDREDS = "101-1000"
    MANY = "1000+"
    UNKNOWN = "unknown"


class Answer3(StrEnum):
    """Yes, no, or the reporter does not know."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Delivery(StrEnum):
    PENDING = "pending"  # written, alert not (yet) sent
    DELIVERED = "delivered"  # someone in the privacy office has the alert
    REROUTED = "rerouted"  # only the fallback (integrity officer) has it
    UNDELIVERED = "undelivered"  # nobody could be reached; the job keeps trying


class BreachStatus(StrEnum):
    REPORTED = "reported"  # nobody in the privacy office has acknowledged it yet
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class Mark:
    """Who did something, and when."""

    at: datetime
    by: Person


@dataclass(frozen=True)
class Decision:
    """A yes/no decision of the privacy office, with its reason."""

    yes: bool
    reason: str
    at: datetime
    by: Person
    late: bool = False  # an AP notification decided after the 72 hours


@dataclass(frozen=True)
class Addition:
    """Information the reporter added after the report."""

    at: datetime
    text: str


@dataclass(frozen=True)
class LeakFacts:
    """What the reporter told us. Only the first block is required."""

    description: str
    occurred_at: datetime
    discovered_at: datetime
    ongoing: Answer3
    kind: LeakKind | None = None
    data_kinds: tuple[DataKind, ...] = ()
    people: PeopleRange | None = None
    encrypted: Answer3 | None = None
    measures: str = ""


@dataclass(frozen=True)
class Breach:
    id: str
    tenant_id: str
    reporter: Person
    reported_at: datetime
    facts: LeakFacts
    status: BreachStatus = BreachStatus.REPORTED
    acknowledged: Mark | None = None
    ap: Decision | None = None
    subjects: Decision | None = None
    closed: Mark | None = None
    additions: tuple[Addition, ...] = ()
    reminders_sent: int = 0  # how many of REMINDER_HOURS have been claimed
    # recipient id -> ids of the messages holding this report (alert, reminders), to update them
    alerts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    delivery: Delivery = Delivery.PENDING
    claimed_at: datetime | None = None  # when a sender last claimed the alert (see services)
    attempts: int = 0  # alert delivery attempts so far
    audit: tuple[AuditEntry, ...] = ()

    @property
    def deadline(self) -> datetime:
        return ap_deadline(self.facts.discovered_at)

    @property
    def clock_running(self) -> bool:
        """The 72-hour clock matters until the AP decision is recorded (or the case closed)."""
        return self.ap is None and self.status is not BreachStatus.CLOSED


def local_moment(day: date, at: time) -> datetime:
    """A wall-clock date and time in Amsterdam, as a UTC instant.

    On the spring-forward night a time like 02:30 does not exist, and on the autumn night it
    exists twice; we take the earlier instant either way, so the 72 hours never start late.
    """
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=AMSTERDAM, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=AMSTERDAM, fold=1).astimezone(UTC)
    return min(first, second)


def ap_deadline(discovered_at: datetime) -> datetime:
    """When the AP must have been told: 72 elapsed hours after discovery."""
    return discovered_at.astimezone(UTC) + AP_PERIOD


def time_left(discovered_at: datetime, now: datetime) -> timedelta:
    """Until the AP deadline; negative once it has passed."""
    return ap_deadline(discovered_at) - now


def is_overdue(discovered_at: datetime, now: datetime) -> bool:
    """Past the deadline. At exactly 72 hours it is still on time."""
    return now > ap_deadline(discovered_at)


def reminder_due(breach: Breach, now: datetime) -> int:
    """The reminder stage (1-based) to send now, or 0.

    Only the latest stage reached is sent: after an outage we send one reminder, not a burst.
    """
    if not breach.clock_running:
        return 0
    elapsed = now - breach.facts.discovered_at
    reached = sum(1 for hours in REMINDER_HOURS if elapsed >= timedelta(hours=hours))
    return reached if reached > breach.reminders_sent else 0


def retry_delay(attempts: int) -> timedelta:
    """How long after an attempt the next alert delivery may be tried: 2, 4, 8 ... 60 minutes."""
    return timedelta(minutes=min(2 ** max(attempts, 1), 60))


def check_times(occurred_at: datetime, discovered_at: datetime, now: datetime) -> dict[str, str]:
    """Errors in the report's moments, as {field: code}: "occurred" / "discovered"."""
    errors: dict[str, str] = {}
    if occurred_at > now + FUTURE_SLACK:
        errors["occurred"] = "moment_future"
    if discovered_at > now + FUTURE_SLACK:
        errors["discovered"] = "moment_future"
    elif discovered_at < occurred_at:
        errors["discovered"] = "discovered_before_occurred"
    return errors


class BreachAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    AP_YES = "ap_yes"
    AP_NO = "ap_no"
    SUBJECTS_YES = "subjects_yes"
    SUBJECTS_NO = "subjects_no"
    CLOSE = "close"


def apply(breach: Breach, action: BreachAction, by: Person, reason: str, now: datetime) -> Breach:
    """The privacy office acts on a report (the caller has checked the role).

    A repeat of what is already recorded raises `already_done`, which callers treat as a no-op.
    A closed report takes no more decisions. Reasons: "no" to the AP or to informing people needs
    one (art. 33(5): why it was not notified); "yes" to the AP after the 72 hours needs the
    reason for the delay.
    """
    if breach.status is BreachStatus.CLOSED:
        raise DecisionRefused("closed")
    if action is BreachAction.ACKNOWLEDGE:
        if breach.acknowledged is not None:
            raise DecisionRefused("already_done")
        return _logged(
            replace(breach, acknowledged=Mark(now, by), status=BreachStatus.ACKNOWLEDGED),
            now,
            by,
            action,
        )
    if action in (BreachAction.AP_YES, BreachAction.AP_NO):
        yes = action is BreachAction.AP_YES
        late = yes and is_overdue(breach.facts.discovered_at, now)
        if breach.ap is not None and breach.ap.yes == yes:
            raise DecisionRefused("already_done")
        if not reason and late:
            raise DecisionRefused("delay_reason_required")
        if not reason and not yes:
            raise DecisionRefused("reason_required")
        decision = Decision(yes, reason, now, by, late)
        return _logged(_acknowledged(replace(breach, ap=decision), now, by), now, by, action)
    if action in (BreachAction.SUBJECTS_YES, BreachAction.SUBJECTS_NO):
        yes = action is BreachAction.SUBJECTS_YES
        if breach.subjects is not None and breach.subjects.yes == yes:
            raise DecisionRefused("already_done")
        if not reason and not yes:
            raise DecisionRefused("reason_required")
        decision = Decision(yes, reason, now, by)
        return _logged(_acknowledged(replace(breach, subjects=decision), now, by), now, by, action)
    if breach.ap is None:
        raise DecisionRefused("ap_decision_first")
    closed = replace(
        _acknowledged(breach, now, by), closed=Mark(now, by), status=BreachStatus.CLOSED
    )
    return _logged(closed, now, by, action)


def add_information(breach: Breach, by: str, text: str, now: datetime) -> Breach:
    """Only the reporter adds to their own report."""
    if by != breach.reporter.id:
        raise DecisionRefused("not_reporter")
    if not text:
        raise DecisionRefused("empty_addition")
    if len(breach.additions) >= MAX_ADDITIONS:
        raise DecisionRefused("too_many_additions")
    entry = AuditEntry(now, by, "information_added")
    return replace(
        breach, additions=(*breach.additions, Addition(now, text)), audit=(*breach.audit, entry)
    )


def _acknowledged(breach: Breach, now: datetime, by: Person) -> Breach:
    """Deciding implies having seen it."""
    if breach.acknowledged is not None:
        return breach
    return replace(breach, acknowledged=Mark(now, by), status=BreachStatus.ACKNOWLEDGED)


def _logged(breach: Breach, now: datetime, by: Person, action: BreachAction) -> Breach:
    """The trail records who did what and when; reasons stay on the decision itself."""
    return replace(breach, audit=(*breach.audit, AuditEntry(now, by.id, action.value)))
