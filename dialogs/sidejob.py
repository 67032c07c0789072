"""Declare a side job (§4 "Nevenfuncties"): HR advises, the manager decides; each sees the other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.extract import Facts
from bot.domain.people import Actor, Role
from bot.domain.requests import ApprovalRequest
from bot.domain.sidejobs import (
    ACTIVITIES,
    SECTION,
    WAITING_FOR_HR,
    SideJob,
    current,
    filed_on,
    not_needed,
    retained_from,
    side_job_rule,
    waiting_for_hr,
)
from bot.services.context import Services
from bot.services.sidejob_advice import advice_dates
from bot.services.sidejob_review import answer_review
from cards import render, text
from cards.dates import day_text
from dialogs.base import Card, CardAction
from dialogs.decisions import on_request
from dialogs.forms import Field, Form, Prefill, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_HOURS = 200  # a month has about 170 working hours; more is a typo

ACTIVITY = Field(
    "activity", "choice", "sidejob.activity", "sidejob.activities", required=True, expanded=True
)
ROLE = Field(
    "role",
    "text",
    "sidejob.role",
    placeholder="sidejob.role_placeholder",
    max_length=160,
    required=True,
)
ORGANISATION = Field("organisation", "text", "sidejob.organisation", max_length=160, required=True)
PAID = Field("paid", "choice", "sidejob.paid", "sidejob.paid_choices", required=True, expanded=True)
HOURS = Field("hours", "text", "sidejob.hours", max_length=10, required=True)
TOUCHES = Field("touches", "yesno", "sidejob.touches", required=True)
TOUCHES_HOW = Field("touchesHow", "multiline", "sidejob.touches_how", max_length=1000)
START = Field("start", "date", "sidejob.start", required=True)

FORM = Form(
    title="sidejob.title",
    intro="sidejob.intro",
    fields=(ACTIVITY, ROLE, ORGANISATION, PAID, HOURS, TOUCHES, TOUCHES_HOW, START),
    submit_verb="sidejob.submit",
    submit_title="sidejob.submit",
)


def read(form: Reader, today: date) -> SideJob | None:
    activity = form.choice(ACTIVITY, ACTIVITIES)
    role = form.text(ROLE)
    organisation = form.text(ORGANISATION)
    paid = form.choice(PAID, ["paid", "unpaid"])
    hours = form.number(HOURS, 0, MAX_HOURS)
    touches = form.answer(TOUCHES)
    how = form.text(TOUCHES_HOW)
    start = form.day(START, today, allow_future=True, earliest=date(1950, 1, 1))
    if form.errors or start is None or hours is None:
        return None
    return SideJob(
        role=role,
        organisation=organisation,
        paid=paid,
        hours=hours,
        touches=touches,
        touches_how=how,
        start=start,
        activity=activity,
    )


async def _advice_dates(services: Services, actor: Actor, job: SideJob) -> SideJob:
    """The days HR advises by, and from which the manager may decide without, on the facts."""
    today = services.clock().astimezone(AMSTERDAM).date()
    dates = advice_dates(services.settings, today)
    return replace(job, advice_due=dates.due, decide_from=dates.decide_from)


def _blocked_text(request: ApprovalRequest, code: str, locale: str) -> str:
    """Since when HR was asked, by when HR advises, and from when the manager may decide
    without."""
    if code != WAITING_FOR_HR:
        return text(locale, f"requests.refused.{code}")
    job = request.facts
    due = job.advice_due if isinstance(job, SideJob) else None
    free = job.decide_from if isinstance(job, SideJob) else None
    if due is None or free is None:
        return text(locale, "requests.refused.waiting_for_hr")
    return text(
        locale,
        "sidejob.waiting_for_hr",
        since=day_text(request.created_at.astimezone(AMSTERDAM).date(), locale),
        until=day_text(due, locale),
        free=day_text(free, locale),
    )


def prefill(facts: Facts, sentence: str, today: date) -> Prefill:
    """The role, where, paid or not, hours and start from a typed sentence."""
    values: dict[str, str] = {}
    if facts.role:
        values[ROLE.id] = facts.role
    if facts.place or facts.organisation:
        values[ORGANISATION.id] = facts.place or facts.organisation
    if facts.paid:
        values[PAID.id] = facts.paid
    if facts.hours is not None and facts.hours <= MAX_HOURS:
        values[HOURS.id] = f"{facts.hours:g}".replace(".", ",")
    if facts.day is not None:
        values[START.id] = facts.day.isoformat()
    return Prefill(values, (HOURS.id,) if facts.hours is not None else ())


def preview(values: Mapping[str, str], inferred: tuple[str, ...], locale: str) -> list[str]:
    return [text(locale, "sidejob.preview")]


def review_card(request: ApprovalRequest, locale: str, answer: str = "") -> Card:
    """The yearly question: is this side job still current?"""
    job = request.facts
    ended = isinstance(job, SideJob) and job.ended_on is not None
    rows = KIND.rows_of(request, locale)[:3] if isinstance(job, SideJob) else []
    return render(
        "sidejob_review",
        locale,
        {
            "facts": rows,
            "answer": answer,
            "open": not answer and not ended,
            "pointer": {"requestId": request.id, "requesterId": request.requester.id},
        },
    )


async def _answer(action: CardAction, services: Services, current: bool) -> Card:
    async def work(rid: str, requester: str) -> Card:
        request = await answer_review(
            services, action.actor.tenant_id, requester, rid, action.actor.user_id, current
        )
        key = "sidejob.review.answer_current" if current else "sidejob.review.answer_ended"
        return review_card(request, action.actor.locale, text(action.actor.locale, key))

    return await on_request(action, work)


async def still_current(action: CardAction, services: Services) -> Card:
    return await _answer(action, services, current=True)


async def has_ended(action: CardAction, services: Services) -> Card:
    return await _answer(action, services, current=False)


KIND = RequestKind(
    name="sidejob",
    prefix="NEV",
    facts_type=SideJob,
    from_record=SideJob.from_record,
    rule=side_job_rule,
    filed_on=filed_on,
    registered=current,
    retained_from=retained_from,
    counts_onwards=True,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        SideJob,
        (
            ("sidejob.facts.activity", lambda j: j.activity, "choice:sidejob.activities"),
            ("sidejob.facts.role", lambda j: j.role, "text"),
            ("sidejob.facts.organisation", lambda j: j.organisation, "text"),
            ("sidejob.facts.paid", lambda j: j.paid, "choice:sidejob.paid_choices"),
            ("sidejob.facts.hours", lambda j: f"{j.hours:g}", "text"),
            ("sidejob.facts.touches", lambda j: j.touches, "yesno"),
            ("sidejob.facts.touches_how", lambda j: j.touches_how, "text"),
            ("sidejob.facts.start", lambda j: j.start, "text"),
        ),
    ),
    columns=(
        RegisterColumn(
            "activity", lambda j: j.activity, "choice:sidejob.activities", "sidejob.facts.activity"
        ),
        RegisterColumn("role", lambda j: j.role),
        RegisterColumn("organisation", lambda j: j.organisation),
        RegisterColumn("paid", lambda j: j.paid, "choice:sidejob.paid_choices"),
        RegisterColumn("hours", lambda j: f"{j.hours:g}", "number"),
        RegisterColumn("touches", lambda j: j.touches, "yesno"),
        RegisterColumn("touches_how", lambda j: j.touches_how),
        RegisterColumn("advice", fmt="advice"),
        RegisterColumn("without_advice", fmt="without_advice"),
    ),
    verdicts="sidejob.verdicts",
    reasons="sidejob.reasons",
    section=SECTION,
    approve="sidejob.approve",
    decline="sidejob.decline",
    statuses="sidejob.statuses",
    advisor_role=Role.HR,
    enrich=_advice_dates,
    not_needed=not_needed,
    blocked=waiting_for_hr,
    blocked_text=_blocked_text,
    extra_verbs={"sidejob.current": still_current, "sidejob.ended": has_ended},
    prefill=prefill,
    preview=preview,
)
