"""Side jobs (§4 "Nevenfuncties"): those that take structural time or touch Woongroen are known
to the manager and HR; the manager judges, after consulting HR, whether they conflict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.kinds import Outcome
from bot.domain.records import boolean, day, string
from bot.domain.requests import (
    ADVICE_LAPSED,
    ADVICE_REMINDED,
    ApprovalRequest,
    Status,
)

SECTION = "§4 Nevenfuncties"
VERDICT = "manager_after_hr"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# What kind of activity it is (§4 names board seats, supervisory boards, side jobs and one's own
# business as what is to be known; membership of a parents' council or a bar shift at a club
# as what is not). The last two need no report, unless they touch Woongroen.
ACTIVITIES = (
    "board",  # a board seat, also at a club or foundation
    "supervisory",  # a supervisory board or similar
    "job",  # a side job, paid work
    "business",  # one's own business
    "other",  # anything else that takes structural time or touches Woongroen
    "membership",  # a member of e.g. a parents' council (trivial)
    "volunteer_task",  # an occasional task at a club, e.g. a bar shift (trivial)
)
TRIVIAL = frozenset({"membership", "volunteer_task"})


def not_needed(job: SideJob) -> str | None:
    """§4: a trivial activity (a membership, a bar shift) need not be reported, so nothing is
    filed; one that touches Woongroen or its relations is reported whatever it is."""
    if job.activity in TRIVIAL and not job.touches:
        return job.activity
    return None


@dataclass(frozen=True)
class SideJobAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_side_job(touches_woongroen: bool) -> SideJobAssessment:
    reasons = ["known_to_manager_and_hr"]
    if touches_woongroen:
        reasons.append("touches_woongroen")
    reasons.append("no_conflict_no_problem")
    return SideJobAssessment(VERDICT, tuple(reasons))


@dataclass(frozen=True)
class SideJob:
    """A side job as declared, and what the yearly review learned of it since."""

    role: str
    organisation: str
    paid: str  # paid, unpaid
    hours: float  # per month
    touches: bool  # touches Woongroen's work
    touches_how: str
    start: date | None
    ended_on: date | None = None
    confirmed_at: datetime | None = None  # last "still current" answer
    review_asked_at: datetime | None = None  # the yearly question was sent (a claim)
    # HR advises by this day (set when it is filed); from `decide_from` on, without advice too.
    advice_due: date | None = None
    decide_from: date | None = None
    activity: str = ""  # one of ACTIVITIES ("" for side jobs filed before it was asked)

    @property
    def summary(self) -> str:
        return f"{self.role} ({self.organisation})"

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "summary": self.summary,
            "role": self.role,
            "organisation": self.organisation,
            "paid": self.paid,
            "hours": f"{self.hours:g}",
            "touches": self.touches,
            "touchesHow": self.touches_how,
            "start": self.start.isoformat() if self.start else "",
        }
        if self.review_asked_at:
            record["reviewAskedAt"] = self.review_asked_at.isoformat()
        if self.confirmed_at:
            record["confirmedAt"] = self.confirmed_at.isoformat()
        if self.ended_on:
            record["endedOn"] = self.ended_on.isoformat()
        if self.activity:
            record["activity"] = self.activity
        if self.advice_due:
            record["adviceDue"] = self.advice_due.isoformat()
        if self.decide_from:
            record["decideFrom"] = self.decide_from.isoformat()
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SideJob:
        try:
            hours = float(string(record, "hours") or 0)
        except ValueError:
            hours = 0.0
        return cls(
            role=string(record, "role"),
            organisation=string(record, "organisation"),
            paid=string(record, "paid"),
            hours=hours,
            touches=boolean(record, "touches"),
            touches_how=string(record, "touchesHow"),
            start=day(record, "start"),
            ended_on=day(record, "endedOn"),
            advice_due=day(record, "adviceDue"),
            decide_from=day(record, "decideFrom"),
            activity=string(record, "activity"),
            confirmed_at=_moment(record.get("confirmedAt")),
            review_asked_at=_moment(record.get("reviewAskedAt")),
        )


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def side_job_rule(job: SideJob) -> Outcome:
    assessment = assess_side_job(job.touches)
    return Outcome(assessment.verdict, assessment.reasons)


def filed_on(job: SideJob) -> date | None:
    """A side job is filed under the day it started."""
    return job.start


def retained_from(request: ApprovalRequest) -> datetime | None:
    """A side job one may have is kept while it lasts (no end, or an end still to come), then
    for the retention period from the day after it ended; any other from its decision."""
    closed = request.closed_at()
    job = request.facts
    if request.status is not Status.APPROVED or not isinstance(job, SideJob):
        return closed
    if job.ended_on is None:
        return None
    after = datetime.combine(job.ended_on + timedelta(days=1), time(), AMSTERDAM)
    return max(after, closed) if closed is not None else after


def current(status: Status, job: SideJob) -> bool:
    """The side-job register holds only current ones: approved and not ended."""
    return status is Status.APPROVED and job.ended_on is None


WAITING_FOR_HR = "waiting_for_hr"


def waiting_for_hr(request: ApprovalRequest) -> str | None:
    """§4: the manager decides after consulting HR, so not before HR advised, unless HR let
    the period pass (the advice job then records `advice_lapsed`). With nobody in HR's role
    there is nobody to wait for: the manager decides, recorded as without HR's advice."""
    if not request.pending or request.advisor is None or request.advice:
        return None
    if any(e.action == ADVICE_LAPSED for e in request.audit):
        return None
    return WAITING_FOR_HR


@dataclass(frozen=True)
class AdviceDates:
    due: date  # HR advises by the end of this day
    decide_from: date  # from this day the manager may decide without HR's advice


def advice_step(request: ApprovalRequest, today: date, dates: AdviceDates) -> str | None:
    """What the advice job does for a side job now: remind HR once when the day HR had to
    advise by has passed (`advice_reminded`), release the manager from waiting from
    `decide_from` on (`advice_lapsed`), or nothing."""
    if waiting_for_hr(request) is None:
        return None
    if today >= dates.decide_from:
        return ADVICE_LAPSED
    reminded = any(e.action == ADVICE_REMINDED for e in request.audit)
    if today > dates.due and not reminded:
        return ADVICE_REMINDED
    return None
