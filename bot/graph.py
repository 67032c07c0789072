"""Microsoft Graph client for the manager lookup (`GET /v1.0/users/{id}/manager`).

The app token comes from MSAL's client-credentials flow (`acquire_token_for_client`, scope
`https://graph.microsoft.com/.default`, application permission `User.Read.All`). MSAL does
blocking HTTP, so it runs in a worker thread, at most one call at a time, and only when our copy
of the token is missing or close to expiry. Graph itself is called with aiohttp over one shared
session. 429 and 5xx answers are retried with backoff, honouring Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
import msal

from bot.domain.people import Person
from bot.services.managers import ManagerLookupError
from bot.settings import Settings

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
_RETRYABLE = {429, 500, 502, 503, 504}
_REFRESH_MARGIN = 300.0  # seconds before expiry at which the token is renewed


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


class AppToken:
    """An app-only access token from MSAL, renewed shortly before it expires."""

    def __init__(self, client_id: str, secret: str, authority: str, scope: str = GRAPH_SCOPE):
        self._client_id = client_id
        self._secret = secret
        self._authority = authority
        self._scope = scope
        self._msal: msal.ConfidentialClientApplication | None = None
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A valid token; MSAL is asked only when ours is missing or about to expire."""
        async with self._lock:
            if not self._token or time.monotonic() > self._expires_at - _REFRESH_MARGIN:
                result = await asyncio.to_thread(self._acquire)
                if "access_token" not in result:
                    raise GraphTokenError(str(result.get("error", "unknown error")))
                self._token = str(result["access_token"])
                self._expires_at = time.monotonic() + float(result.get("expires_in", 3600))
            return self._token

    def _acquire(self) -> dict[str, Any]:
        # Runs in a worker thread: MSAL's HTTP is blocking. MSAL checks its own cache first.
        if self._msal is None:
            self._msal = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._secret,
                authority=self._authority,
                # Our configured authority is trusted as given (and Microsoft's own need no check).
                instance_discovery=False,
            )
        result: dict[str, Any] = self._msal.acquire_token_for_client(scopes=[self._scope])
        return result


class GraphManagerLookup:
    """`ManagerLookup` backed by Microsoft Graph."""

    def __init__(
        self,
        token: AppToken,
        base_url: str = "https://graph.microsoft.com",
        attempts: int = 4,
        base_delay: float = 0.5,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._attempts = attempts
        self._base_delay = base_delay
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GraphManagerLookup:
        """The lookup for the bot's own app registration (needs id, secret and tenant).

        `options` go to the constructor (attempts, base_delay, timeout, sleep).
        """
        tenant = settings.app_tenant_id or settings.tenant_id
        if not (settings.app_id and settings.app_password and tenant):
            raise ValueError("Graph needs MicrosoftAppId, MicrosoftAppPassword and a tenant id")
        token = AppToken(
            settings.app_id, settings.app_password, f"{settings.graph_login_url}/{tenant}"
        )
        return cls(token, settings.graph_base_url, **options)

    async def manager_of(self, user_id: str) -> Person | None:
        """The user's manager from Graph, or None when Graph says there is none (404)."""
        url = f"{self._base_url}/v1.0/users/{quote(user_id, safe='')}/manager"
        params = {"$select": "id,displayName,mail"}
        for attempt in range(1, self._attempts + 1):
            headers = {"Authorization": f"Bearer {await self._token.get()}"}
            try:
                async with self._client().get(url, params=params, headers=headers) as response:
                    if response.status == 200:
                        return _person(await response.json())
                    if response.status == 404:
                        return None
                    code = await _error_code(response)
                    if response.status not in _RETRYABLE or attempt == self._attempts:
                        log.warning("Graph manager lookup failed: %d %s", response.status, code)
                        raise GraphError(response.status, code)
                    delay = _retry_after(response.headers.get("Retry-After"))
            except (aiohttp.ClientError, TimeoutError) as error:
                if attempt == self._attempts:
                    raise GraphError(0, type(error).__name__) from error
                delay = None
            await self._sleep(delay if delay is not None else self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop; one session (and pool) for all calls.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        """Close the shared HTTP session."""
        if self._session is not None:
            await self._session.close()

    def _backoff(self, attempt: int) -> float:
        return float(self._base_delay * (2 ** (attempt - 1)) * (0.5 + random.random()))


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


def _retry_after(header: str | None) -> float | None:
    """Seconds from a Retry-After header (Graph sends delta-seconds), capped at a minute."""
    try:
        return max(0.0, min(float(header), 60.0)) if header else None
    except ValueError:
        return None
