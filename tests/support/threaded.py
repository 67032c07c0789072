"""Run an aiohttp app on loopback in a thread of its own, with its own event loop.

The Bot Framework SDK and MSAL make blocking `requests` calls from inside the bot's event loop;
a fake identity provider served by that same loop would never answer (deadlock). So fakes that
those libraries call run here, in another thread.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from types import TracebackType

from aiohttp import web
from aiohttp.typedefs import Handler


class ThreadedServer:
    """`with ThreadedServer(app) as server: server.url` — started and stopped with the block."""

    def __init__(self, app: web.Application, ssl_context: ssl.SSLContext | None = None) -> None:
        self._app = app
        self._ssl = ssl_context
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        self._app.middlewares.append(_close_after_response)
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
        # Let the closed keep-alive transports run their close callbacks before the loop stops.
        for _ in range(3):
            await asyncio.sleep(0.01)

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@web.middleware
async def _close_after_response(request: web.Request, handler: Handler) -> web.StreamResponse:
    # No keep-alive: an idle TLS connection would still be open (awaiting the client's
    # close_notify) when the server stops, and leak as an unclosed transport.
    response = await handler(request)
    response.force_close()
    return response
