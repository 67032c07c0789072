"""Declare a side job (§4 "Nevenfuncties"): HR advises, the manager decides; each sees the other."""

from __future__ import annotations

from datetime import date

from bot.domain.people import Role
from bot.domain.sidejobs import SECTION, assess_side_job
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
)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
