"""Once-per-deployment data migrations, run by the background jobs.

`index_existing_requests`: requests and inbox rows written before the index rows
(`bot.storage.index`) get their entries, so "mijn meldingen" and "openstaand" list them. One
instance works at a time (a lease of ten minutes); when a run leaves nothing behind, a lease held
for good marks the migration done and later passes cost one point read.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from bot.services.context import Services
from bot.storage.leases import Leases

log = logging.getLogger(__name__)

INDEX_ROWS_DONE = "migration|index-rows"
_WORKING = INDEX_ROWS_DONE + "|working"


async def index_existing_requests(services: Services) -> int:
    """Entries written this pass (0 when done before, or another instance is at it)."""
    leases = Leases(services.store)
    if await leases.held_for_good(INDEX_ROWS_DONE):
        return 0
    holder = uuid.uuid4().hex
    now = services.clock()
    if not await leases.claim(_WORKING, holder, now, ttl=timedelta(minutes=10)):
        return 0
    try:
        written, complete = await services.requests.index_existing()
        if complete:
            await leases.claim(INDEX_ROWS_DONE, holder, now)
        if written:
            log.info("index rows: %d existing entries written (complete: %s)", written, complete)
        return written
    finally:
        await leases.release(_WORKING, holder)
