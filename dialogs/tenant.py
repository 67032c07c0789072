"""Declare a tenant you know personally (§2 "Huurders"): the manager decides whether you carry
on with the case or a colleague takes it over."""

from __future__ import annotations

from datetime import date

from bot.domain.tenants import SECTION, TenantTie, tenant_rule
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

TENANT = Field("tenant", "text", "tenant.tenant", max_length=160, required=True)
TIE = Field("tie", "choice", "tenant.tie", "tenant.ties", required=True)
CASE = Field("case", "multiline", "tenant.case", max_length=1000, required=True)
DOUBT = Field("doubt", "yesno", "tenant.doubt", required=True)

FORM = Form(
    title="tenant.title",
    intro="tenant.intro",
    fields=(TENANT, TIE, CASE, DOUBT),
    submit_verb="tenant.submit",
    submit_title="tenant.submit",
)


def read(form: Reader, today: date) -> TenantTie | None:
    tenant = form.text(TENANT)
    tie = form.choice(TIE, ["friend", "relative", "acquaintance", "other"])
    case = form.text(CASE)
    doubt = form.answer(DOUBT)
    if form.errors:
        return None
    return TenantTie(tenant=tenant, tie=tie, case=case, doubt=doubt)


KIND = RequestKind(
    name="tenant",
    prefix="HUU",
    facts_type=TenantTie,
    from_record=TenantTie.from_record,
    rule=tenant_rule,
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
    ),
    verdicts="tenant.verdicts",
    reasons="tenant.reasons",
    section=SECTION,
    approve="tenant.approve",
    decline="tenant.decline",
    statuses="tenant.statuses",
)
