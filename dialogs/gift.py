"""Declare a gift: form -> the code's verdict -> recorded -> before the manager."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain.gifts import (
    SECTION,
    Gift,
    GiftKind,
    Relation,
    Verdict,
    assess_gift,
)
from bot.domain.money import format_euros
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest
from bot.services.approvals import Submitted
from bot.services.collection import expect_gift
from bot.services.context import Services
from cards import language_of, text
from dialogs.base import Card
from dialogs.flow import Outcome, RequestFlow
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KindView, yes_no

KIND = "gift"
PREFIX = "CAD"

GIVER_NAME = Field("giverName", "text", "gift.giver_name", max_length=120)
GIVER_ORG = Field("giverOrganisation", "text", "gift.giver_organisation", max_length=120)
RELATION = Field("relation", "choice", "gift.relation", "gift.relations", required=True)
NEGOTIATING = Field("negotiating", "toggle", "gift.negotiating")
DESCRIPTION = Field(
    "description",
    "text",
    "gift.description",
    placeholder="gift.description_placeholder",
    max_length=300,
    required=True,
)
GIFT_KIND = Field("kind", "choice", "gift.kind", "gift.kinds", required=True)
EVERYDAY = Field("everyday", "toggle", "gift.everyday")
VALUE = Field(
    "value",
    "text",
    "gift.value",
    placeholder="gift.value_placeholder",
    max_length=30,
    required=True,
)
RECEIVED_ON = Field("receivedOn", "date", "gift.received_on", required=True)
AT_HOME = Field("atHome", "toggle", "gift.at_home")
REMARKS = Field("remarks", "multiline", "gift.remarks", max_length=1000)

FORM = Form(
    title="gift.title",
    intro="gift.intro",
    fields=(
        GIVER_NAME,
        GIVER_ORG,
        RELATION,
        NEGOTIATING,
        DESCRIPTION,
        GIFT_KIND,
        EVERYDAY,
        VALUE,
        RECEIVED_ON,
        AT_HOME,
        REMARKS,
    ),
    submit_verb="gift.submit",
    submit_title="gift.submit",
)


def read_gift(form: Reader, today: date) -> Gift | None:
    """The gift on the form, or None when the reader collected errors."""
    name = form.text(GIVER_NAME)
    organisation = form.text(GIVER_ORG)
    if not name and not organisation and GIVER_NAME.id not in form.errors:
        form.error(GIVER_NAME.id, "giver_required")
    relation = form.choice(RELATION, [r.value for r in Relation])
    negotiating = form.flag(NEGOTIATING)
    description = form.text(DESCRIPTION)
    kind = form.choice(GIFT_KIND, [k.value for k in GiftKind])
    everyday = form.flag(EVERYDAY)
    cents = form.euros(VALUE)
    received = form.day(RECEIVED_ON, today)
    at_home = form.flag(AT_HOME)
    remarks = form.text(REMARKS)
    if form.errors or received is None or cents is None:
        return None
    return Gift(
        giver_name=name,
        giver_organisation=organisation,
        relation=Relation(relation),
        negotiating=negotiating,
        description=description,
        kind=GiftKind(kind),
        everyday=everyday,
        value_cents=cents,
        received_on=received,
        at_home=at_home,
        remarks=remarks,
    )


def _read(form: Reader, today: date) -> Outcome | None:
    gift = read_gift(form, today)
    if gift is None:
        return None
    assessment = assess_gift(gift)
    return Outcome(
        _facts(gift), assessment.verdict.value, tuple(r.value for r in assessment.reasons)
    )


async def _with_earlier_gifts(services: Services, actor: Actor, outcome: Outcome) -> Outcome:
    """Earlier gifts this year from the same giver, for the manager's judgement."""
    facts = outcome.facts
    mine = await services.requests.summaries(actor.tenant_id, actor.user_id)
    giver = _giver_key(str(facts["giverName"]), str(facts["giverOrganisation"]))
    year = str(facts["receivedOn"])[:4]
    lines = []
    for request in mine:
        earlier = request.facts
        if request.kind != KIND or str(earlier.get("receivedOn", ""))[:4] != year:
            continue
        key = _giver_key(
            str(earlier.get("giverName", "")), str(earlier.get("giverOrganisation", ""))
        )
        if key != giver:
            continue
        value = format_euros(int(earlier.get("valueCents", 0)), language_of(actor.locale))
        lines.append(f"{earlier.get('receivedOn')}: {earlier.get('description')} ({value})")
    return replace(outcome, facts={**facts, "earlier": lines[:10]})


async def _collect_if_handed_in(services: Services, result: Submitted, outcome: Outcome) -> None:
    """A gift to hand in goes on the secretariat's collection register."""
    if outcome.verdict == Verdict.HAND_IN.value:
        facts = outcome.facts
        await expect_gift(
            services, result.request, str(facts["description"]), int(facts["valueCents"])
        )


def _giver_key(name: str, organisation: str) -> str:
    return (organisation or name).strip().casefold()


def _facts(gift: Gift) -> dict[str, Any]:
    giver = " / ".join(p for p in (gift.giver_name, gift.giver_organisation) if p)
    return {
        "summary": f"{gift.description} ({giver})",
        "giverName": gift.giver_name,
        "giverOrganisation": gift.giver_organisation,
        "relation": gift.relation.value,
        "negotiating": gift.negotiating,
        "description": gift.description,
        "giftKind": gift.kind.value,
        "everyday": gift.everyday,
        "valueCents": gift.value_cents,
        "receivedOn": gift.received_on.isoformat(),
        "atHome": gift.at_home,
        "remarks": gift.remarks,
    }


def gift_facts(request: ApprovalRequest, locale: str) -> list[dict[str, str]]:
    f = request.facts
    giver = " / ".join(
        p for p in (str(f.get("giverName", "")), str(f.get("giverOrganisation", ""))) if p
    )
    rows = [
        ("gift.facts.giver", giver),
        ("gift.facts.relation", text(locale, f"gift.relations.{f.get('relation', 'other')}")),
        ("gift.facts.negotiating", yes_no(f.get("negotiating"), locale)),
        ("gift.facts.description", str(f.get("description", ""))),
        ("gift.facts.kind", text(locale, f"gift.kinds.{f.get('giftKind', 'other')}")),
        ("gift.facts.everyday", yes_no(f.get("everyday"), locale)),
        ("gift.facts.value", format_euros(int(f.get("valueCents", 0)), language_of(locale))),
        ("gift.facts.received_on", str(f.get("receivedOn", ""))),
        ("gift.facts.at_home", yes_no(f.get("atHome"), locale)),
    ]
    if f.get("remarks"):
        rows.append(("gift.facts.remarks", str(f["remarks"])))
    return [{"title": text(locale, key), "value": value} for key, value in rows]


FLOW = RequestFlow(
    kind=KIND,
    prefix=PREFIX,
    form=FORM,
    read=_read,
    view=KindView(
        title="gift.title",
        facts=gift_facts,
        verdicts="gift.verdicts",
        reasons="gift.reasons",
        section=SECTION,
        history_title="gift.earlier",
    ),
    initial=lambda today: {RECEIVED_ON.id: today.isoformat()},
    enrich=_with_earlier_gifts,
    after=_collect_if_handed_in,
)


def form_card(locale: str, today: date) -> Card:
    return FLOW.blank(locale, today)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
