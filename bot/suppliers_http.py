"""`/gedragscode/bevestigen/{token}`: a supplier confirms they know the code, without a login.

Mail scanners (Defender Safe Links, previews) fetch a link before the person does, so opening
it (GET, HEAD) changes nothing: it shows a small page, in Dutch or English by the browser's
Accept-Language, with a button and a link to the code's text; the button posts the page's form
to the same address, and that POST records the confirmation (once: a second one says it was
recorded already). An expired or forged link gets a page that says so and whom to ask. The
token is never logged (the access log shows `/gedragscode/bevestigen/…`, see bot.logs).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.exports_http import language
from bot.services.context import Services
from bot.services.supplier_contacts import LinkState, confirm_link, inspect_link
from bot.storage.errors import StorageError
from cards import text

log = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
_STATUS = {
    LinkState.READY: 200,
    LinkState.CONFIRMED: 200,
    LinkState.ALREADY: 200,
    LinkState.EXPIRED: 410,
    LinkState.INVALID: 404,
}


def confirm_handler(
    services: Services,
) -> tuple[
    Callable[[web.Request], Awaitable[web.Response]],
    Callable[[web.Request], Awaitable[web.Response]],
]:
    """(GET/HEAD: the page, POST: the confirmation)."""

    async def page(request: web.Request) -> web.Response:
        lang = language(request.headers.get("Accept-Language", ""))
        try:
            state = await inspect_link(services, request.match_info["token"])
        except StorageError:
            return _page(services, lang, 503, "unavailable")
        return _page(services, lang, _STATUS[state], state.value, button=state is LinkState.READY)

    async def confirm(request: web.Request) -> web.Response:
        lang = language(request.headers.get("Accept-Language", ""))
        try:
            state = await confirm_link(services, request.match_info["token"])
        except StorageError:
            log.warning("supplier confirmation failed: storage unavailable")
            return _page(services, lang, 503, "unavailable")
        return _page(services, lang, _STATUS[state], state.value)

    return page, confirm


def _page(
    services: Services, lang: str, status: int, key: str, button: bool = False
) -> web.Response:
    def t(name: str) -> str:
        return html.escape(text(lang, f"supplier_code.page.{name}"))

    form = (
        f'<form method="post"><button type="submit">{t("button")}</button></form>' if button else ""
    )
    code = html.escape(services.settings.code_url, quote=True)
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{t('title')}</title>"
        "<style>body{font-family:'Segoe UI',sans-serif;max-width:34rem;margin:3rem auto;"
        "padding:0 1rem;line-height:1.5}button{font-size:1.1rem;padding:.6rem 1.4rem;"
        "background:#5b5fc7;color:#fff;border:0;border-radius:4px;cursor:pointer}</style>"
        f"</head><body><h1>{t('title')}</h1><p>{t(key)}</p>{form}"
        f'<p><a href="{code}">{t("read")}</a></p></body></html>'
    )
    return web.Response(
        status=status, text=body, content_type="text/html", charset="utf-8", headers=_HEADERS
    )
