"""Short-lived download links for register exports, served by the bot at `/exports/{token}`.

The token is 256 random bits; the `exports` table holds, under the token's SHA-256 (the token
itself never reaches storage, its logs or telemetry), who asked, for which tenant, what
(`subject`: the breach register, a request register, the yearly overview, with its filters in
`params`), format and year. Opening the link (GET, HEAD) only shows a page with a download
button, so a mail or chat link scanner that fetches it first does not use it up; the download
is a POST of that page's form, which works for `LIFETIME` and only once (claimed with an
ETag-guarded write), and the person's role is checked again when the file is fetched. The
trade-off (see docs/data-leaks.md): whoever holds the link in that window can download the file
without signing in, like a pre-signed storage URL; in exchange it opens in any browser, on a
phone too, with no Teams file consent flow.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.storage.exports import ExportTicket, ExportTickets, TicketState

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
    "TicketState",
    "create_ticket",
    "inspect",
    "link",
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


def link(public_url: str, ticket: ExportTicket) -> str:
    """The address the ticket is downloaded from (`/exports/{token}`, served by bot.exports_http):
    a page first, the file on its button."""
    return f"{public_url}/exports/{ticket.token}"


def _well_formed(token: str) -> bool:
    return bool(token) and len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum()


async def inspect(tickets: ExportTickets, token: str, now: datetime) -> TicketState:
    """What the link for `token` is now, without using it."""
    if not _well_formed(token):
        return TicketState.UNKNOWN
    return await tickets.state(token, now)


async def redeem(tickets: ExportTickets, token: str, now: datetime) -> ExportTicket | TicketState:
    """The ticket for `token` if it exists, has not expired and was not used, marked used;
    else why not."""
    if not _well_formed(token):
        return TicketState.UNKNOWN
    return await tickets.use(token, now)
