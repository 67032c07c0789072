"""The secretariat's register of gifts to hand in: expected, received, raffled (§2: gifts to
Woongroen are collected centrally and raffled among staff)."""

from __future__ import annotations

from bot.domain.collection import CollectionStatus
from bot.domain.money import format_euros
from bot.domain.people import Actor, Role
from bot.services import collection as gift_collection
from bot.services.context import Services
from cards import language_of, render, text
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry
from dialogs.roles import requires

ALLOWED = (Role.SECRETARIAT, Role.INTEGRITY_OFFICER)


async def collection_card(actor: Actor, services: Services) -> Card:
    locale = actor.locale
    entries = await gift_collection.gifts(services, actor.tenant_id)
    order = {
        CollectionStatus.EXPECTED: 0,
        CollectionStatus.RECEIVED: 1,
        CollectionStatus.RAFFLED: 2,
        CollectionStatus.CANCELLED: 3,
    }
    rows = [
        {
            "description": e.description,
            "value": format_euros(e.value_cents, language_of(locale)),
            "who": e.requester_name or "?",
            "reference": e.request_id,
            "status": text(locale, f"gift.collection.statuses.{e.status.value}"),
            "expected": e.status is CollectionStatus.EXPECTED,
        }
        for e in sorted(entries, key=lambda e: (order.get(e.status, 3), e.created_at))
    ]
    can_raffle = any(e.status is CollectionStatus.RECEIVED for e in entries)
    announced = await services.raffles.announced(actor.tenant_id) is not None
    return render(
        "collection",
        locale,
        {
            "entries": rows,
            "canRaffle": can_raffle,
            "announced": announced,
            "raffleButtons": can_raffle or announced,
        },
    )


@requires(ALLOWED, "errors.not_allowed")
async def open_collection(action: CardAction, services: Services) -> Card:
    return await collection_card(action.actor, services)


@requires(ALLOWED, "errors.not_allowed")
async def mark_received(action: CardAction, services: Services) -> Card:
    rid = action.data.get("requestId")
    if isinstance(rid, str) and 0 < len(rid) <= 40:
        await gift_collection.mark_received(services, action.actor, rid)
    return await collection_card(action.actor, services)


def register(registry: VerbRegistry) -> None:
    registry.add("collection.open", open_collection)
    registry.add("collection.received", mark_received)
