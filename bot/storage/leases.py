"""Leases: one ETag-guarded row per piece of work, so only one instance does it.

`leases`: partition = "lease", row = the work's name (e.g. `retention|2026-11-29`,
`raffle|<tenant>`). A claim is an insert (the first wins); a lease with an end can be taken
over after it ran out, by an ETag-guarded replace, so a crashed holder blocks nobody for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.errors import AlreadyExists, Conflict, NotFound
from bot.storage.store import TableStore

LEASES = "leases"
TABLES: tuple[str, ...] = (LEASES,)
_PARTITION = "lease"


class Leases:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def claim(
        self, name: str, holder: str, now: datetime, ttl: timedelta | None = None
    ) -> bool:
        """True when this holder now has the lease. Without `ttl` it is held for good (work
        done once, e.g. one day's retention run)."""
        until = (now + ttl).isoformat() if ttl is not None else ""
        data = {"Holder": holder, "ClaimedAt": now.isoformat(), "Until": until}
        try:
            await self._store.insert(LEASES, _PARTITION, name, data)
            return True
        except AlreadyExists:
            pass
        try:
            row = await self._store.get(LEASES, _PARTITION, name)
        except NotFound:
            return False  # released just now; the next pass tries again
        ends = str(row.data.get("Until") or "")
        if not ends or datetime.fromisoformat(ends) > now:
            return False
        try:
            await self._store.replace(LEASES, _PARTITION, name, data, row.etag or "")
        except Conflict:
            return False
        return True

    async def held_for_good(self, name: str) -> bool:
        """Whether work claimed without an end (done once for good) has been claimed."""
        try:
            row = await self._store.get(LEASES, _PARTITION, name)
        except NotFound:
            return False
        return not row.data.get("Until")

    async def release(self, name: str, holder: str) -> None:
        """Give a lease with an end back early (only by its holder)."""
        try:
            row = await self._store.get(LEASES, _PARTITION, name)
        except NotFound:
            return
        if row.data.get("Holder") == holder:
            await self._store.delete(LEASES, _PARTITION, name, row.etag)
