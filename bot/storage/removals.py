"""What the retention job removed: only the fact of removal, never the content.

`removals`: partition = tenant, row = `<kind>|<record id>`; `Kind`, `RecordId`, `RemovedAt`,
`Policy` (the retention policy's name) and `RetentionDays` (its period at the time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
        return [
            Removal(
                tenant_id,
                str(r.data["Kind"]),
                str(r.data["RecordId"]),
                datetime.fromisoformat(str(r.data["RemovedAt"])),
                str(r.data["Policy"]),
                int(r.data["RetentionDays"]),
            )
            for r in await self._store.query(REMOVALS, tenant_id)
        ]
