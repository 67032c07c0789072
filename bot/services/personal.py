"""The personal registers: "mijn meldingen" (what I asked) and "openstaand" (what waits for me).

Each screen is one point read: the requester's index row in `requests`, the person's in `inbox`
(`bot.storage.index`).
"""

from __future__ import annotations

from bot.domain.amend import add_information, clean_note
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest
from bot.services.approvals import load
from bot.services.context import Services
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import InboxEntry, RequestSummary, StoredRequest


async def my_requests(services: Services, actor: Actor) -> list[RequestSummary]:
    """Every request of the actor, of every kind, newest first."""
    return await services.requests.summaries(actor.tenant_id, actor.user_id)


async def waiting_for(services: Services, actor: Actor) -> list[InboxEntry]:
    """What waits for the actor's decision (or advice), oldest first."""
    return await services.requests.waiting(actor.tenant_id, actor.user_id)


async def is_approver(services: Services, actor: Actor) -> bool:
    """Has anything ever been put before this person? One row read, for the menu."""
    return await services.requests.ever_asked(actor.tenant_id, actor.user_id)


async def add_note(
    services: Services, actor: Actor, rid: str, raw: object, stored: StoredRequest | None = None
) -> ApprovalRequest:
    """Append the actor's note to their own pending request: one ETag-guarded transaction
    (plus the read, unless `stored` is given); re-read and retried once on a race.
    Raises InvalidNote, DecisionRefused or RequestNotFound."""
    note = clean_note(raw)
    for attempt in range(2):
        if stored is None:
            stored = await load(services, actor.tenant_id, actor.user_id, rid)
        updated = add_information(stored.request, actor.user_id, note, services.clock())
        try:
            return (await services.requests.update(stored, updated)).request
        except (Conflict, AlreadyExists):
            if attempt:
                raise
            stored = None
    raise AssertionError("unreachable")
