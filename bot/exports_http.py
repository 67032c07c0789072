"""`GET /exports/{token}`: a register export, fetched once through a short-lived link.

The token is the only credential (see bot.services.exports for the trade-off); nothing about
the token or the file is logged, and the answer is never cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.services.context import Services
from bot.storage.errors import StorageError
from dialogs.exports import export_file

_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def export_handler(services: Services) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def download(request: web.Request) -> web.Response:
        try:
            found = await export_file(services, request.match_info["token"])
        except StorageError:
            return web.Response(status=503, text="storage unavailable", headers=_NO_STORE)
        if found is None:
            return web.Response(status=404, text="link unknown, used or expired", headers=_NO_STORE)
        name, content_type, body = found
        headers = {**_NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return web.Response(body=body, headers=headers, content_type=content_type.split(";")[0])

    return download
