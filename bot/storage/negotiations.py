"""The list of parties in negotiation, in Table storage: partition = tenant, row = the party's
match key (bot.domain.negotiations.match_key).

Keyed by the match key, a gift's check is one point read (`find`), whatever the length of the
list; the screen reads the tenant's one partition. The columns live here only; callers speak
`Party`. Azure: `NegotiationRepository`; memory: `bot.storage.memory.MemoryNegotiations`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from bot.cache import TtlCache
from bot.domain.negotiations import Party
from bot.storage.errors import Conflict, NotFound
from bot.storage.store import Row, TableStore, Write

NEGOTIATIONS = "negotiations"
TABLES: tuple[str, ...] = (NEGOTIATIONS,)
BATCH = 100  # rows per entity-group transaction


class Negotiations(Protocol):
    """The list of parties in negotiation, per tenant."""

    async def parties(self, tenant_id: str) -> list[Party]: ...
    async def find(self, tenant_id: str, key: str) -> Party | None: ...
    async def add(self, party: Party) -> None:
        """Put a new party on the list; AlreadyExists when its match key is listed."""
        ...

    async def put_all(self, parties: Sequence[Party]) -> None:
        """Write parties as given (new or replacing the listed one with that key): an import.
        All of one batch of 100 or none of it; repeating it is harmless."""
        ...

    async def set_end(
        self, tenant_id: str, key: str, end: date, by: str, at: datetime
    ) -> Party | None:
        """Change a listed party's end date (None: not on the list)."""
        ...

    async def remove(self, tenant_id: str, key: str) -> None:
        """Take a party off the list (a missing one is fine)."""
        ...


# How long a looked-up party (or its absence) may be reused: the list changes a few times a
# year, and this instance's own changes drop what it remembers at once.
FIND_SECONDS = 60.0


class CachedNegotiations:
    """`Negotiations` whose `find` remembers its answers (a party, or that there is none) for
    `seconds`: a gift's check costs no storage request while the giver was looked up in the
    last minute. Every change through this object forgets the tenant's answers; a change made
    on another instance shows here after at most `seconds`."""

    def __init__(self, inner: Negotiations, seconds: float = FIND_SECONDS) -> None:
        self._inner = inner
        self._found: TtlCache[tuple[str, str], Party | None] = TtlCache(seconds, size=4096)

    def _forget(self, tenant_id: str) -> None:
        for key in [k for k in list(self._found.keys()) if k[0] == tenant_id]:
            self._found.drop(key)

    async def parties(self, tenant_id: str) -> list[Party]:
        return await self._inner.parties(tenant_id)

    async def find(self, tenant_id: str, key: str) -> Party | None:
        if (tenant_id, key) in self._found:
            return self._found[(tenant_id, key)]
        party = await self._inner.find(tenant_id, key)
        self._found.put((tenant_id, key), party)
        return party

    async def add(self, party: Party) -> None:
        try:
            await self._inner.add(party)
        finally:
            self._forget(party.tenant_id)

    async def put_all(self, parties: Sequence[Party]) -> None:
        try:
            await self._inner.put_all(parties)
        finally:
            for tenant_id in {p.tenant_id for p in parties}:
                self._forget(tenant_id)

    async def set_end(
        self, tenant_id: str, key: str, end: date, by: str, at: datetime
    ) -> Party | None:
        try:
            return await self._inner.set_end(tenant_id, key, end, by, at)
        finally:
            self._forget(tenant_id)

    async def remove(self, tenant_id: str, key: str) -> None:
        try:
            await self._inner.remove(tenant_id, key)
        finally:
            self._forget(tenant_id)


class NegotiationRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def parties(self, tenant_id: str) -> list[Party]:
        rows = await self._store.query(NEGOTIATIONS, tenant_id)
        return sorted((_party(tenant_id, r) for r in rows), key=lambda p: p.key)

    async def find(self, tenant_id: str, key: str) -> Party | None:
        if not key:
            return None
        try:
            row = await self._store.get(NEGOTIATIONS, tenant_id, key)
        except NotFound:
            return None
        return _party(tenant_id, row)

    async def add(self, party: Party) -> None:
        await self._store.insert(NEGOTIATIONS, party.tenant_id, party.key, _columns(party))

    async def put_all(self, parties: Sequence[Party]) -> None:
        by_tenant: dict[str, list[Party]] = {}
        for party in parties:
            by_tenant.setdefault(party.tenant_id, []).append(party)
        for tenant_id, listed in by_tenant.items():
            unique = list({p.key: p for p in listed}.values())
            for start in range(0, len(unique), BATCH):
                writes = [
                    Write("upsert", p.key, _columns(p)) for p in unique[start : start + BATCH]
                ]
                await self._store.transact(NEGOTIATIONS, tenant_id, writes)

    async def set_end(
        self, tenant_id: str, key: str, end: date, by: str, at: datetime
    ) -> Party | None:
        for _ in range(3):
            try:
                row = await self._store.get(NEGOTIATIONS, tenant_id, key)
            except NotFound:
                return None
            data = {**row.data, "End": end.isoformat(), "AddedBy": by, "ChangedAt": at.isoformat()}
            try:
                written = await self._store.replace(
                    NEGOTIATIONS, tenant_id, key, data, row.etag or ""
                )
            except NotFound:
                return None
            except Conflict:
                continue  # changed meanwhile: apply the new end date to what it is now
            return _party(tenant_id, written)
        raise Conflict(f"could not change the end date of {key}")

    async def remove(self, tenant_id: str, key: str) -> None:
        await self._store.delete(NEGOTIATIONS, tenant_id, key)


def _columns(party: Party) -> dict[str, Any]:
    return {
        "Name": party.name,
        "Kvk": party.kvk,
        "Start": party.start.isoformat(),
        "End": party.end.isoformat(),
        "AddedBy": party.added_by,
        "ChangedAt": party.changed_at.isoformat() if party.changed_at else "",
    }


def _party(tenant_id: str, row: Row) -> Party:
    d = row.data
    changed = str(d.get("ChangedAt") or "")
    return Party(
        tenant_id=tenant_id,
        name=str(d.get("Name", "")),
        start=date.fromisoformat(str(d["Start"])),
        end=date.fromisoformat(str(d["End"])),
        kvk=str(d.get("Kvk", "")),
        added_by=str(d.get("AddedBy", "")),
        changed_at=datetime.fromisoformat(changed) if changed else None,
    )
