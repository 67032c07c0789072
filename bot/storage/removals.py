"""What the retention job removed: only the fact of removal, never the content.

`removals`: partition = tenant, row = `<kind>|<record id>`; `Kind`, `RecordId`, `RemovedAt`,
`Policy` (the retention policy's name) and `RetentionDays` (its period at the time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.store import TableStore

REMOVALS = "removals"
TABLES: tuple[str, ...] = (REMOVALS,)


@dataclass(frozen=True)
class Removal:
    tenant_id: str
    kind: str
    record_id: str
    removed_at: datetime
    policy: str
    retention_days: int


class RemovalLog:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def record(self, removal: Removal) -> None:
        """Idempotent: recording the same removal twice keeps one row."""
        await self._store.upsert(
            REMOVALS,
            removal.tenant_id,
            f"{removal.kind}|{removal.record_id}",
            {
                "Kind": removal.kind,
                "RecordId": removal.record_id,
                "RemovedAt": removal.removed_at.isoformat(),
                "Policy": removal.policy,
                "RetentionDays": removal.retention_days,
            },
        )

    async def for_tenant(self, tenant_id: str) -> list[Removal]:
        return [_removal(tenant_id, r.data) for r in await self._store.query(REMOVALS, tenant_id)]

    async def before(self, cutoff: datetime) -> list[Removal]:
        """Facts of removal older than `cutoff` (a scan: the retention job only)."""
        return [
            removal
            for r in await self._store.scan(REMOVALS, {})
            if (removal := _removal(r.partition, r.data)).removed_at < cutoff
        ]

    async def forget(self, tenant_id: str, kind: str, record_id: str) -> None:
        """The fact of a removal itself goes, after its own period (a missing row is fine)."""
        await self._store.delete(REMOVALS, tenant_id, f"{kind}|{record_id}")


def _removal(tenant_id: str, data: Mapping[str, Any]) -> Removal:
    return Removal(
        tenant_id,
        str(data["Kind"]),
        str(data["RecordId"]),
        datetime.fromisoformat(str(data["RemovedAt"])),
        str(data["Policy"]),
        int(data["RetentionDays"]),
    )
