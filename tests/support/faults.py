"""A loopback Bot Connector that can also hang, and call back when an activity arrives."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.connector import MockConnector

Hook = Callable[[web.Request], Awaitable[None]]


@dataclass
class FaultyConnector(MockConnector):
    """`MockConnector`, plus: `hang_next(n)` leaves the next n requests unanswered (until the
    client gives up or `release()`), and `on_arrival` runs a hook before answering (e.g. stop
    storage exactly while the bot is sending the approval card)."""

    hangs: int = 0
    faults_for: dict[str, deque[int]] = field(default_factory=dict)
    hung: int = 0  # requests that were left hanging
    arrivals: int = 0  # every request, faults and hangs included
    on_arrival: list[tuple[str, Hook]] = field(default_factory=list)
    _released: asyncio.Event | None = None

    def hang_next(self, times: int = 1) -> None:
        self.hangs += times

    def fail_for(self, conversation_id: str, status: int, times: int = 1) -> None:
        """Answer `status` to the next `times` requests for one conversation only."""
        self.faults_for.setdefault(conversation_id, deque()).extend([status] * times)

    def when_sent_to(self, conversation_id: str, hook: Hook) -> None:
        """Run `hook` once, when the next activity for this conversation arrives."""
        self.on_arrival.append((conversation_id, hook))

    def release(self) -> None:
        if self._released is not None:
            self._released.set()

    async def _record(self, request: web.Request, method: str) -> web.Response:
        self.arrivals += 1
        conversation = request.match_info["conversation"]
        for entry in list(self.on_arrival):
            if entry[0] == conversation:
                self.on_arrival.remove(entry)
                await entry[1](request)
        mine = self.faults_for.get(conversation)
        if mine:
            status = mine.popleft()
            return web.json_response(
                {"error": {"code": "Fault", "message": "injected"}}, status=status
            )
        if self.hangs > 0:
            self.hangs -= 1
            self.hung += 1
            if self._released is None:
                self._released = asyncio.Event()
            await self._released.wait()  # the client times out long before
            return web.Response(status=504)  # never recorded as sent: the bot gave up on it
        return await super()._record(request, method)
