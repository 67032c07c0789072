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


class Risk(StrEnum):
    """The outcome of a risk assessment (AVG art. 33(1) and 34(1))."""

    NONE = "none"  # unlikely to result in a risk: register only
    RISK = "risk"  # notify the AP
    HIGH = "high"  # notify the AP and inform the people affected


class DataCategory(StrEnum):
    """The kinds of data the assessment weighs (the officer's view, not the reporter's)."""

    ORDINARY = "ordinary"  # name, address, contact details
    SPECIAL = "special"  # art. 9/10: health, religion, criminal data ...
    BSN = "bsn"  # citizen service number, copies of identity documents
    FINANCIAL = "financial"  # income, arrears, bank account numbers
    CHILDREN = "children"  # about children
    PASSWORDS = "passwords"  # passwords and other log-in data


SENSITIVE: tuple[DataCategory, ...] = (
    DataCategory.SPECIAL,
    DataCategory.BSN,
    DataCategory.FINANCIAL,
    DataCategory.CHILDREN,
    DataCategory.PASSWORDS,
)
LARGE_SCALE = (PeopleRange.MANY,)  # more than 1,000 people


@dataclass(frozen=True)
class RiskFactors:
    """What the privacy officer establishes about a leak to weigh its risk."""

    categories: tuple[DataCategory, ...]
    people: PeopleRange
    identifiable: bool  # the data can be linked to people
    encrypted: bool  # state-of-the-art encryption (or hashing), the key not compromised
    recovered: bool  # the data is back, or destroyed by a trustworthy recipient (confirmed)
    ongoing: bool  # the leak still goes on


@dataclass(frozen=True)
class Proposal:
    risk: Risk
    reasons: tuple[str, ...]  # codes, explained in the locale texts (dataleak.risk.reasons)


def propose_risk(factors: RiskFactors) -> Proposal:
    """A proposed assessment, with the reasons, following the AP's and EDPB's guidance (see
    docs/data-leaks.md for the sources). The officer decides; this only proposes.

    1. Data that cannot be linked to anyone: no risk.
    2. The starting point: any identifiable leak is a risk (the AP: the bar is low); sensitive
       data (special categories, BSN, financial, about children, passwords) or more than 1,000
       people: high risk.
    3. While the leak goes on, nothing lowers the risk.
    4. Encrypted with the key safe: no risk. Recovered (or destroyed by a trustworthy recipient):
       one step lower.
    """
    if not factors.identifiable:
        return Proposal(Risk.NONE, ("not_identifiable",))
    reasons: list[str] = []
    sensitive = [c for c in SENSITIVE if c in factors.categories]
    reasons += [f"sensitive_{c.value}" for c in sensitive]
    if factors.people in LARGE_SCALE:
        reasons.append("many_people")
    if factors.people is PeopleRange.UNKNOWN:
        reasons.append("people_unknown")
    risk = Risk.HIGH if sensitive or factors.people in LARGE_SCALE else Risk.RISK
    if not sensitive and factors.people not in LARGE_SCALE:
        reasons.append("identifiable")
    if factors.ongoing:
        reasons.append("ongoing")
        return Proposal(risk, tuple(reasons))
    if factors.encrypted:
        return Proposal(Risk.NONE, (*reasons, "encrypted"))
    if factors.recovered:
        lower = Risk.RISK if risk is Risk.HIGH else Risk.NONE
        return Proposal(lower, (*reasons, "recovered"))
    return Proposal(risk, tuple(reasons))


@dataclass(frozen=True)
class Assessment:
    """The officer's assessment: the factors, what the rule proposed, and what was decided."""

    factors: RiskFactors
    proposed: Proposal
    decided: Risk
    reason: str  # required when the decision differs from the proposal
    at: datetime
    by: Person


@dataclass(frozen=True)
class ApNotification:
    """The notification made in the AP's online form, as the officer recorded it."""

    reported_at: datetime
    reference: str  # the AP's reference
    late_reason: str  # art. 33(1): why after the 72 hours
    late: bool
    at: datetime
    by: Person


class ApUpdateKind(StrEnum):
    SUPPLEMENT = "supplement"
    WITHDRAWAL = "withdrawal"


@dataclass(frozen=True)
class ApUpdate:
    """A later supplement to the AP notification, or its withdrawal."""

    kind: ApUpdateKind
    text: str
    at: datetime
    by: Person


@dataclass(frozen=True)
class Question:
    """The privacy officer's question to the reporter, and the reporter's answer."""

    number: int
    text: str
    asked: Mark
    answer: str = ""
    answered_at: datetime | None = None


@dataclass(frozen=True)
class Letter:
    """The letter to the people affected (art. 34), as the officer edited it."""

    nl: str
    en: str
    at: datetime
    by: Person


@dataclass(frozen=True)
class Awareness:
    """When Woongroen became aware of the leak (art. 33(1): the 72 hours start then)."""

    at: datetime
    recorded: Mark


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
    # The dossier (the privacy office's; never shown to the reporter but the questions)
    aware: Awareness | None = None
    consequences: str = ""  # the likely effects, in the officer's words
    measures: str = ""  # the measures taken or planned, in the officer's words
    assessment: Assessment | None = None
    notification: ApNotification | None = None
    ap_updates: tuple[ApUpdate, ...] = ()
    questions: tuple[Question, ...] = ()
    letter: Letter | None = None
    reporter_told: bool = False  # the reporter knows the alert reached the privacy office

    @property
    def clock_start(self) -> datetime:
        """The 72 hours run from when Woongroen became aware; until the officer records that,
        from the reporter's discovery (the earliest moment we know of)."""
        return self.aware.at if self.aware is not None else self.facts.discovered_at

    @property
    def deadline(self) -> datetime:
        return ap_deadline(self.clock_start)

    @property
    def high_risk(self) -> bool:
        return self.assessment is not None and self.assessment.decided is Risk.HIGH

    @property
    def must_notify(self) -> bool:
        """The AP must be told: the assessment says risk, or the officer decided to."""
        if self.ap is not None:
            return self.ap.yes
        return self.assessment is not None and self.assessment.decided is not Risk.NONE

    @property
    def withdrawn(self) -> bool:
        return any(u.kind is ApUpdateKind.WITHDRAWAL for u in self.ap_updates)

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
    elapsed = now - breach.clock_start
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
        late = yes and is_overdue(breach.clock_start, now)
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
    if breach.high_risk and breach.subjects is None:
        raise DecisionRefused("subjects_decision_first")  # art. 34
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


# --- The dossier: what the privacy office records after the alert -------------------------

MAX_QUESTIONS = 10  # with their answers, one table column (under 32K characters)
MAX_AP_UPDATES = 20


def _open(breach: Breach) -> None:
    if breach.status is BreachStatus.CLOSED:
        raise DecisionRefused("closed")


def record_case(
    breach: Breach,
    by: Person,
    aware_at: datetime | None,
    consequences: str,
    measures: str,
    now: datetime,
) -> Breach:
    """The officer records when Woongroen became aware, the likely consequences and the
    measures. Becoming aware cannot lie in the future, nor before the leak happened."""
    _open(breach)
    aware = breach.aware
    if aware_at is not None:
        if aware_at > now + FUTURE_SLACK:
            raise DecisionRefused("aware_future")
        if aware_at < breach.facts.occurred_at:
            raise DecisionRefused("aware_before_occurred")
        if aware is None or aware.at != aware_at:
            aware = Awareness(aware_at, Mark(now, by))
    updated = replace(breach, aware=aware, consequences=consequences, measures=measures)
    if updated == breach:
        raise DecisionRefused("already_done")
    detail = f"aware={aware.at.isoformat()}" if aware is not None else ""
    entry = AuditEntry(now, by.id, "case_recorded", detail)
    return _acknowledged(replace(updated, audit=(*breach.audit, entry)), now, by)


def assess(
    breach: Breach,
    by: Person,
    factors: RiskFactors,
    decided: Risk | None,
    reason: str,
    now: datetime,
) -> Breach:
    """The officer confirms the proposed assessment (decided None or equal) or changes it,
    with a reason. Both the proposal and the decision go on the trail."""
    _open(breach)
    proposal = propose_risk(factors)
    final = decided or proposal.risk
    if final is not proposal.risk and not reason:
        raise DecisionRefused("assessment_reason_required")
    assessment = Assessment(factors, proposal, final, reason, now, by)
    previous = breach.assessment
    if previous is not None and (previous.factors, previous.decided, previous.reason) == (
        factors,
        final,
        reason,
    ):
        raise DecisionRefused("already_done")
    verb = "risk_confirmed" if final is proposal.risk else "risk_changed"
    entry = AuditEntry(now, by.id, verb, f"proposed={proposal.risk.value} decided={final.value}")
    updated = replace(breach, assessment=assessment, audit=(*breach.audit, entry))
    return _acknowledged(updated, now, by)


def record_notification(
    breach: Breach,
    by: Person,
    reported_at: datetime,
    reference: str,
    late_reason: str,
    now: datetime,
) -> Breach:
    """The officer records that the AP was notified (when, the AP's reference). After the 72
    hours the reason for the delay is required (art. 33(1)). Implies "notify the AP: yes"."""
    _open(breach)
    if breach.notification is not None:
        if (breach.notification.reported_at, breach.notification.reference) == (
            reported_at,
            reference,
        ):
            raise DecisionRefused("already_done")
        raise DecisionRefused("already_notified")
    if not reference:
        raise DecisionRefused("ap_reference_required")
    if reported_at > now + FUTURE_SLACK:
        raise DecisionRefused("reported_future")
    if reported_at < breach.facts.occurred_at:
        raise DecisionRefused("reported_before_occurred")
    late = reported_at > breach.deadline
    if late and not late_reason:
        raise DecisionRefused("delay_reason_required")
    notification = ApNotification(reported_at, reference, late_reason, late, now, by)
    ap = breach.ap
    if ap is None or not ap.yes:
        ap = Decision(True, late_reason, reported_at, by, late)
    entry = AuditEntry(now, by.id, "ap_notified", reference)
    updated = replace(breach, notification=notification, ap=ap, audit=(*breach.audit, entry))
    return _acknowledged(updated, now, by)


def update_notification(
    breach: Breach, by: Person, kind: ApUpdateKind, text: str, now: datetime
) -> Breach:
    """A supplement to the AP notification, or its withdrawal (with the reason)."""
    _open(breach)
    if breach.notification is None:
        raise DecisionRefused("not_notified")
    if breach.withdrawn:
        raise DecisionRefused("withdrawn")
    if not text:
        raise DecisionRefused("ap_update_text_required")
    if len(breach.ap_updates) >= MAX_AP_UPDATES:
        raise DecisionRefused("too_many_updates")
    if any(u.kind is kind and u.text == text for u in breach.ap_updates):
        raise DecisionRefused("already_done")
    update = ApUpdate(kind, text, now, by)
    entry = AuditEntry(now, by.id, f"ap_{kind.value}")
    return replace(breach, ap_updates=(*breach.ap_updates, update), audit=(*breach.audit, entry))


def ask_reporter(breach: Breach, by: Person, text: str, now: datetime) -> Breach:
    """The officer asks the reporter a question (it is sent to the reporter)."""
    _open(breach)
    if not text:
        raise DecisionRefused("question_required")
    if len(breach.questions) >= MAX_QUESTIONS:
        raise DecisionRefused("too_many_questions")
    if breach.questions and breach.questions[-1].text == text and not breach.questions[-1].answer:
        raise DecisionRefused("already_done")
    question = Question(len(breach.questions) + 1, text, Mark(now, by))
    entry = AuditEntry(now, by.id, "question_asked", str(question.number))
    updated = replace(breach, questions=(*breach.questions, question), audit=(*breach.audit, entry))
    return _acknowledged(updated, now, by)


def answer_question(breach: Breach, by: str, number: int, text: str, now: datetime) -> Breach:
    """Only the reporter answers, once per question; the time is kept."""
    if by != breach.reporter.id:
        raise DecisionRefused("not_reporter")
    found = [q for q in breach.questions if q.number == number]
    if not found:
        raise DecisionRefused("no_question")
    question = found[0]
    if question.answer:
        if question.answer == text:
            raise DecisionRefused("already_done")
        raise DecisionRefused("already_answered")
    if not text:
        raise DecisionRefused("answer_required")
    answered = replace(question, answer=text, answered_at=now)
    questions = tuple(answered if q.number == number else q for q in breach.questions)
    entry = AuditEntry(now, by, "question_answered", str(number))
    return replace(breach, questions=questions, audit=(*breach.audit, entry))


def save_letter(breach: Breach, by: Person, nl: str, en: str, now: datetime) -> Breach:
    """The officer's edited letter to the people affected."""
    _open(breach)
    if not nl and not en:
        raise DecisionRefused("letter_required")
    if breach.letter is not None and (breach.letter.nl, breach.letter.en) == (nl, en):
        raise DecisionRefused("already_done")
    entry = AuditEntry(now, by.id, "letter_saved")
    return replace(breach, letter=Letter(nl, en, now, by), audit=(*breach.audit, entry))


def reporter_status(breach: Breach) -> str:
    """What the reporter sees: received, being assessed, closed (never the office's notes)."""
    if breach.status is BreachStatus.CLOSED:
        return "closed"
    return "received" if breach.acknowledged is None else "assessing"
