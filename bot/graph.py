"""Microsoft Graph client: the manager lookup (`GET /v1.0/users/{id}/manager`), the
directory's delta queries (`/v1.0/users/delta`, `/v1.0/groups/delta` with members) and the
users in a role group through its nested groups
(`/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user`).

The app token comes from MSAL's client-credentials flow (`bot.tokens`, scope
`https://graph.microsoft.com/.default`, application permissions `User.Read.All` and
`GroupMember.Read.All`, which also covers transitiveMembers), off the event loop. Graph itself
is called with aiohttp over one shared session; passing answers (412, 429, 5xx) and transport
failures are retried by the shared policy (`bot.retry`), honouring Retry-After. Each page of a
delta round (and of transitiveMembers) is one such call: a throttled page is waited for and
asked again, the pages before it are kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

from bot.domain.directory import (
    GroupsDelta,
    MemberChange,
    NestedGroupChange,
    UserChange,
    UsersDelta,
)
from bot.domain.people import Person
from bot.graph_http import GRAPH_SCOPE, GraphHttp, error_code
from bot.retry import RETRY_STATUSES, Retry, retry_after
from bot.services.managers import DeltaExpired, GraphError, GraphTokenError
from bot.settings import Settings
from bot.tokens import AppTokens, TokenError

log = logging.getLogger(__name__)

__all__ = ["DeltaExpired", "GraphClient", "GraphError", "GraphTokenError"]

USER_FIELDS = "displayName,mail,department,jobTitle,accountEnabled,employeeType"
USER_TYPE = "#microsoft.graph.user"
GROUP_TYPE = "#microsoft.graph.group"
PAGE_TOP = 999  # the most transitiveMembers answers in one page
MAX_PAGES = 10_000  # a delta round that never ends is a fault, not a directory


class GraphClient(GraphHttp):
    """Microsoft Graph for the bot's app registration: the manager lookup (a `GraphLookup`)
    and the directory's delta rounds."""

    def __init__(
        self,
        tokens: AppTokens,
        base_url: str = "https://graph.microsoft.com",
        attempts: int = 4,
        base_delay: float = 0.5,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(tokens, base_url, attempts, base_delay, timeout, sleep)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GraphClient:
        """The lookup for the bot's own app registration (needs id, secret and tenant).

        `options` go to the constructor (attempts, base_delay, timeout, sleep).
        """
        tenant = settings.app_tenant_id or settings.tenant_id
        if not (settings.app_id and settings.app_password and tenant):
            raise ValueError("Graph needs MicrosoftAppId, MicrosoftAppPassword and a tenant id")
        tokens = AppTokens(
            settings.app_id, settings.app_password, f"{settings.graph_login_url}/{tenant}"
        )
        return cls(tokens, settings.graph_base_url, **options)

    async def manager_of(self, user_id: str) -> Person | None:
        """The user's manager from Graph, or None when Graph says there is none (404)."""
        url = URL(f"{self._base_url}/v1.0/users/{quote(user_id, safe='')}/manager")
        body = await self._get(url.with_query({"$select": "id,displayName,mail"}), "manager")
        return None if body is None else _person(body)

    async def users_delta(self, delta_link: str | None) -> UsersDelta:
        """One round of `/users/delta`: from `delta_link` (None: a full first round), every
        page followed to the new delta link."""
        start = URL(f"{self._base_url}/v1.0/users/delta").with_query({"$select": USER_FIELDS})
        pages = await self._pages(start, delta_link, "users delta")
        changes = tuple(_user_change(item) for page in pages for item in _values(page))
        return UsersDelta(changes, _delta_link(pages[-1]), full=delta_link is None)

    async def groups_delta(self, group_ids: list[str], delta_link: str | None) -> GroupsDelta:
        """One round of `/groups/delta` for the role groups, with their members."""
        where = " or ".join(f"id eq '{group}'" for group in sorted(group_ids))
        start = URL(f"{self._base_url}/v1.0/groups/delta").with_query(
            {"$filter": where, "$select": "displayName,members"}
        )
        pages = await self._pages(start, delta_link, "groups delta")
        members: list[MemberChange] = []
        nested: list[NestedGroupChange] = []
        removed: set[str] = set()
        for page in pages:
            for group in _values(page):
                group_id = str(group.get("id") or "")
                if not group_id:
                    continue
                if "@removed" in group:
                    removed.add(group_id)
                    continue
                for member in group.get("members@delta") or []:
                    if not isinstance(member, dict) or not member.get("id"):
                        continue
                    added = "@removed" not in member
                    kind = member.get("@odata.type")
                    if kind == USER_TYPE:
                        members.append(MemberChange(group_id, str(member["id"]), added))
                    elif kind == GROUP_TYPE:  # its users: `transitive_members`
                        nested.append(NestedGroupChange(group_id, str(member["id"]), added))
                    # devices, service principals, contacts: not people
        return GroupsDelta(
            tuple(members),
            _delta_link(pages[-1]),
            delta_link is None,
            frozenset(removed),
            tuple(nested),
        )

    async def transitive_members(self, group_id: str) -> frozenset[str]:
        """The ids of every user in the group, directly or through nested groups (every page
        of `/groups/{id}/transitiveMembers/microsoft.graph.user`)."""
        path = f"/v1.0/groups/{quote(group_id, safe='')}/transitiveMembers/microsoft.graph.user"
        url = URL(f"{self._base_url}{path}").with_query({"$select": "id", "$top": str(PAGE_TOP)})
        users: set[str] = set()
        for _ in range(MAX_PAGES):
            page = await self._get(url, "transitive members")
            if page is None:
                raise GraphError(404, "transitive members not found")
            users.update(str(v["id"]) for v in _values(page) if v.get("id"))
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return frozenset(users)
            url = URL(str(next_link), encoded=True)
        raise GraphError(200, f"transitive members did not end after {MAX_PAGES} pages")

    async def _pages(self, start: URL, delta_link: str | None, what: str) -> list[dict[str, Any]]:
        """Every page of one delta round, following `@odata.nextLink` to `@odata.deltaLink`."""
        url = URL(delta_link, encoded=True) if delta_link else start
        pages: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = await self._get(url, what)
            if page is None:
                raise GraphError(404, f"{what} not found")
            pages.append(page)
            next_link = page.get("@odata.nextLink")
            if not next_link:
                _delta_link(page)  # the last page must carry the delta link
                return pages
            url = URL(str(next_link), encoded=True)
        raise GraphError(200, f"{what} did not end after {MAX_PAGES} pages")

    async def _get(self, url: URL, what: str) -> dict[str, Any] | None:
        """GET a Graph object: its JSON, None for 404; passing failures retried."""

        async def attempt() -> dict[str, Any] | None:
            try:
                token = await self._tokens.token(GRAPH_SCOPE)
            except TokenError as error:
                raise GraphTokenError(error.error) from error
            headers = {"Authorization": f"Bearer {token}"}
            try:
                async with self._client().get(url, headers=headers) as response:
                    if response.status == 200:
                        body = await response.json()
                        if not isinstance(body, dict):
                            raise GraphError(200, f"malformed {what} answer")
                        return body
                    if response.status == 404:
                        return None
                    code = await error_code(response)
                    if response.status == 410:
                        log.warning("Graph %s: the delta token expired (%s)", what, code)
                        raise DeltaExpired(410, code)
                    failure = GraphError(response.status, code)
                    if response.status not in RETRY_STATUSES:
                        log.warning("Graph %s failed: %d %s", what, response.status, code)
                        raise failure
                    log.info("Graph answered %d to %s; retrying", response.status, what)
                    raise Retry(failure, retry_after(response.status, response.headers))
            except (aiohttp.ClientError, TimeoutError) as error:
                raise Retry(GraphError(0, type(error).__name__)) from error

        return await self._policy.call(attempt)


def _person(body: Any) -> Person:
    if not isinstance(body, dict) or not body.get("id"):
        raise GraphError(200, "malformed manager object")
    return Person(
        id=str(body["id"]),
        name=str(body.get("displayName") or ""),
        email=str(body.get("mail") or ""),
    )


def _values(page: dict[str, Any]) -> list[dict[str, Any]]:
    values = page.get("value")
    if not isinstance(values, list):
        raise GraphError(200, "malformed delta page")
    return [v for v in values if isinstance(v, dict)]


def _delta_link(page: dict[str, Any]) -> str:
    link = page.get("@odata.deltaLink")
    if not link:
        raise GraphError(200, "delta round without a delta link")
    return str(link)


def _user_change(item: dict[str, Any]) -> UserChange:
    user_id = str(item.get("id") or "")
    if not user_id:
        raise GraphError(200, "delta entry without an id")
    if "@removed" in item:
        return UserChange(user_id, removed=True)

    def text(key: str) -> str | None:
        return None if key not in item else str(item[key] or "")

    enabled = item.get("accountEnabled")
    return UserChange(
        user_id,
        name=text("displayName"),
        email=text("mail"),
        department=text("department"),
        job_title=text("jobTitle"),
        employee_type=text("employeeType"),
        enabled=None if enabled is None else bool(enabled),
    )
