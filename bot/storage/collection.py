"""The collection register in Table storage: partition = tenant, row = request id.

The status strings and columns live here only; callers speak `CollectedGift`."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.collection import CollectedGift, CollectionStatus
from bot.domain.requests import ApprovalRequest
from bot.storage.errors import AlreadyExists, Conflict, NotFound
from bot.storage.requests import COLLECTION
from bot.storage.store import Row, TableStore


class Collection(Protocol):
    """The collection register (Azure: `CollectionRepository`; memory: `MemoryCollection`)."""

    async def expect(self, request: ApprovalRequest, description: str, cents: int) -> None: ...
    async def entries(self, tenant_id: str) -> list[CollectedGift]: ...
    async def mark_received(
        self, tenant_id: str, request_id: str, by: str, at: datetime
    ) -> bool: ...
    async def mark_raffled(self, tenant_id: str, request_id: str, raffle_id: str) -> bool: ...
    async def remove(self, tenant_id: str, request_id: str) -> None: ...
    async def cancel(self, tenant_id: str, request_id: str) -> bool: ...
    async def expected_everywhere(self) -> list[tuple[str, CollectedGift]]: ...


class CollectionRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def expect(self, request: ApprovalRequest, description: str, cents: int) -> None:
        """Put a gift on the register as expected; an entry already there (perhaps received or
        raffled since) is left as it is, so repeating this is harmless."""
        try:
            await self._store.insert(
                COLLECTION,
                request.tenant_id,
                request.id,
                {
                    "RequesterId": request.requester.id,
                    "RequesterName": request.requester.name,
                    "Status": CollectionStatus.EXPECTED.value,
                    "Description": description,
                    "ValueCents": cents,
                    "CreatedAt": request.created_at.isoformat(),
                },
            )
        except AlreadyExists:
            return

    async def entries(self, tenant_id: str) -> list[CollectedGift]:
        """Every gift on the tenant's register (one partition)."""
        return [_gift(r) for r in await self._store.query(COLLECTION, tenant_id)]

    async def mark_received(self, tenant_id: str, request_id: str, by: str, at: datetime) -> bool:
        """Expected -> received; False when it was not expected (already received, or unknown)."""
        return await self._move(
            tenant_id,
            request_id,
            CollectionStatus.EXPECTED,
            {
                "Status": CollectionStatus.RECEIVED.value,
                "ReceivedBy": by,
                "ReceivedAt": at.isoformat(),
            },
        )

    async def mark_raffled(self, tenant_id: str, request_id: str, raffle_id: str) -> bool:
        """Received -> raffled; False when it was not received (or it changed meanwhile)."""
        return await self._move(
            tenant_id,
            request_id,
            CollectionStatus.RECEIVED,
            {"Status": CollectionStatus.RAFFLED.value, "RaffleId": raffle_id},
        )

    async def remove(self, tenant_id: str, request_id: str) -> None:
        """Retention removed the request: its entry goes too (a missing one is fine)."""
        await self._store.delete(COLLECTION, tenant_id, request_id)

    async def expected_everywhere(self) -> list[tuple[str, CollectedGift]]:
        """(tenant, gift) for every gift still expected anywhere: for the overdue job only."""
        rows = await self._store.scan(COLLECTION, {"Status": CollectionStatus.EXPECTED.value})
        return [(r.partition, _gift(r)) for r in rows]

    async def cancel(self, tenant_id: str, request_id: str) -> bool:
        """No longer to be handed in: an expected gift is taken off the register; one the
        secretariat already has is marked to go back (never raffled); a raffled one stays.
        True when the gift was with the secretariat (so it may be on an announced raffle)."""
        try:
            row = await self._store.get(COLLECTION, tenant_id, request_id)
        except NotFound:
            return False
        status = row.data.get("Status")
        if status == CollectionStatus.EXPECTED.value:
            try:
                await self._store.delete(COLLECTION, tenant_id, request_id, etag=row.etag)
            except Conflict:
                return await self.cancel(tenant_id, request_id)  # it just arrived: mark it
            return False
        if status == CollectionStatus.CANCELLED.value:
            return True  # a repeat: marked already
        return await self._move(
            tenant_id,
            request_id,
            CollectionStatus.RECEIVED,
            {"Status": CollectionStatus.CANCELLED.value},
        )

    async def _move(
        self, tenant_id: str, request_id: str, expected: CollectionStatus, change: dict[str, str]
    ) -> bool:
        try:
            row = await self._store.get(COLLECTION, tenant_id, request_id)
        except NotFound:
            return False
        if row.data.get("Status") != expected.value:
            return False
        data = {**row.data, **change}
        try:
            await self._store.replace(COLLECTION, tenant_id, request_id, data, row.etag or "")
        except Conflict:
            return False  # someone else moved it first: their change stands
        return True


def _gift(row: Row) -> CollectedGift:
    d = row.data
    return CollectedGift(
        row.row,
        str(d["RequesterId"]),
        str(d.get("RequesterName", "")),
        CollectionStatus(str(d["Status"])),
        str(d.get("Description", "")),
        int(d.get("ValueCents", 0)),
        datetime.fromisoformat(str(d["CreatedAt"])),
        str(d.get("RaffleId", "")),
    )
