"""A loopback Microsoft Graph answering `GET /v1.0/users/{id}/manager` and
`POST /v1.0/users/{id}/teamwork/sendActivityNotification` like the real one.

Requests must carry an app token issued by the fake Entra ID for Graph (signature, audience and
expiry are checked). Faults (429 with Retry-After, 503 ...) can be queued. Activity-feed
notifications are checked as Graph does (an activity type the app declared, a topic with a
webUrl for `text`, a preview text) and recorded in `notifications`; `feed_refusal` = 403 (no
TeamsActivity.Send consent) or 404 (the app is not installed for the user) refuses them all.
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
    # Activity feed: the types the app's manifest declares (None: any), the accepted
    # notifications (user id, body), the status refusing every one (403/404), and every attempt.
    activity_types: set[str] | None = None
    notifications: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    feed_refusal: int | None = None
    feed_attempts: int = 0

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.append((status, headers or {}))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1.0/users/{user}/manager", self._manager)
        app.router.add_post(
            "/v1.0/users/{user}/teamwork/sendActivityNotification", self._activity_notification
        )
        return app

    async def _activity_notification(self, request: web.Request) -> web.Response:
        if not _app_token(self.entra, request):
            return _error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        self.feed_attempts += 1
        if self.faults:
            status, headers = self.faults.popleft()
            return _error(status, "TooManyRequests" if status == 429 else "ServiceUnavailable",
                          "injected", headers)  # fmt: skip
        if self.feed_refusal == 403:
            return _error(403, "Forbidden", "Missing role permissions on the request.")
        if self.feed_refusal == 404:
            return _error(404, "NotFound", "The Teams app is not installed for this user.")
        body = await request.json()
        topic = body.get("topic") or {}
        preview = (body.get("previewText") or {}).get("content", "")
        problems = []
        if self.activity_types is not None and body.get("activityType") not in self.activity_types:
            problems.append("activityType is not declared in the app manifest")
        if topic.get("source") not in ("text", "entityUrl") or not topic.get("value"):
            problems.append("topic needs a source and a value")
        if topic.get("source") == "text" and not topic.get("webUrl"):
            problems.append("a text topic needs a webUrl")
        if not isinstance(body.get("templateParameters", []), list):
            problems.append("templateParameters must be a collection of name/value pairs")
        if not preview:
            problems.append("previewText is required")
        if problems:
            return _error(400, "BadRequest", "; ".join(problems))
        self.notifications.append((request.match_info["user"], body))
        return web.Response(status=204)

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


def _app_token(entra: FakeEntra, request: web.Request) -> bool:
    """The request carries an app token for Graph from the fake Entra ID."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        if scheme != "Bearer":
            raise jwt.InvalidTokenError("no bearer token")
        jwt.decode(token, entra.key.public_key(), algorithms=["RS256"], audience=GRAPH_AUDIENCE)
    except jwt.InvalidTokenError:
        return False
    return True
