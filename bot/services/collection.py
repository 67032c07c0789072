"""The secretariat's collection register: gifts to hand in are expected, received, raffled."""

from __future__ import annotations

from bot.domain.collection import CollectedGift
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest
from bot.services.context import Services
from bot.services.steps import step_done


async def expect_gift(
    services: Services, request: ApprovalRequest, description: str, cents: int
) -> None:
    """A gift whose verdict is "hand in" is expected (idempotent: a repeat changes nothing)."""
    await services.collection.expect(request, description, cents)


async def gifts(services: Services, tenant_id: str) -> list[CollectedGift]:
    return await services.collection.entries(tenant_id)


async def mark_received(services: Services, actor: Actor, request_id: str) -> bool:
    """The secretariat has the gift (the caller has checked the role); the employee's request
    records the step as done, so every copy of its card says so."""
    entry = next(
        (
            e
            for e in await services.collection.entries(actor.tenant_id)
            if e.request_id == request_id
        ),
        None,
    )
    moved = await services.collection.mark_received(
        actor.tenant_id, request_id, actor.user_id, services.clock()
    )
    if moved and entry is not None:
        await step_done(services, actor.tenant_id, entry.requester_id, request_id, actor.user_id)
    return moved
