"""Declare a tenant you know personally (§2 "Huurders"): the manager decides whether you carry
on with the case or a colleague takes it over; when you are not sure you can treat the tenant
like any other, it goes to a colleague the manager names (choices in docs/decisions.md)."""

from __future__ import annotations

from datetime import date

from bot.domain.tenants import CHOICES, SECTION, TenantTie, tenant_rule
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

TENANT = Field("tenant", "text", "tenant.tenant", max_length=160, required=True)
TIE = Field("tie", "choice", "tenant.tie", "tenant.ties", required=True)
CASE = Field("case", "multiline", "tenant.case", max_length=1000, required=True)
# §2: can you treat this tenant like any other? Asked, not assumed: not sure means hand over.
SURE = Field("sure", "choice", "tenant.sure", "tenant.sure_choices", required=True, expanded=True)

FORM = Form(
    title="tenant.title",
    intro="tenant.intro",
    fields=(TENANT, TIE, CASE, SURE),
    submit_verb="tenant.submit",
    submit_title="tenant.submit",
)


def read(form: Reader, today: date) -> TenantTie | None:
    tenant = form.text(TENANT)
    tie = form.choice(TIE, ["friend", "relative", "acquaintance", "other"])
    case = form.text(CASE)
    sure = form.choice(SURE, ["yes", "no"])
    if form.errors:
        return None
    return TenantTie(tenant=tenant, tie=tie, case=case, doubt=sure != "yes")


KIND = RequestKind(
    name="tenant",
    prefix="HUU",
    facts_type=TenantTie,
    from_record=TenantTie.from_record,
    rule=tenant_rule,
    choices=CHOICES,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        TenantTie,
        (
            ("tenant.facts.tenant", lambda t: t.tenant, "text"),
            ("tenant.facts.tie", lambda t: t.tie, "choice:tenant.ties"),
            ("tenant.facts.case", lambda t: t.case, "text"),
            ("tenant.facts.doubt", lambda t: t.doubt, "yesno"),
        ),
    ),
    columns=(
        RegisterColumn("tenant", lambda t: t.tenant),
        RegisterColumn("tie", lambda t: t.tie, "choice:tenant.ties"),
        RegisterColumn("case", lambda t: t.case),
        RegisterColumn("doubt", lambda t: t.doubt, "yesno"),
        RegisterColumn("assignee", fmt="assignee"),
    ),
    verdicts="tenant.verdicts",
    reasons="tenant.reasons",
    section=SECTION,
    approve="tenant.approve",
    decline="tenant.decline",
    statuses="tenant.statuses",
)
