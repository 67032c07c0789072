"""A loopback Bot Connector: records what the bot sends, and can answer with faults."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Sent:
    method: str
    conversation_id: str
    activity_id: str | None  # the replied-to or updated activity
    activity: dict[str, Any]
    authorization: str | None = None  # the Authorization header the bot sent

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content: dict[str, Any] = attachment["content"]
                return content
        return None


@dataclass
class MockConnector:
    """Speaks the Bot Connector REST API (v3 conversations) on loopback."""

    sent: list[Sent] = field(default_factory=list)
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _arrived: asyncio.Condition | None = None

    def fail_next(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.faults.append((status, headers or {}))

    def app(self) -> web.Application:
        app = web.Application()
        base = "/v3/conversations/{conversation}/activities"
        app.router.add_post(base, self._post)
        app.router.add_post(base + "/{activity}", self._post)
        app.router.add_put(base + "/{activity}", self._put)
        return app

    async def _record(self, request: web.Request, method: str) -> web.Response:
        if self.faults:
            status, headers = self.faults.popleft()
            return web.json_response(
                {"error": {"code": "Fault", "message": "injected"}}, status=status, headers=headers
            )
        body = await request.json()
        sent = Sent(
            method,
            request.match_info["conversation"],
            request.match_info.get("activity"),
            body,
            request.headers.get("Authorization"),
        )
        self.sent.append(sent)
        if self._arrived is None:
            self._arrived = asyncio.Condition()
        async with self._arrived:
            self._arrived.notify_all()
        new_id = sent.activity_id if method == "PUT" else f"msg-{next(self._ids)}"
        return web.json_response({"id": new_id})

    async def _post(self, request: web.Request) -> web.Response:
        return await self._record(request, "POST")

    async def _put(self, request: web.Request) -> web.Response:
        return await self._record(request, "PUT")

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]

    async def wait_for(self, count: int, seconds: float = 10.0) -> list[Sent]:
        """Wait until at least `count` activities were received in total."""
        if self._arrived is None:
            self._arrived = asyncio.Condition()
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.sent) >= count), seconds)
        return self.sent
