"""Declare a side job (§4 "Nevenfuncties"): HR advises, the manager decides; each sees the other."""

from __future__ import annotations

from datetime import date

from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest
from bot.domain.sidejobs import SECTION, assess_side_job
from bot.services.context import Services
from bot.services.sidejob_review import answer_review
from cards import render, text
from dialogs.base import Card, CardAction
from dialogs.decisions import on_request
from dialogs.flow import Outcome, RequestFlow
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KindView, fact_rows

MAX_HOURS = 200  # a month has about 170 working hours; more is a typo

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
TOUCHES = Field("touches", "toggle", "sidejob.touches")
TOUCHES_HOW = Field("touchesHow", "multiline", "sidejob.touches_how", max_length=1000)
START = Field("start", "date", "sidejob.start", required=True)

FORM = Form(
    title="sidejob.title",
    intro="sidejob.intro",
    fields=(ROLE, ORGANISATION, PAID, HOURS, TOUCHES, TOUCHES_HOW, START),
    submit_verb="sidejob.submit",
    submit_title="sidejob.submit",
)


def read(form: Reader, today: date) -> Outcome | None:
    role = form.text(ROLE)
    organisation = form.text(ORGANISATION)
    paid = form.choice(PAID, ["paid", "unpaid"])
    hours = form.number(HOURS, 0, MAX_HOURS)
    touches = form.flag(TOUCHES)
    how = form.text(TOUCHES_HOW)
    start = form.day(START, today, allow_future=True)
    if form.errors or start is None or hours is None:
        return None
    assessment = assess_side_job(touches)
    facts = {
        "summary": f"{role} ({organisation})",
        "role": role,
        "organisation": organisation,
        "paid": paid,
        "hours": f"{hours:g}",
        "touches": touches,
        "touchesHow": how,
        "start": start.isoformat(),
    }
    return Outcome(facts, assessment.verdict, assessment.reasons)


def review_card(request: ApprovalRequest, locale: str, answer: str = "") -> Card:
    """The yearly question: is this side job still current?"""
    ended = bool(request.facts.get("endedOn"))
    return render(
        "sidejob_review",
        locale,
        {
            "facts": FLOW.view.facts(request, locale)[:3],
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


FLOW = RequestFlow(
    kind="sidejob",
    prefix="NEV",
    form=FORM,
    read=read,
    view=KindView(
        title="sidejob.title",
        facts=fact_rows(
            (
                ("sidejob.facts.role", "role", "text"),
                ("sidejob.facts.organisation", "organisation", "text"),
                ("sidejob.facts.paid", "paid", "choice:sidejob.paid_choices"),
                ("sidejob.facts.hours", "hours", "text"),
                ("sidejob.facts.touches", "touches", "yesno"),
                ("sidejob.facts.touches_how", "touchesHow", "text"),
                ("sidejob.facts.start", "start", "text"),
            )
        ),
        verdicts="sidejob.verdicts",
        reasons="sidejob.reasons",
        section=SECTION,
        approve="sidejob.approve",
        decline="sidejob.decline",
        statuses="sidejob.statuses",
    ),
    advisor_role=Role.HR,
    extra_verbs={"sidejob.current": still_current, "sidejob.ended": has_ended},
)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
