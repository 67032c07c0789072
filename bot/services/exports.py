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

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.storage.exports import ExportTicket, ExportTickets

LIFETIME = timedelta(minutes=15)
ExportFile = tuple[str, str, bytes]  # what a download serves: file name, content type, content
FORMATS = ("csv", "xlsx")  # registers
DOCUMENTS = ("pdf",)  # one case's documents (the breach dossier, the letter)

__all__ = [
    "DOCUMENTS",
    "FORMATS",
    "LIFETIME",
    "ExportFile",
    "ExportTicket",
    "create_ticket",
    "redeem",
]


async def create_ticket(
    tickets: ExportTickets,
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
    if fmt not in FORMATS + DOCUMENTS:
        raise ValueError(f"unknown export format {fmt!r}")
    token = secrets.token_urlsafe(32)
    ticket = ExportTicket(
        token, tenant_id, user_id, fmt, year, locale, now + LIFETIME, subject, dict(params or {})
    )
    await tickets.add(ticket)
    return ticket


async def redeem(tickets: ExportTickets, token: str, now: datetime) -> ExportTicket | None:
    """The ticket for `token` if it exists, has not expired and was not used; marks it used."""
    if not token or len(token) > 100 or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return await tickets.use(token, now)
