"""Microsoft Graph client for the manager lookup (`GET /v1.0/users/{id}/manager`).

The app token comes from MSAL's client-credentials flow (`bot.tokens`, scope
`https://graph.microsoft.com/.default`, application permission `User.Read.All`), off the event
loop. Graph itself is called with aiohttp over one shared session; passing answers (412, 429,
5xx) and transport failures are retried by the shared policy (`bot.retry`), honouring
Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.domain.people import Person
from bot.retry import RETRY_STATUSES, Retry, RetryPolicy, retry_after
from bot.services.managers import ManagerLookupError
from bot.settings import Settings
from bot.tokens import AppTokens, TokenError

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class GraphError(ManagerLookupError):
    """Graph (or the token endpoint) answered with an error we cannot retry away."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"Microsoft Graph answered {status} ({code})")
        self.status = status
        self.code = code


class GraphTokenError(ManagerLookupError):
    """No app token: wrong secret, missing consent, or the tenant is unknown."""

    def __init__(self, error: str) -> None:
        super().__init__(f"no Microsoft Graph token: {error}")
        self.error = error


class GraphManagerLookup:
    """`ManagerLookup` backed by Microsoft Graph."""

    def __init__(
        self,
        tokens: AppTokens,
        base_url: str = "https://graph.microsoft.com",
        attempts: int = 4,
        base_delay: float = 0.5,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._tokens = tokens
        self._base_url = base_url.rstrip("/")
        self._policy = RetryPolicy(attempts=attempts, base_delay=base_delay, sleep=sleep)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GraphManagerLookup:
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
        url = f"{self._base_url}/v1.0/users/{quote(user_id, safe='')}/manager"
        params = {"$select": "id,displayName,mail"}

        async def attempt() -> Person | None:
            try:
                token = await self._tokens.token(GRAPH_SCOPE)
            except TokenError as error:
                raise GraphTokenError(error.error) from error
            headers = {"Authorization": f"Bearer {token}"}
            try:
                async with self._client().get(url, params=params, headers=headers) as response:
                    if response.status == 200:
                        return _person(await response.json())
                    if response.status == 404:
                        return None
                    code = await _error_code(response)
                    failure = GraphError(response.status, code)
                    if response.status not in RETRY_STATUSES:
                        log.warning("Graph manager lookup failed: %d %s", response.status, code)
                        raise failure
                    log.info("Graph answered %d; retrying", response.status)
                    raise Retry(failure, retry_after(response.status, response.headers))
            except (aiohttp.ClientError, TimeoutError) as error:
                raise Retry(GraphError(0, type(error).__name__)) from error

        return await self._policy.call(attempt)

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop; one session (and pool) for all calls.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        """Close the shared HTTP session."""
        if self._session is not None:
            await self._session.close()


def _person(body: Any) -> Person:
    if not isinstance(body, dict) or not body.get("id"):
        raise GraphError(200, "malformed manager object")
    return Person(
        id=str(body["id"]),
        name=str(body.get("displayName") or ""),
        email=str(body.get("mail") or ""),
    )


async def _error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's error code (e.g. `Authorization_RequestDenied`), never the message text."""
    try:
        body = await response.json(content_type=None)
        return str(body["error"]["code"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return "unknown"
