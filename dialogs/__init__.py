"""One module per flow: form card -> validate -> service -> answer card."""

from __future__ import annotations

from bot.domain.people import Actor
from bot.services.context import Services
from dialogs import collection, decisions, gift, menu
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry


def build_registry() -> VerbRegistry:
    """Every card verb the bot answers, registered once at start-up."""
    registry = VerbRegistry()
    built = frozenset({"gift"})
    menu.register(registry, built)
    gift.register(registry)
    decisions.register(registry)
    collection.register(registry)
    return registry


async def answer_text(actor: Actor, text: str, services: Services) -> list[Card]:
    """What the bot answers to free text: the menu, until intents understand more."""
    return [await menu.menu_for(actor, services)]


async def dispatch(registry: VerbRegistry, action: CardAction, services: Services) -> Card:
    """Run the handler for the action's verb; an unknown verb gets a clear error card."""
    handler = registry.get(action.verb)
    if handler is None:
        return menu.error_card(action.actor.locale, "unknown_action")
    return await handler(action, services)
