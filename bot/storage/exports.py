"""One-time download tickets in Table storage: partition = the token, row = `ticket`.

The columns live here only; callers speak `ExportTicket`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.storage.breaches import EXPORTS
from bot.storage.errors import Conflict, NotFound
from bot.storage.store import TableStore

_ROW = "ticket"


@dataclass(frozen=True)
class ExportTicket:
    token: str
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
            ticket.token,
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

    async def use(self, token: str, now: datetime) -> ExportTicket | None:
        """The ticket if it exists, has not expired and was not used; marks it used (an
        ETag-guarded write: fetched twice at once, only the first gets it)."""
        try:
            row = await self._store.get(EXPORTS, token, _ROW)
        except NotFound:
            return None
        data = row.data
        expires = datetime.fromisoformat(str(data["ExpiresAt"]))
        if bool(data.get("Used")) or now > expires:
            return None
        try:
            await self._store.replace(EXPORTS, token, _ROW, {**data, "Used": True}, row.etag or "")
        except Conflict:
            return None
        year = int(data.get("Year") or 0)
        return ExportTicket(
            token,
            str(data["TenantId"]),
            str(data["UserId"]),
            str(data["Format"]),
            year or None,
            str(data.get("Locale", "")),
            expires,
            str(data.get("Subject") or "breaches"),
            {str(k): str(v) for k, v in json.loads(str(data.get("Params") or "{}")).items()},
        )
