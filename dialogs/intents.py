"""Free text -> what to show: the menu, a flow's form, a guideline, or "I don't know".

The matching itself is pure (`bot.domain.intents`); this module turns the result into cards,
opening flows through the verb registry so a flow answers the same whether typed or clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.extract import extract
from bot.domain.intents import (
    Answer,
    OpenFlow,
    ShowMenu,
    Understanding,
    for_managers,
    understand,
)
from bot.domain.knowledge import knowledge_base
from bot.domain.people import Actor
from bot.services import violations
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import text as locale_text
from dialogs.answers import answer_card, no_match_card
from dialogs.base import Card, CardAction
from dialogs.concern import open_concern
from dialogs.forms import Prefill
from dialogs.kinds import RequestKind
from dialogs.menu import error_card, menu_for
from dialogs.registry import VerbRegistry

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
VERTROUWENSPERSOON = "vertrouwenspersoon"  # the guideline answered with the concern card


@dataclass(frozen=True)
class Reply:
    """The cards for a typed message, and whether the turn must leave no trace at all."""

    cards: list[Card]
    confidential: bool


async def reply_to(actor: Actor, text: str, services: Services, registry: VerbRegistry) -> Reply:
    """Understand `text` and build the one card that answers it."""
    understanding = understand(text, knowledge_base())
    instead = for_managers(text, understanding, knowledge_base())
    if instead is not None and await _has_team(actor, services):
        # "ik wil een overtreding melden" from a manager: their team's violation form, with
        # the meldregeling one tap away (it may be about someone else). Still confidential.
        card = await _dispatch(registry, actor, services, f"{instead}.open")
        _offer_reporting(card, actor.locale)
        return Reply([card], confidential=True)
    card = await card_for(understanding, actor, services, registry, text)
    if (
        isinstance(understanding, Answer)
        and understanding.contact
        and understanding.guideline.id != VERTROUWENSPERSOON  # that card is the contact card
    ):
        # Respect and a safe workplace: the vertrouwenspersoon's contact at once, not a button.
        contact = await open_concern(CardAction(actor, "concern.open", {}, None), services)
        return Reply([card, contact], confidential=True)
    return Reply([card], understanding.confidential)


async def card_for(
    understanding: Understanding,
    actor: Actor,
    services: Services,
    registry: VerbRegistry,
    text: str = "",
) -> Card:
    """The card for an understanding; a flow is opened by dispatching its `.open` verb, with
    what the sentence says filled in (a confidential turn is never read for facts)."""
    if isinstance(understanding, ShowMenu):
        return await menu_for(actor, services)
    if isinstance(understanding, OpenFlow):
        verb = f"{understanding.flow}.open"
        handler = registry.get(verb)
        if handler is None:
            return error_card(actor.locale, "unknown_action")
        data: dict[str, Any] = {}
        if not understanding.confidential:
            data = prefill_for(understanding.flow, text, services).data()
        return await handler(CardAction(actor, verb, data, None), services)
    if isinstance(understanding, Answer):
        guideline = understanding.guideline
        if guideline.id == VERTROUWENSPERSOON:
            # "Waar vind ik de vertrouwenspersoon?": the contact details, not a summary.
            return await _dispatch(registry, actor, services, "concern.open")
        if understanding.confidential or not guideline.flow:
            offer = understanding.confidential and not understanding.contact
            return answer_card(actor.locale, guideline, offer)
        suggested = prefill_for(guideline.flow, text, services)
        kind = services.kinds.get(guideline.flow)
        facts_lines: list[str] = []
        if isinstance(kind, RequestKind) and suggested.values:
            facts_lines = kind.preview(suggested.values, suggested.inferred, actor.locale)
        return answer_card(actor.locale, guideline, flow_data=suggested.data(), for_you=facts_lines)
    return no_match_card(actor.locale)


async def _has_team(actor: Actor, services: Services) -> bool:
    """Whether this person may record a violation (someone on their team); a storage failure
    counts as no, and they get the meldregeling as anyone would."""
    try:
        return await violations.has_team(services, actor)
    except StorageError:
        return False


def _offer_reporting(card: Card, locale: str) -> None:
    """The meldregeling and the vertrouwenspersoon as the other choice, next to "Vastleggen"."""
    actions = card.get("actions")
    if isinstance(actions, list):
        verb = {"type": "Action.Execute", "title": locale_text(locale, "violations.to_concern")}
        actions.insert(min(1, len(actions)), {**verb, "verb": "concern.open"})


async def _dispatch(registry: VerbRegistry, actor: Actor, services: Services, verb: str) -> Card:
    handler = registry.get(verb)
    if handler is None:
        return error_card(actor.locale, "unknown_action")
    return await handler(CardAction(actor, verb, {}, None), services)


def prefill_for(flow: str, text: str, services: Services) -> Prefill:
    """What the sentence fills in on that flow's form (nothing for a flow without a form)."""
    if not text:
        return Prefill()
    today = _today(services)
    kind = services.kinds.get(flow)
    if isinstance(kind, RequestKind):
        return kind.prefill(extract(text, today, future=kind.future_days), text, today)
    if flow == "dataleak":
        from dialogs.dataleak import prefill as leak_prefill

        return leak_prefill(extract(text, today), text, services.clock())
    if flow == "trailer":
        from dialogs.trailer import prefill as trailer_prefill

        return trailer_prefill(text, today)
    return Prefill()


def _today(services: Services) -> date:
    return services.clock().astimezone(AMSTERDAM).date()
