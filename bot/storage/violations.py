"""The confidential register of violations and measures: partition = tenant, row = id; the
whole record, trail included, in one entity (so every view and the decision are If-Match
writes on it). Nothing of it is copied anywhere else: no register copy, no index, no inbox row.
Callers speak `Violation`; the columns live here only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.violations import Measure, TrailEntry, Violation
from bot.storage.errors import AlreadyExists, Conflict, NotFound
from bot.storage.store import Row, TableStore

VIOLATIONS = "violations"
TABLES: tuple[str, ...] = (VIOLATIONS,)


@dataclass(frozen=True)
class StoredViolation:
    violation: Violation
    etag: str


class Violations(Protocol):
    """Azure: `ViolationRepository`; memory: `bot.storage.memory.MemoryViolations`."""

    async def create(self, violation: Violation) -> StoredViolation:
        """AlreadyExists when the id is taken (a repeated submit)."""
        ...

    async def get(self, tenant_id: str, violation_id: str) -> StoredViolation | None: ...

    async def update(self, stored: StoredViolation, changed: Violation) -> StoredViolation:
        """Only if unchanged since read (Conflict otherwise)."""
        ...

    async def all(self, tenant_id: str) -> list[StoredViolation]:
        """The tenant's register, newest first (one partition)."""
        ...

    async def everywhere(self) -> list[Violation]:
        """Every tenant's cases: for the retention job only (a scan)."""
        ...

    async def remove(self, tenant_id: str, violation_id: str) -> None:
        """Retention: the case goes, trail and all (a missing one is fine)."""
        ...


def _measure(value: object) -> Measure | None:
    return Measure(str(value)) if value else None


def _columns(v: Violation) -> dict[str, Any]:
    return {
        "EmployeeId": v.employee_id,
        "EmployeeName": v.employee_name,
        "ManagerId": v.manager_id,
        "ManagerName": v.manager_name,
        "Rule": v.rule,
        "What": v.what,
        "Proposed": v.proposed.value if v.proposed else "",
        "RecordedAt": v.recorded_at.isoformat(),
        "Decision": v.decision.value if v.decision else "",
        "DecidedBy": v.decided_by,
        "DecidedAt": v.decided_at.isoformat() if v.decided_at else "",
        "Message": v.message,
        "Trail": json.dumps([[e.at.isoformat(), e.by, e.action] for e in v.trail]),
        "AboutDirector": v.about_director,
    }


def _violation(tenant_id: str, row: Row) -> Violation:
    d = row.data
    decided = str(d.get("DecidedAt", ""))
    return Violation(
        tenant_id=tenant_id,
        id=row.row,
        employee_id=str(d["EmployeeId"]),
        employee_name=str(d.get("EmployeeName", "")),
        manager_id=str(d["ManagerId"]),
        manager_name=str(d.get("ManagerName", "")),
        rule=str(d.get("Rule", "")),
        what=str(d.get("What", "")),
        proposed=_measure(d.get("Proposed")),
        recorded_at=datetime.fromisoformat(str(d["RecordedAt"])),
        decision=_measure(d.get("Decision")),
        decided_by=str(d.get("DecidedBy", "")),
        decided_at=datetime.fromisoformat(decided) if decided else None,
        message=str(d.get("Message", "")),
        trail=tuple(
            TrailEntry(datetime.fromisoformat(at), by, action)
            for at, by, action in json.loads(str(d.get("Trail", "[]")))
        ),
        about_director=bool(d.get("AboutDirector", False)),
    )


class ViolationRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def create(self, violation: Violation) -> StoredViolation:
        row = await self._store.insert(
            VIOLATIONS, violation.tenant_id, violation.id, _columns(violation)
        )
        return StoredViolation(violation, row.etag or "")

    async def get(self, tenant_id: str, violation_id: str) -> StoredViolation | None:
        try:
            row = await self._store.get(VIOLATIONS, tenant_id, violation_id)
        except NotFound:
            return None
        return StoredViolation(_violation(tenant_id, row), row.etag or "")

    async def update(self, stored: StoredViolation, changed: Violation) -> StoredViolation:
        try:
            row = await self._store.replace(
                VIOLATIONS, changed.tenant_id, changed.id, _columns(changed), stored.etag
            )
        except NotFound:
            raise Conflict(changed.id) from None
        return StoredViolation(changed, row.etag or "")

    async def all(self, tenant_id: str) -> list[StoredViolation]:
        rows = await self._store.query(VIOLATIONS, tenant_id)
        found = [StoredViolation(_violation(tenant_id, r), r.etag or "") for r in rows]
        return sorted(found, key=lambda s: s.violation.recorded_at, reverse=True)

    async def everywhere(self) -> list[Violation]:
        return [_violation(r.partition, r) for r in await self._store.scan(VIOLATIONS, {})]

    async def remove(self, tenant_id: str, violation_id: str) -> None:
        await self._store.delete(VIOLATIONS, tenant_id, violation_id)


__all__ = ["AlreadyExists", "StoredViolation", "ViolationRepository", "Violations"]
