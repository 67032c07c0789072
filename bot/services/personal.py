"""The personal registers: "mijn meldingen" (what I asked) and "openstaand" (what waits for me).

Each screen reads one partition: the requester's in `requests`, the approver's in `inbox`.
"""

from __future__ import annotations

from bot.domain.amend import add_information, clean_note
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest, Status
from bot.services.approvals import load
from bot.services.context import Services
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import INBOX, InboxEntry, StoredRequest


async def my_requests(services: Services, actor: Actor) -> list[ApprovalRequest]:
    """Every request of the actor, of every kind, newest first."""
    return await services.requests.for_requester(actor.tenant_id, actor.user_id)


async def waiting_for(services: Services, actor: Actor) -> list[InboxEntry]:
    """What waits for the actor's decision, oldest first (decided rows stay in the inbox)."""
    entries = await services.requests.inbox(actor.tenant_id, actor.user_id)
    return [e for e in entries if e.status is Status.PENDING]


async def is_approver(services: Services, actor: Actor) -> bool:
    """Has anything ever been put before this person? One row read, for the menu."""
    rows = await services.store.query(INBOX, f"{actor.tenant_id}|{actor.user_id}", limit=1)
    return bool(rows)


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
