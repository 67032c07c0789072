"""A fast loopback Bot Connector for the benchmarks: `python -m bench.connector --port P`.

Answers the v3 conversations API (send, reply, update) with as little work as possible. With
`--teams-limits` it enforces Teams' limits like the real service: at most 50 requests in any
one-second window per app and 7 per conversation, answering 429 with `Retry-After` beyond that.
`GET /_stats` tells what arrived; `POST /_reset` clears it.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import deque

from aiohttp import web

APP_LIMIT = 50
CONVERSATION_LIMIT = 7
WINDOW = 1.0


class Connector:
    def __init__(self, teams_limits: bool) -> None:
        self.teams_limits = teams_limits
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        self.activities = 0
        self.throttled = 0
        self.last_status: dict[str, int] = {}
        self._app_window: deque[float] = deque()
        self._conversation_windows: dict[str, deque[float]] = {}

    def _over_limit(self, conversation: str, now: float) -> bool:
        app = self._app_window
        while app and app[0] <= now - WINDOW:
            app.popleft()
        talk = self._conversation_windows.setdefault(conversation, deque())
        while talk and talk[0] <= now - WINDOW:
            talk.popleft()
        if len(app) >= APP_LIMIT or len(talk) >= CONVERSATION_LIMIT:
            return True
        app.append(now)
        talk.append(now)
        return False

    async def activity(self, request: web.Request) -> web.Response:
        await request.read()
        conversation = request.match_info["conversation"]
        now = time.monotonic()
        if self.teams_limits and self._over_limit(conversation, now):
            self.throttled += 1
            self.last_status[conversation] = 429
            return web.json_response(
                {"error": {"code": "TooManyRequests", "message": "slow down"}},
                status=429,
                headers={"Retry-After": "1"},
            )
        self.activities += 1
        self.last_status[conversation] = 200
        return web.json_response(
            {"id": request.match_info.get("activity") or f"m{next(self._ids)}"}
        )

    async def stats(self, request: web.Request) -> web.Response:
        statuses = list(self.last_status.values())
        return web.json_response(
            {
                "activities": self.activities,
                "throttled": self.throttled,
                "conversations_delivered": statuses.count(200),
                # a conversation whose last answer was a 429 never got its message
                "unretried_429": statuses.count(429),
            }
        )

    async def clear(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({})


def make_app(teams_limits: bool = False) -> web.Application:
    connector = Connector(teams_limits)
    app = web.Application()
    base = "/v3/conversations/{conversation}/activities"
    app.router.add_post(base, connector.activity)
    app.router.add_post(base + "/{activity}", connector.activity)
    app.router.add_put(base + "/{activity}", connector.activity)
    app.router.add_get("/_stats", connector.stats)
    app.router.add_post("/_reset", connector.clear)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--teams-limits", action="store_true")
    args = parser.parse_args()
    web.run_app(
        make_app(args.teams_limits), host="127.0.0.1", port=args.port, print=None, access_log=None
    )


if __name__ == "__main__":
    main()
