"""A loopback Bot Connector that records every request as it arrived (method, raw path,
headers, JSON body) and answers with an id, or with the statuses queued in `statuses`: for
comparing what two ways of sending put on the wire."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Capture:
    seen: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.seen.append((request.method, request.raw_path, dict(request.headers), body))
        status = self.statuses.pop(0) if self.statuses else 200
        return web.json_response({"id": f"m{len(self.seen)}"}, status=status)


async def capture_server(
    aiohttp_server: Callable[..., Awaitable[TestServer]], base: str
) -> tuple[Capture, str]:
    """A `Capture` on every path, and its service URL ending in `base` (e.g. "/teams/")."""
    cap = Capture()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", cap.handle)
    server = await aiohttp_server(app)
    return cap, str(server.make_url(base))
