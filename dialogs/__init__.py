"""One module per flow: form card -> validate -> service -> answer card."""

from __future__ import annotations

from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.people import Actor
from bot.services.context import Services
from dialogs import (
    acknowledge,
    borrow,
    breach_dossier,
    breach_register,
    collection,
    concern,
    dataleak,
    decisions,
    gift,
    housing,
    invitation,
    menu,
    mine,
    negotiations,
    overview,
    pending,
    press,
    question,
    raffle,
    registers,
    sidejob,
    social,
    supplier,
    supplier_code,
    tenant,
    trailer,
    violations,
)
from dialogs.base import Card, CardAction
from dialogs.flow import RequestFlow
from dialogs.intents import Reply, reply_to
from dialogs.kinds import RequestKind, request_kinds
from dialogs.registry import VerbRegistry


def product_kinds() -> tuple[RequestKind[Any], ...]:
    """The request kinds of the product, in menu order (one module each)."""
    return (
        gift.KIND,
        invitation.KIND,
        sidejob.KIND,
        supplier.KIND,
        tenant.KIND,
        housing.KIND,
        press.KIND,
        social.KIND,
        borrow.KIND,
    )


def build_registry(kinds: Kinds) -> VerbRegistry:
    """Every card verb the bot answers, registered once at start-up: each request kind's own
    verbs, and the flows every kind shares."""
    registry = VerbRegistry()
    for kind in request_kinds(kinds).values():
        RequestFlow(kind).register(registry)
    concern.register(registry)
    question.register(registry)
    menu.register(registry)
    decisions.register(registry, kinds)
    collection.register(registry)
    dataleak.register(registry)
    breach_register.register(registry)
    breach_dossier.register(registry)
    mine.register(registry)
    pending.register(registry)
    raffle.register(registry)
    acknowledge.register(registry)
    registers.register(registry)
    overview.register(registry)
    negotiations.register(registry)
    trailer.register(registry)
    violations.register(registry)
    supplier_code.register(registry)
    return registry


async def answer_text(actor: Actor, text: str, services: Services, registry: VerbRegistry) -> Reply:
    """What the bot answers to free text: the menu for a greeting, a flow's form when the text
    starts one, a guideline for a question, or an honest "I don't know". `Reply.confidential`
    tells the Teams edge to store nothing for this turn."""
    return await reply_to(actor, text, services, registry)


async def dispatch(registry: VerbRegistry, action: CardAction, services: Services) -> Card:
    """Run the handler for the action's verb; an unknown verb gets a clear error card."""
    handler = registry.get(action.verb)
    if handler is None:
        return menu.error_card(action.actor.locale, "unknown_action")
    return await handler(action, services)
