"""The personal registers: "mijn meldingen" (what I asked) and "openstaand" (what waits for me).

Each screen reads the person's own partition: their requests in `requests`, what waits for them
in `inbox`.
"""

from __future__ import annotations

import logging

from bot.domain.amend import add_information, clean_note
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest
from bot.services.approvals import load
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import InboxEntry, RequestSummary, StoredRequest

log = logging.getLogger(__name__)


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
    (plus the read, unless `stored` is given). A write that loses a race (another note, a
    decision, a reminder claim) is re-read and re-applied, so notes added at once are all kept;
    one that landed while its answer was lost is found on the re-read and not added again.
    Raises InvalidNote, DecisionRefused or RequestNotFound."""
    note = clean_note(raw)
    now = services.clock()
    for attempt in range(ATTEMPTS):
        if stored is None:
            stored = await load(services, actor.tenant_id, actor.user_id, rid)
        if any(n.at == now and n.text == note for n in stored.request.notes):
            return stored.request  # this turn's note landed; its answer was lost
        updated = add_information(stored.request, actor.user_id, note, now)
        try:
            return (await services.requests.update(stored, updated)).request
        except (Conflict, AlreadyExists):
            stored = None
            await pause(attempt)
    log.error("note on %s lost %d races in a row", rid, ATTEMPTS)
    raise Conflict(f"could not add the note to {rid}")
