"""Short-lived download links for register exports, served by the bot at `/exports/{token}`.

The token is 256 random bits, stored in the `exports` table with who asked, for which tenant,
what (`subject`: the breach register, a request register, the yearly overview, with its filters
in `params`), format and year; it works for `LIFETIME` and only once (claimed with an
ETag-guarded write), and the person's role is checked again when the file is fetched. The
trade-off (see docs/data-leaks.md): whoever holds the link in that window can download the file
without signing in, like a pre-signed storage URL; in exchange it opens in any browser, on a
phone too, with no Teams file consent flow.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.storage.breaches import EXPORTS
from bot.storage.errors import Conflict, NotFound
from bot.storage.store import TableStore

LIFETIME = timedelta(minutes=15)
ExportFile = tuple[str, str, bytes]  # what a download serves: file name, content type, content
FORMATS = ("csv", "xlsx")
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


async def create_ticket(
    store: TableStore,
    tenant_id: str,
    user_id: str,
    fmt: str,
    year: int | None,
    locale: str,
    now: datetime,
    subject: str = "breaches",
    params: Mapping[str, str] | None = None,
) -> ExportTicket:
    """A new one-time download ticket (the caller has checked the role)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    token = secrets.token_urlsafe(32)
    ticket = ExportTicket(
        token, tenant_id, user_id, fmt, year, locale, now + LIFETIME, subject, dict(params or {})
    )
    await store.insert(
        EXPORTS,
        token,
        _ROW,
        {
            "TenantId": tenant_id,
            "UserId": user_id,
            "Format": fmt,
            "Year": year or 0,
            "Locale": locale,
            "ExpiresAt": ticket.expires_at.isoformat(),
            "Used": False,
            "Subject": subject,
            "Params": json.dumps(ticket.params, ensure_ascii=False),
        },
    )
    return ticket


async def redeem(store: TableStore, token: str, now: datetime) -> ExportTicket | None:
    """The ticket for `token` if it exists, has not expired and was not used; marks it used."""
    if not token or len(token) > 100 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    try:
        row = await store.get(EXPORTS, token, _ROW)
    except NotFound:
        return None
    data = row.data
    expires = datetime.fromisoformat(str(data["ExpiresAt"]))
    if bool(data.get("Used")) or now > expires:
        return None
    try:
        await store.replace(EXPORTS, token, _ROW, {**data, "Used": True}, row.etag or "")
    except Conflict:
        return None  # fetched twice at once: only the first gets the file
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
