"""Finishing submissions that storage interrupted: no request may stay out of its approver's
inbox ("openstaand") or without its approval card.

A submission writes the request (with its audit trail, one transaction) first, then sends the
approval card, then writes the approver's inbox row. When storage fails after the first write,
the person is told to try again, and their retry completes it (`approvals.complete`). If they
never retry, this job does, once the submission is older than `GRACE` (so it never races a
submission that is still sending).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.services import approvals
from bot.services.approvals import Presenter
from bot.services.context import Services
from bot.storage.errors import StorageError

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=2)


async def complete_stranded(
    services: Services, presenter: Presenter, grace: timedelta = GRACE
) -> int:
    """Complete every pending request older than `grace` that has no inbox row for its
    approver; returns how many it completed. Safe on several instances at once."""
    now = services.clock()
    completed = 0
    for head in await services.requests.pending():
        if now - head.created_at < grace:
            continue
        if await services.requests.inbox_entry(head.tenant_id, head.approver.id, head.id):
            continue
        stored = await services.requests.get(head.tenant_id, head.requester.id, head.id)
        if stored is None:
            continue
        try:
            result = await approvals.complete(services, presenter, stored)
        except StorageError as error:
            log.warning("could not complete %s: %s", head.id, type(error).__name__)
            continue
        if result.completed:
            log.warning("completed stranded submission %s", head.id)
            completed += 1
    return completed


async def settle_unannounced(
    services: Services, presenter: Presenter, grace: timedelta = approvals.SETTLE_GRACE
) -> int:
    """Complete every decision or withdrawal whose side effects are missing: its request is
    decided (or withdrawn) but its approver's inbox row still says pending, because the turn
    that made it stopped before announcing it (storage answered the write, the answer was lost;
    or the instance went down). Returns how many it completed; safe on several instances."""
    completed = 0
    for tenant_id, entry in await services.requests.pending_everywhere():
        stored = await services.requests.get(tenant_id, entry.requester_id, entry.request_id)
        if stored is None or stored.request.pending:
            continue
        try:
            settled = await approvals.settle(services, presenter, stored, grace=grace)
        except StorageError as error:  # this one could not be written: the others still can
            log.warning("could not settle %s: %s", entry.request_id, type(error).__name__)
            continue
        if settled.completed:
            log.warning("completed the announcement of %s", entry.request_id)
            completed += 1
    return completed
