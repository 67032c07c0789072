"""`/exports/{token}`: a register export, downloaded once through a short-lived link.

Mail and chat scanners (Defender Safe Links, link previews) fetch a link before the person
does, so opening it must not use it up: GET (and HEAD) shows a small page, in Dutch or English
by the browser's Accept-Language, with a download button; the button posts the page's form to
the same address, and only that POST uses the ticket. A second POST is refused with a page
that says why. The token is the only credential (see bot.services.exports for the trade-off);
it is never logged (the access log shows `/exports/…`, see bot.logs), and the answer is never
cached.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.services.context import Services
from bot.services.exports import LIFETIME, TicketState, inspect
from bot.storage.errors import StorageError
from cards import text
from dialogs.exports import export_file

log = logging.getLogger(__name__)

_NO_STORE = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token must not leave in a Referer header
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
# HTTP status and text of each refusal.
_REFUSALS = {
    TicketState.UNKNOWN: (404, "unknown"),
    TicketState.USED: (410, "used"),
    TicketState.EXPIRED: (410, "expired"),
}


def language(accept_language: str) -> str:
    """`en` or `nl` (the default): the one of the two the browser prefers most."""
    best, weight = "nl", 0.0
    for order, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower()[:2]
        # Earlier entries win ties, as the header lists preferences in order.
        score = quality - order * 1e-6
        if primary in ("nl", "en") and quality > 0 and score > weight:
            best, weight = primary, score
    return best


def export_handler(
    services: Services,
) -> tuple[
    Callable[[web.Request], Awaitable[web.Response]],
    Callable[[web.Request], Awaitable[web.Response]],
]:
    """(GET/HEAD handler: the page, POST handler: the download)."""

    async def page(request: web.Request) -> web.Response:
        lang = language(request.headers.get("Accept-Language", ""))
        try:
            state = await inspect(services.tickets, request.match_info["token"], services.clock())
        except StorageError:
            return _page(lang, 503, "unavailable")
        if state is not TicketState.VALID:
            status, key = _REFUSALS[state]
            return _page(lang, status, key)
        return _page(lang, 200, "ready", button=True)

    async def download(request: web.Request) -> web.Response:
        lang = language(request.headers.get("Accept-Language", ""))
        try:
            found = await export_file(services, request.match_info["token"])
        except StorageError:
            log.warning("export download failed: storage unavailable")
            return _page(lang, 503, "unavailable")
        if found is None:
            log.info("export download refused: the role is gone")
            return _page(lang, 403, "refused")
        if isinstance(found, TicketState):
            log.info("export download refused: link %s", found.value)
            status, key = _REFUSALS[found]
            return _page(lang, status, key)
        name, content_type, body = found
        headers = {**_NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return web.Response(body=body, headers=headers, content_type=content_type.split(";")[0])

    return page, download


def _page(lang: str, status: int, key: str, button: bool = False) -> web.Response:
    """A small self-contained HTML page; the form posts to the page's own address."""
    minutes = int(LIFETIME.total_seconds() // 60)
    message = text(lang, f"download.{key}", minutes=minutes)
    form = (
        f'<form method="post"><button type="submit">{html.escape(text(lang, "download.button"))}'
        "</button></form>"
        if button
        else ""
    )
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{html.escape(text(lang, 'download.title'))}</title>"
        "<style>body{font-family:'Segoe UI',sans-serif;max-width:34rem;margin:3rem auto;"
        "padding:0 1rem;line-height:1.5}button{font-size:1.1rem;padding:.6rem 1.4rem;"
        "background:#5b5fc7;color:#fff;border:0;border-radius:4px;cursor:pointer}</style>"
        f"</head><body><h1>{html.escape(text(lang, 'download.title'))}</h1>"
        f"<p>{html.escape(message)}</p>{form}</body></html>"
    )
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=_NO_STORE
    )
