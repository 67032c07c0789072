"""Once-per-deployment data migrations, run by the background jobs.

`index_leak_reporters`: data-leak reports written before the reporter's index rows get one, so
they appear under "mijn meldingen" (same lease pattern).

`copy_to_registers`: requests written before the `register` table existed get their register
copy, so the registers and the yearly overview list them. One instance works at a time (a lease
of thirty minutes); when a run completes, a lease held for good marks the migration done and
later passes cost one point read.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from bot.services.context import Services

log = logging.getLogger(__name__)

REGISTER_COPIES_DONE = "migration|register-copies"
_WORKING = REGISTER_COPIES_DONE + "|working"


async def copy_to_registers(services: Services) -> int:
    """Copies written this pass (0 when done before, or another instance is at it)."""
    leases = services.leases
    if await leases.held_for_good(REGISTER_COPIES_DONE):
        return 0
    holder = uuid.uuid4().hex
    now = services.clock()
    if not await leases.claim(_WORKING, holder, now, ttl=timedelta(minutes=30)):
        return 0
    try:
        written = await services.requests.backfill_registers()
        await leases.claim(REGISTER_COPIES_DONE, holder, now)
        if written:
            log.info("register copies: %d requests written before them copied", written)
        return written
    finally:
        await leases.release(_WORKING, holder)


LEAK_INDEX_DONE = "migration|leak-reporter-index"


async def index_leak_reporters(services: Services) -> int:
    """Index rows written this pass (0 when done before, or another instance is at it)."""
    leases = services.leases
    if await leases.held_for_good(LEAK_INDEX_DONE):
        return 0
    holder = uuid.uuid4().hex
    now = services.clock()
    working = LEAK_INDEX_DONE + "|working"
    if not await leases.claim(working, holder, now, ttl=timedelta(minutes=30)):
        return 0
    try:
        written = await services.breaches.backfill_reporter_index()
        await leases.claim(LEAK_INDEX_DONE, holder, now)
        if written:
            log.info("leak reporter index: %d reports written before it indexed", written)
        return written
    finally:
        await leases.release(working, holder)
