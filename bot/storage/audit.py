"""Audit trail rows: the same columns for every record that keeps an append-only trail."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.domain.requests import AuditEntry
from bot.storage.store import Row


def audit_columns(entry: AuditEntry) -> dict[str, Any]:
    return {
        "At": entry.at.isoformat(),
        "ActorId": entry.actor_id,
        "Action": entry.action,
        "Detail": entry.detail,
    }


def audit_entries(rows: Iterable[Row]) -> tuple[AuditEntry, ...]:
    """The trail in the order it was written (row keys end in a zero-padded sequence)."""
    return tuple(
        AuditEntry(
            datetime.fromisoformat(str(r.data["At"])),
            str(r.data["ActorId"]),
            str(r.data["Action"]),
            str(r.data.get("Detail", "")),
        )
        for r in sorted(rows, key=lambda r: r.row)
    )


def trail_json(entries: Iterable[AuditEntry]) -> str:
    """A trail kept inside its record: one JSON list, oldest first."""
    return json.dumps(
        [[e.at.isoformat(), e.actor_id, e.action, e.detail] for e in entries],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def trail_entries(text: str) -> tuple[AuditEntry, ...]:
    """The trail `trail_json` wrote."""
    return tuple(
        AuditEntry(datetime.fromisoformat(at), str(actor), str(action), str(detail))
        for at, actor, action, detail in json.loads(text or "[]")
    )
