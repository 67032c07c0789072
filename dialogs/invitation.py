"""Submit an invitation (§2 "Uitnodigingen"): decided together with the manager, unless the
inviter is negotiating with Woongroen (ticked, or on procurement's list): then it is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from bot.domain.extract import Facts
from bot.domain.invitations import CHOICES, SECTION, Invitation, filed_on, invitation_rule
from bot.domain.people import Actor
from bot.services.context import Services
from bot.services.negotiations import listed_on, period
from cards import text
from dialogs.forms import Field, Form, Prefill, Reader
from dialogs.kinds import RegisterColumn, RequestKind, Rows, fact_rows
from dialogs.negotiations import listed_line

INVITER = Field("inviter", "text", "invitation.inviter", max_length=160, required=True)
RELATION = Field("relation", "choice", "invitation.relation", "gift.relations", required=True)
KIND_FIELD = Field("kind", "choice", "invitation.kind", "invitation.kinds", required=True)
DESCRIPTION = Field(
    "description",
    "text",
    "invitation.description",
    placeholder="invitation.description_placeholder",
    max_length=300,
    required=True,
)
EVENT_DATE = Field("eventDate", "date", "invitation.event_date", required=True)
VALUE = Field(
    "value", "text", "invitation.value", placeholder="gift.value_placeholder", max_length=30
)
NEGOTIATING = Field("negotiating", "yesno", "invitation.negotiating", required=True)
ADDED_VALUE = Field(
    "addedValue", "multiline", "invitation.added_value", max_length=1000, required=True
)

FORM = Form(
    title="invitation.title",
    intro="invitation.intro",
    fields=(
        INVITER,
        RELATION,
        KIND_FIELD,
        DESCRIPTION,
        EVENT_DATE,
        VALUE,
        NEGOTIATING,
        ADDED_VALUE,
    ),
    submit_verb="invitation.submit",
    submit_title="invitation.submit",
)


def read(form: Reader, today: date) -> Invitation | None:
    inviter = form.text(INVITER)
    relation = form.choice(RELATION, ["supplier", "tenant", "business", "other"])
    kind = form.choice(KIND_FIELD, ["dinner", "excursion", "event", "other"])
    description = form.text(DESCRIPTION)
    when = form.day(EVENT_DATE, today, allow_future=True)
    cents = form.euros(VALUE)
    negotiating = form.answer(NEGOTIATING)
    added_value = form.text(ADDED_VALUE)
    if form.errors or when is None:
        return None
    return Invitation(
        inviter=inviter,
        relation=relation,
        kind=kind,
        description=description,
        event_date=when,
        value_cents=cents,
        negotiating=negotiating,
        added_value=added_value,
    )


def prefill(facts: Facts, sentence: str, today: date) -> Prefill:
    """Who invites, to what and when, from a typed sentence (never "negotiating")."""
    values: dict[str, str] = {}
    inviter = facts.organisation or facts.person
    if inviter:
        values[INVITER.id] = inviter
    if facts.relation:
        values[RELATION.id] = facts.relation
    if facts.event_kind:
        values[KIND_FIELD.id] = facts.event_kind
    if facts.event or facts.what:
        values[DESCRIPTION.id] = facts.event or facts.what
    if facts.day is not None and facts.day >= today:
        values[EVENT_DATE.id] = facts.day.isoformat()
    if facts.amount_cents is not None:
        whole, rest = divmod(facts.amount_cents, 100)
        values[VALUE.id] = f"{whole},{rest:02d}" if rest else str(whole)
    return Prefill(values, (RELATION.id,) if facts.relation else ())


def preview(values: Mapping[str, str], inferred: tuple[str, ...], locale: str) -> list[str]:
    if values.get(NEGOTIATING.id) == "true":
        return [text(locale, "invitation.verdicts.refuse")]
    return [text(locale, "invitation.preview")]


async def _with_list(services: Services, actor: Actor, invitation: Invitation) -> Invitation:
    """Whether procurement's list has the inviter in negotiation on the day of the event: set
    by the bot, beside what the employee ticked."""
    day = invitation.event_date
    party = await listed_on(services, actor.tenant_id, invitation.inviter, day) if day else None
    if party is None:
        return replace(invitation, listed_party="", listed_period="")
    return replace(invitation, listed_party=party.name, listed_period=period(party))


_ROWS = fact_rows(
    Invitation,
    (
        ("invitation.facts.inviter", lambda i: i.inviter, "name"),
        ("invitation.facts.relation", lambda i: i.relation, "choice:gift.relations"),
        ("invitation.facts.kind", lambda i: i.kind, "choice:invitation.kinds"),
        ("invitation.facts.description", lambda i: i.description, "text"),
        ("invitation.facts.event_date", lambda i: i.event_date, "date"),
        ("invitation.facts.value", lambda i: i.value_cents, "euros"),
        ("invitation.facts.negotiating", lambda i: i.negotiating, "yesno"),
        ("invitation.facts.added_value", lambda i: i.added_value, "text"),
    ),
)


def invitation_rows(invitation: Invitation, locale: str) -> Rows:
    """The facts, and (when the bot found it) the line that the list has the inviter."""
    rows = _ROWS(invitation, locale)
    if invitation.listed_party:
        shown = listed_line(invitation.listed_party, invitation.listed_period, locale)
        label = text(locale, "invitation.facts.negotiating")
        at = next((n + 1 for n, r in enumerate(rows) if r["title"] == label), len(rows))
        rows.insert(at, {"title": text(locale, "gift.facts.negotiating_listed"), "value": shown})
    return rows


KIND = RequestKind(
    name="invitation",
    prefix="UIT",
    facts_type=Invitation,
    from_record=Invitation.from_record,
    rule=invitation_rule,
    filed_on=filed_on,
    value_cents=lambda invitation: invitation.value_cents,
    valued=True,
    register_amount=lambda invitation: invitation.value_cents,
    form=FORM,
    read=read,
    card_rows=invitation_rows,
    columns=(
        RegisterColumn("inviter", lambda i: i.inviter),
        RegisterColumn("relation", lambda i: i.relation, "choice:gift.relations"),
        RegisterColumn("invitation_kind", lambda i: i.kind, "choice:invitation.kinds"),
        RegisterColumn("description", lambda i: i.description),
        RegisterColumn("value", lambda i: i.value_cents, "euros"),
        RegisterColumn("negotiating", lambda i: i.negotiating, "yesno"),
        RegisterColumn("negotiating_listed", lambda i: i.negotiating_listed, "yesno"),
        RegisterColumn("added_value", lambda i: i.added_value),
    ),
    verdicts="invitation.verdicts",
    reasons="invitation.reasons",
    section=SECTION,
    approve="invitation.approve",
    decline="invitation.decline",
    statuses="invitation.statuses",
    choices=CHOICES,
    enrich=_with_list,
    prefill=prefill,
    preview=preview,
    future_days=True,
)
