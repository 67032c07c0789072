"""One-time download tickets in Table storage: partition = sha256 of the token, row = `ticket`.

The token itself is never stored and never part of a storage request: the Azure SDK logs
request URLs (`exports(PartitionKey='...',RowKey='ticket')`) and Application Insights records
them as dependency calls, so the key is the token's SHA-256 (hex). Whoever reads the table or
the logs cannot turn a key back into a working link.

The columns live here only; callers speak `ExportTicket`."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.storage.breaches import EXPORTS
from bot.storage.errors import Conflict, NotFound
from bot.storage.store import Row, TableStore

_ROW = "ticket"


def ticket_key(token: str) -> str:
    """The partition key of a token's ticket: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TicketState(enum.Enum):
    """What a download link is now."""

    VALID = "valid"
    UNKNOWN = "unknown"  # never made (or removed)
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class ExportTicket:
    token: str  # only in memory (for the link); storage knows its hash
    tenant_id: str
    user_id: str
    format: str
    year: int | None
    locale: str
    expires_at: datetime
    subject: str = "breaches"  # which export: breaches, register, overview
    params: Mapping[str, str] = field(default_factory=dict)  # its filters, e.g. kind


class ExportTickets:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def add(self, ticket: ExportTicket) -> None:
        await self._store.insert(
            EXPORTS,
            ticket_key(ticket.token),
            _ROW,
            {
                "TenantId": ticket.tenant_id,
                "UserId": ticket.user_id,
                "Format": ticket.format,
                "Year": ticket.year or 0,
                "Locale": ticket.locale,
                "ExpiresAt": ticket.expires_at.isoformat(),
                "Used": False,
                "Subject": ticket.subject,
                "Params": json.dumps(dict(ticket.params), ensure_ascii=False),
            },
        )

    async def state(self, token: str, now: datetime) -> TicketState:
        """What the link is now; reads only (a link scanner's GET must not use it up)."""
        row = await self._read(token)
        return TicketState.UNKNOWN if row is None else _state(row.data, now)

    async def use(self, token: str, now: datetime) -> ExportTicket | TicketState:
        """The ticket if it exists, has not expired and was not used, marked used (an
        ETag-guarded write: fetched twice at once, only the first gets it); else why not."""
        row = await self._read(token)
        if row is None:
            return TicketState.UNKNOWN
        data = row.data
        state = _state(data, now)
        if state is not TicketState.VALID:
            return state
        try:
            await self._store.replace(
                EXPORTS, row.partition, _ROW, {**data, "Used": True}, row.etag or ""
            )
        except Conflict:
            return TicketState.USED
        year = int(data.get("Year") or 0)
        return ExportTicket(
            token,
            str(data["TenantId"]),
            str(data["UserId"]),
            str(data["Format"]),
            year or None,
            str(data.get("Locale", "")),
            datetime.fromisoformat(str(data["ExpiresAt"])),
            str(data.get("Subject") or "breaches"),
            {str(k): str(v) for k, v in json.loads(str(data.get("Params") or "{}")).items()},
        )

    async def _read(self, token: str) -> Row | None:
        try:
            return await self._store.get(EXPORTS, ticket_key(token), _ROW)
        except NotFound:
            return None


def _state(data: Mapping[str, Any], now: datetime) -> TicketState:
    if bool(data.get("Used")):
        return TicketState.USED
    if now > datetime.fromisoformat(str(data["ExpiresAt"])):
        return TicketState.EXPIRED
    return TicketState.VALID
