"""Declare a gift: form -> the code's verdict -> recorded -> before the manager."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.gifts import (
    SECTION,
    Gift,
    GiftKind,
    Relation,
    Verdict,
    assess_gift,
)
from bot.domain.money import InvalidAmount, format_euros, parse_euros
from bot.domain.requests import ApprovalRequest
from bot.services.approvals import Draft, submit
from bot.services.approvers import NoApprover
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import language_of, text
from dialogs.base import Card, CardAction
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KINDS, CardPresenter, KindView, request_card, yes_no

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
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRESENTER = CardPresenter()


def read_gift(data: dict[str, Any], locale: str, today: date) -> tuple[Gift | None, Reader]:
    """The gift on the form, or None with the reader's errors."""
    form = Reader(data, locale)
    name = form.text(GIVER_NAME)
    organisation = form.text(GIVER_ORG)
    if not name and not organisation and GIVER_NAME.id not in form.errors:
        form.error(GIVER_NAME.id, "giver_required")
    relation = form.choice(RELATION, [r.value for r in Relation])
    negotiating = form.flag(NEGOTIATING)
    description = form.text(DESCRIPTION)
    kind = form.choice(GIFT_KIND, [k.value for k in GiftKind])
    everyday = form.flag(EVERYDAY)
    cents = 0
    raw_value = form.raw(VALUE)
    try:
        cents = parse_euros(raw_value[:40])
    except InvalidAmount as error:
        form.error(VALUE.id, f"amount_{error.code}")
    received = form.day(RECEIVED_ON, today)
    at_home = form.flag(AT_HOME)
    remarks = form.text(REMARKS)
    if form.errors or received is None:
        return None, form
    gift = Gift(
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
    return gift, form


def form_card(locale: str, today: date) -> Card:
    return FORM.card(locale, uuid.uuid4().hex, {RECEIVED_ON.id: today.isoformat()})


async def open_form(action: CardAction, services: Services) -> Card:
    today = services.clock().astimezone(AMSTERDAM).date()
    return form_card(action.actor.locale, today)


async def submit_gift(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    today = services.clock().astimezone(AMSTERDAM).date()
    raw_form_id = action.data.get("formId")
    form_id = raw_form_id if isinstance(raw_form_id, str) and 0 < len(raw_form_id) <= 64 else ""
    form_id = form_id or uuid.uuid4().hex
    gift, reader = read_gift(dict(action.data), locale, today)
    if gift is None:
        banner = text(locale, "requests.form_has_errors")
        return FORM.card(locale, form_id, reader.values, reader.errors, banner)
    if not action.actor.user_id or not action.actor.tenant_id:
        return FORM.card(locale, form_id, reader.values, {}, text(locale, "requests.no_identity"))
    assessment = assess_gift(gift)
    try:
        earlier = await _earlier_from_same_giver(services, action, gift, locale)
        draft = Draft(
            kind=KIND,
            prefix=PREFIX,
            facts={**_facts(gift), "earlier": earlier},
            verdict=assessment.verdict.value,
            reasons=tuple(r.value for r in assessment.reasons),
            form_id=form_id,
        )
        result = await submit(services, PRESENTER, action.actor, draft)
        if assessment.verdict is Verdict.HAND_IN:
            # Every time, not only when created: a retry after a storage failure must still
            # put the gift on the register (writing it leaves an existing entry as it is).
            await services.requests.expect_collection(
                result.request, gift.description, gift.value_cents
            )
    except NoApprover:
        return FORM.card(locale, form_id, reader.values, {}, text(locale, "requests.no_approver"))
    except StorageError:
        banner = text(locale, "errors.storage_unavailable")
        return FORM.card(locale, form_id, reader.values, {}, banner)
    role = text(locale, f"requests.approver_roles.{result.request.approver_role.value}")
    if not result.created and not result.completed:
        note = text(locale, "requests.receipt_repeat")
    elif not result.delivered:
        note = text(locale, "requests.receipt_undelivered")
    elif result.rerouted:
        note = text(
            locale, "requests.receipt_rerouted", approver=result.request.approver.name, role=role
        )
    else:
        note = text(
            locale, "requests.receipt_delivered", approver=result.request.approver.name, role=role
        )
    return request_card(result.request, locale, action.actor.user_id, note=note)


async def _earlier_from_same_giver(
    services: Services, action: CardAction, gift: Gift, locale: str
) -> list[str]:
    """Earlier gifts this year from the same giver, for the manager's judgement."""
    mine = await services.requests.for_requester(action.actor.tenant_id, action.actor.user_id)
    giver = _giver_key(gift.giver_name, gift.giver_organisation)
    lines = []
    for request in mine:
        facts = request.facts
        if request.kind != KIND or str(facts.get("receivedOn", ""))[:4] != str(
            gift.received_on.year
        ):
            continue
        if (
            _giver_key(str(facts.get("giverName", "")), str(facts.get("giverOrganisation", "")))
            != giver
        ):
            continue
        value = format_euros(int(facts.get("valueCents", 0)), language_of(locale))
        lines.append(f"{facts.get('receivedOn')}: {facts.get('description')} ({value})")
    return lines[:10]


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


def register(registry: VerbRegistry) -> None:
    KINDS[KIND] = KindView(
        title="gift.title",
        facts=gift_facts,
        verdicts="gift.verdicts",
        reasons="gift.reasons",
        section=SECTION,
        history_title="gift.earlier",
    )
    registry.add("gift.open", open_form)
    registry.add("gift.submit", submit_gift)
