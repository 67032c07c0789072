"""A loopback Microsoft Graph answering like the real one:

- `GET /v1.0/users/{id}/manager`;
- `POST /v1.0/users/{id}/teamwork/sendActivityNotification`: checked as Graph does (an activity
  type the app declared, a topic with a webUrl for `text`, a preview text) and recorded in
  `notifications`; `feed_refusal` = 403 (no TeamsActivity.Send consent) or 404 (the app is not
  installed for the user) refuses them all;
- `POST /v1.0/users/{mailbox}/sendMail`: checked as Graph does (a subject, an HTML or text body,
  at least one recipient with an address; the mailbox must exist, else 404
  `ErrorInvalidUser`), answered 202 and recorded in `mails` (mailbox, message);
- `GET /v1.0/users/delta` and `GET /v1.0/groups/delta?$filter=id eq '..' or ..` (with
  `members@delta`): a first round lists everything, later rounds (from the `@odata.deltaLink`'s
  `$deltatoken`) only what changed since, removed users and members marked `@removed`; answers
  are paged (`page_size` entries a page, `@odata.nextLink` with a `$skiptoken`), a group's
  members may be spread over several pages as in Graph; expired tokens answer 410. A group's
  members may be groups (`add_group_member`: `#microsoft.graph.group` entries in
  `members@delta`);
- `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user` (`$select`, `$top`): every
  user in the group, directly or through nested groups (resolved at any depth, a cycle only
  once), paged like the deltas (`page_size`, `@odata.nextLink` with a `$skiptoken`); an
  unknown group answers 404 `Request_ResourceNotFound`.

Requests must carry an app token issued by the fake Entra ID for Graph (signature, audience and
expiry are checked). Faults (429 with Retry-After, 503 ...) can be queued (`fail_next`) or put on
the n-th request (`fail_request`), or on the next request whose path contains a text
(`fail_next_on`).
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.entra import FakeEntra

GRAPH_AUDIENCE = "https://graph.microsoft.com"
USER = "#microsoft.graph.user"
GROUP = "#microsoft.graph.group"


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
    paths: list[str] = field(default_factory=list)  # path and query of every accepted request
    # Mail: the mailboxes that exist, the accepted messages (mailbox, message), and addresses
    # Graph refuses (400 ErrorInvalidRecipients).
    mailboxes: set[str] = field(default_factory=set)
    mails: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    bad_recipients: set[str] = field(default_factory=set)
    # The directory: users by id (Graph's property names), group id -> member ids, group id ->
    # the ids of the groups that are its members.
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    group_members: dict[str, set[str]] = field(default_factory=dict)
    page_size: int = 2
    answered: dict[str, int] = field(default_factory=dict)  # 200 answers per route
    _version: int = 0
    _user_versions: dict[str, int] = field(default_factory=dict)  # last change of each user
    _removed: dict[str, int] = field(default_factory=dict)  # deleted user -> when
    # (when, group, member id, added, the member's @odata.type)
    _member_events: list[tuple[int, str, str, bool, str]] = field(default_factory=list)
    _tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # delta tokens
    _pages: dict[str, tuple[str, list[Any], dict[str, Any]]] = field(default_factory=dict)
    _faults_at: dict[int, tuple[int, dict[str, str]]] = field(default_factory=dict)
    _faults_on: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    _lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # transitive pages

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.append((status, headers or {}))

    def fail_request(self, number: int, status: int, headers: dict[str, str] | None = None) -> None:
        """The `number`-th accepted request (1 = the first from now on counting all so far)."""
        self._faults_at[len(self.paths) + number] = (status, headers or {})

    def fail_next_on(
        self, path_part: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        """The next accepted request whose path and query contain `path_part`."""
        self._faults_on.append((path_part, status, headers or {}))

    # --- the directory, as an administrator changes it -----------------------------------------

    def put_user(self, user_id: str, **properties: Any) -> None:
        """Create a user or change some of their properties (displayName, mail, ...)."""
        user = self.users.setdefault(user_id, {"accountEnabled": True})
        user.update(properties)
        self._removed.pop(user_id, None)
        self._user_versions[user_id] = self._tick()

    def delete_user(self, user_id: str) -> None:
        self.users.pop(user_id, None)
        self._removed[user_id] = self._tick()
        for group, members in self.groups.items():
            if user_id in members:
                self.remove_member(group, user_id)

    def add_member(self, group: str, user_id: str) -> None:
        self.groups.setdefault(group, set()).add(user_id)
        self._member_events.append((self._tick(), group, user_id, True, USER))

    def remove_member(self, group: str, user_id: str) -> None:
        self.groups.get(group, set()).discard(user_id)
        self._member_events.append((self._tick(), group, user_id, False, USER))

    def add_group_member(self, group: str, nested: str) -> None:
        """Make the group `nested` a member of `group` (a nested group)."""
        self.groups.setdefault(nested, set())
        self.group_members.setdefault(group, set()).add(nested)
        self._member_events.append((self._tick(), group, nested, True, GROUP))

    def remove_group_member(self, group: str, nested: str) -> None:
        self.group_members.get(group, set()).discard(nested)
        self._member_events.append((self._tick(), group, nested, False, GROUP))

    def transitive_users(self, group: str) -> set[str]:
        """Every user in the group, directly or through its nested groups."""
        seen: set[str] = set()
        users: set[str] = set()
        todo = [group]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            users |= self.groups.get(current, set())
            todo.extend(self.group_members.get(current, set()))
        return users

    def expire_delta_tokens(self) -> None:
        """Graph forgot every delta token (they answer 410 from now on)."""
        self._tokens.clear()

    def _tick(self) -> int:
        self._version += 1
        return self._version

    # --- HTTP ------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1.0/users/delta", self._users_delta)
        app.router.add_get("/v1.0/groups/delta", self._groups_delta)
        app.router.add_get(
            "/v1.0/groups/{group}/transitiveMembers/microsoft.graph.user", self._transitive_members
        )
        app.router.add_get("/v1.0/users/{user}/manager", self._manager)
        app.router.add_post(
            "/v1.0/users/{user}/teamwork/sendActivityNotification", self._activity_notification
        )
        app.router.add_post("/v1.0/users/{user}/sendMail", self._send_mail)
        return app

    async def _send_mail(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        mailbox = request.match_info["user"]
        if mailbox.casefold() not in {m.casefold() for m in self.mailboxes}:
            return _error(404, "ErrorInvalidUser", "The requested user is invalid.")
        body = await request.json()
        message = body.get("message") or {}
        content = message.get("body") or {}
        recipients = message.get("toRecipients") or []
        problems = []
        if not message.get("subject"):
            problems.append("subject is required")
        if content.get("contentType") not in ("HTML", "Text", "html", "text"):
            problems.append("body.contentType must be Text or HTML")
        if not recipients or not all(
            isinstance(r, dict) and (r.get("emailAddress") or {}).get("address") for r in recipients
        ):
            problems.append("toRecipients needs an emailAddress.address")
        if problems:
            return _error(400, "ErrorInvalidRequest", "; ".join(problems))
        addresses = {r["emailAddress"]["address"] for r in recipients}
        if addresses & self.bad_recipients:
            return _error(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
        self.mails.append((mailbox, message))
        return web.Response(status=202)

    def _refused(self, request: web.Request) -> web.Response | None:
        """401 without a valid Graph token; else the request is recorded and an injected
        fault, if any, is the answer."""
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
        self.paths.append(request.path_qs)
        fault = self._faults_at.pop(len(self.paths), None)
        for n, (part, status, headers) in enumerate(self._faults_on):
            if fault is None and part in request.path_qs:
                fault = status, headers
                del self._faults_on[n]
                break
        if fault is None and self.faults:
            fault = self.faults.popleft()
        if fault is not None:
            status, headers = fault
            return _error(status, "TooManyRequests" if status == 429 else "ServiceUnavailable",
                          "injected", headers)  # fmt: skip
        return None

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

    async def _users_delta(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return self._delta_page(request, "users")

    async def _groups_delta(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return self._delta_page(request, "groups")

    async def _transitive_members(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        query = request.query
        base = f"{request.scheme}://{request.host}{request.path}"
        if "$skiptoken" in query:
            if query["$skiptoken"] not in self._lists:
                return _error(400, "BadRequest", "Unknown skip token.")
            items = self._lists.pop(query["$skiptoken"])
        else:
            group = request.match_info["group"]
            if group not in self.groups and group not in self.group_members:
                return _error(
                    404,
                    "Request_ResourceNotFound",
                    f"Resource '{group}' does not exist or one of its queried reference-property "
                    "objects are not present.",
                )
            fields = [f for f in query.get("$select", "").split(",") if f]
            items = []
            for user_id in sorted(self.transitive_users(group)):
                user = {**self.users.get(user_id, {}), "id": user_id}
                shown = {k: v for k, v in user.items() if not fields or k in fields or k == "id"}
                items.append({"@odata.type": "#microsoft.graph.user", **shown})
        top = int(query.get("$top") or self.page_size)
        size = min(top, self.page_size)
        page, rest = items[:size], items[size:]
        body: dict[str, Any] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id)",
            "value": page,
        }
        if rest:
            skip = uuid.uuid4().hex
            self._lists[skip] = rest
            body["@odata.nextLink"] = f"{base}?$select=id&$top={top}&$skiptoken={skip}"
        self.answered["transitive"] = self.answered.get("transitive", 0) + 1
        return web.json_response(body)

    def _delta_page(self, request: web.Request, kind: str) -> web.Response:
        query = request.query
        base = f"{request.scheme}://{request.host}{request.path}"
        if "$skiptoken" in query:
            if query["$skiptoken"] not in self._pages:
                return _error(400, "BadRequest", "Unknown skip token.")
            _, items, round_state = self._pages.pop(query["$skiptoken"])
        else:
            if "$deltatoken" in query:
                known = self._tokens.get(query["$deltatoken"])
                if known is None or known["kind"] != kind:
                    return _error(410, "syncStateNotFound", "The delta token has expired.")
                round_state = {**known, "since": known["version"]}
            else:
                selected = query.get("$select", "")
                round_state = {"kind": kind, "since": None, "select": selected.split(",")}
                if kind == "groups":
                    round_state["groups"] = re.findall(r"id eq '([^']+)'", query.get("$filter", ""))
            round_state["version"] = self._version
            items = (
                self._user_items(round_state)
                if kind == "users"
                else self._member_items(round_state)
            )
        page, rest = items[: self.page_size], items[self.page_size :]
        body: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{kind}",
            "value": page if kind == "users" else _group_objects(page),
        }
        if rest:
            skip = uuid.uuid4().hex
            self._pages[skip] = (kind, rest, round_state)
            body["@odata.nextLink"] = f"{base}?$skiptoken={skip}"
        else:
            token = uuid.uuid4().hex
            self._tokens[token] = {k: v for k, v in round_state.items() if k != "since"}
            body["@odata.deltaLink"] = f"{base}?$deltatoken={token}"
        self.answered[kind] = self.answered.get(kind, 0) + 1
        return web.json_response(body)

    def _user_items(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        since = state["since"]
        fields = [f for f in state["select"] if f]
        items: list[dict[str, Any]] = []
        for user_id, user in self.users.items():
            if since is None or self._user_versions.get(user_id, 0) > since:
                shown = {k: v for k, v in user.items() if not fields or k in fields}
                items.append({**shown, "id": user_id})
        if since is not None:
            for user_id, when in self._removed.items():
                if when > since:
                    items.append({"id": user_id, "@removed": {"reason": "changed"}})
        return items

    def _member_items(self, state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """(group, member entry) pairs; the page's group objects are made from them."""
        since = state["since"]
        items: list[tuple[str, dict[str, Any]]] = []
        for group in state["groups"]:
            if since is None:
                for user_id in sorted(self.groups.get(group, set())):
                    items.append((group, {"@odata.type": USER, "id": user_id}))
                for nested in sorted(self.group_members.get(group, set())):
                    items.append((group, {"@odata.type": GROUP, "id": nested}))
                continue
            latest: dict[str, tuple[bool, str]] = {}
            for when, event_group, member_id, added, kind in self._member_events:
                if event_group == group and when > since:
                    latest[member_id] = (added, kind)
            for member_id, (added, kind) in latest.items():
                entry: dict[str, Any] = {"@odata.type": kind, "id": member_id}
                if not added:
                    entry["@removed"] = {"reason": "deleted"}
                items.append((group, entry))
        return items

    async def _manager(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
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


def _group_objects(page: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Group objects as Graph pages them: one per group, its `members@delta` in this page."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for group, member in page:
        groups.setdefault(group, []).append(member)
    return [
        {"id": group, "displayName": f"group {group[:8]}", "members@delta": members}
        for group, members in groups.items()
    ]


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


async def served(
    entra: FakeEntra,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    client: tuple[str, str] | None = None,
    mailboxes: tuple[str, ...] = (),
) -> tuple[FakeGraph, str]:
    """A FakeGraph on loopback (pytest-aiohttp's `aiohttp_server`) and its address; `client`:
    the app registration (id, secret) the fake Entra ID issues Graph tokens to; `mailboxes`:
    the mailboxes sendMail accepts."""
    if client is not None:
        entra.clients[client[0]] = client[1]
    fake = FakeGraph(entra)
    fake.mailboxes.update(mailboxes)
    server = await aiohttp_server(fake.app())
    return fake, str(server.make_url("")).rstrip("/")
