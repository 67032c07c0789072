"""Free text -> what to show: the menu, a flow's form, a guideline, or "I don't know".

The matching itself is pure (`bot.domain.intents`); this module turns the result into cards,
opening flows through the verb registry so a flow answers the same whether typed or clicked.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.intents import Answer, OpenFlow, ShowMenu, Understanding, understand
from bot.domain.knowledge import knowledge_base
from bot.domain.people import Actor
from bot.services.context import Services
from dialogs.answers import answer_card, no_match_card
from dialogs.base import Card, CardAction
from dialogs.concern import open_concern
from dialogs.menu import error_card, menu_for
from dialogs.registry import VerbRegistry


@dataclass(frozen=True)
class Reply:
    """The cards for a typed message, and whether the turn must leave no trace at all."""

    cards: list[Card]
    confidential: bool


async def reply_to(actor: Actor, text: str, services: Services, registry: VerbRegistry) -> Reply:
    """Understand `text` and build the one card that answers it."""
    understanding = understand(text, knowledge_base())
    card = await card_for(understanding, actor, services, registry)
    if isinstance(understanding, Answer) and understanding.contact:
        # Respect and a safe workplace: the vertrouwenspersoon's contact at once, not a button.
        contact = await open_concern(CardAction(actor, "concern.open", {}, None), services)
        return Reply([card, contact], confidential=True)
    return Reply([card], understanding.confidential)


async def card_for(
    understanding: Understanding, actor: Actor, services: Services, registry: VerbRegistry
) -> Card:
    """The card for an understanding; a flow is opened by dispatching its `.open` verb."""
    if isinstance(understanding, ShowMenu):
        return await menu_for(actor, services)
    if isinstance(understanding, OpenFlow):
        handler = registry.get(f"{understanding.flow}.open")
        if handler is None:
            return error_card(actor.locale, "unknown_action")
        return await handler(CardAction(actor, f"{understanding.flow}.open", {}, None), services)
    if isinstance(understanding, Answer):
        offer = understanding.confidential and not understanding.contact
        return answer_card(actor.locale, understanding.guideline, offer)
    return no_match_card(actor.locale)
