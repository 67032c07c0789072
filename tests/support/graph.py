"""A loopback Microsoft Graph answering `GET /v1.0/users/{id}/manager` like the real one.

Requests must carry an app token issued by the fake Entra ID for Graph (signature, audience and
expiry are checked). Faults (429 with Retry-After, 503 ...) can be queued.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web

from tests.support.entra import FakeEntra

GRAPH_AUDIENCE = "https://graph.microsoft.com"


@dataclass
class FakeGraph:
    entra: FakeEntra
    managers: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> manager
    faults: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    requests: list[str] = field(default_factory=list)  # "$select" of every accepted request

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.append((status, headers or {}))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1.0/users/{user}/manager", self._manager)
        return app

    async def _manager(self, request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme != "Bearer":
                raise jwt.InvalidTokenError("no bearer token")
            jwt.decode(
                token, self.entra.key.public_key(), algorithms=["RS256"], audience=GRAPH_AUDIENCE
            )
        except jwt.InvalidTokenError:
            return _error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        self.requests.append(request.query.get("$select", ""))
        if self.faults:
            status, headers = self.faults.popleft()
            return _error(status, "TooManyRequests" if status == 429 else "ServiceUnavailable",
                          "injected", headers)  # fmt: skip
        manager = self.managers.get(request.match_info["user"])
        if manager is None:
            return _error(
                404,
                "Request_ResourceNotFound",
                "Resource 'manager' does not exist or one of its queried reference-property "
                "objects are not present.",
            )
        fields = request.query.get("$select", "").split(",")
        body = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects/$entity",
            "@odata.type": "#microsoft.graph.user",
            **{k: v for k, v in manager.items() if k in fields},
        }
        return web.json_response(body)


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": "2026-11-29T10:00:00",
                "request-id": "r",
                "client-request-id": "c",
            },
        }
    }
    return web.json_response(body, status=status, headers=headers)
