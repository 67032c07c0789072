"""Declare a tenant you know personally (§2 "Huurders"): the manager decides whether you carry
on with the case or a colleague takes it over."""

from __future__ import annotations

from datetime import date

from bot.domain.tenants import SECTION, assess_tenant_tie
from dialogs.flow import Outcome, RequestFlow
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KindView, fact_rows

TENANT = Field("tenant", "text", "tenant.tenant", max_length=160, required=True)
TIE = Field("tie", "choice", "tenant.tie", "tenant.ties", required=True)
CASE = Field("case", "multiline", "tenant.case", max_length=1000, required=True)
DOUBT = Field("doubt", "toggle", "tenant.doubt")

FORM = Form(
    title="tenant.title",
    intro="tenant.intro",
    fields=(TENANT, TIE, CASE, DOUBT),
    submit_verb="tenant.submit",
    submit_title="tenant.submit",
)


def read(form: Reader, today: date) -> Outcome | None:
    tenant = form.text(TENANT)
    tie = form.choice(TIE, ["friend", "relative", "acquaintance", "other"])
    case = form.text(CASE)
    doubt = form.flag(DOUBT)
    if form.errors:
        return None
    assessment = assess_tenant_tie(doubt)
    facts = {"summary": tenant, "tenant": tenant, "tie": tie, "case": case, "doubt": doubt}
    return Outcome(facts, assessment.verdict, assessment.reasons)


FLOW = RequestFlow(
    kind="tenant",
    prefix="HUU",
    form=FORM,
    read=read,
    view=KindView(
        title="tenant.title",
        facts=fact_rows(
            (
                ("tenant.facts.tenant", "tenant", "text"),
                ("tenant.facts.tie", "tie", "choice:tenant.ties"),
                ("tenant.facts.case", "case", "text"),
                ("tenant.facts.doubt", "doubt", "yesno"),
            )
        ),
        verdicts="tenant.verdicts",
        reasons="tenant.reasons",
        section=SECTION,
        approve="tenant.approve",
        decline="tenant.decline",
        statuses="tenant.statuses",
    ),
)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
