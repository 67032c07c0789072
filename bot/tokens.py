"""App-only access tokens (client credentials) from MSAL: the bot's one way to Entra ID.

MSAL holds the tokens: its in-memory cache answers until a token is near expiry, then MSAL asks
the token endpoint again. This module keeps one MSAL application per client and authority (so
that cache lives as long as the process), sends MSAL's HTTP through the shared retry policy,
and keeps MSAL off the event loop: its HTTP is blocking, so it runs in a worker thread.

`TokenMemo` remembers MSAL's last answer until five minutes before that token expires, only to
skip a thread hop per outgoing request; the token itself is MSAL's (no renewal logic here, and
`forget` just asks MSAL again).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import msal
import requests

from bot.retry import RETRY_STATUSES, Retry, RetryPolicy, retry_after

_REUSE_MARGIN = 300.0  # seconds before expiry at which MSAL is asked again


class TokenError(Exception):
    """The token endpoint refused (wrong secret, missing consent, unknown tenant)."""

    def __init__(self, error: str) -> None:
        super().__init__(f"no app token: {error}")
        self.error = error


class RetryingSession(requests.Session):
    """The `requests` session MSAL sends with: passing answers and transport errors are
    retried by the shared policy (blocking waits: this runs in a worker thread)."""

    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__()
        self._policy = policy

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        send = super().request

        def attempt() -> requests.Response:
            try:
                response = send(*args, **kwargs)
            except requests.ConnectionError as error:
                raise Retry(error) from error
            if response.status_code in RETRY_STATUSES:
                wait = retry_after(response.status_code, response.headers)
                raise Retry(_ReturnedAnswer(response), wait)
            return response

        try:
            return self._policy.call_sync(attempt)
        except _ReturnedAnswer as last:
            return last.response  # MSAL reads the error out of the last answer itself


class _ReturnedAnswer(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class TokenMemo:
    """The last token a blocking `fetch` gave, reused for as long as `fetch` said.

    Not a token cache (MSAL is that): it only saves the thread hop to ask MSAL again for each
    outgoing request. `fetch` runs in a worker thread, one call at a time; it returns the token
    and how many seconds it may be reused.
    """

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token = ""
        self._until = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """The token: the remembered one while it may be reused, else a new `fetch`."""
        if self._clock() < self._until:
            return self._token
        async with self._lock:
            if self._clock() >= self._until:
                token, reuse = await asyncio.to_thread(self._fetch)
                self._token, self._until = token, self._clock() + reuse
        return self._token

    def forget(self) -> None:
        """Fetch again next time (the token was refused: rotated or revoked)."""
        self._until = float("-inf")


class AppTokens:
    """Tokens of one app registration at one authority, for any scope (one MSAL app)."""

    def __init__(
        self, client_id: str, secret: str, authority: str, policy: RetryPolicy | None = None
    ) -> None:
        self.client_id = client_id
        self._secret = secret
        self._authority = authority
        self._policy = policy or RetryPolicy(attempts=3, base_delay=0.5)
        self._msal: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()
        self._memos: dict[str, TokenMemo] = {}

    def acquire(self, scope: str) -> str:
        """Blocking: a token for `scope` from MSAL (its cache first). Call off the loop."""
        return self._acquire(scope)[0]

    def _acquire(self, scope: str) -> tuple[str, float]:
        with self._lock:
            if self._msal is None:
                self._msal = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret,
                    authority=self._authority,
                    # The authority comes from our configuration and is trusted as given (MSAL
                    # skips the check for Microsoft's own hosts anyway).
                    instance_discovery=False,
                    http_client=RetryingSession(self._policy),
                )
            app = self._msal
        result: dict[str, Any] = app.acquire_token_for_client(scopes=[scope])
        if "access_token" not in result:
            raise TokenError(str(result.get("error", "unknown error")))
        expires_in = float(result.get("expires_in", 3600))
        return str(result["access_token"]), max(0.0, expires_in - _REUSE_MARGIN)

    def memo(self, scope: str) -> TokenMemo:
        """The async way to this app's token for `scope` (MSAL off the event loop)."""
        memo = self._memos.get(scope)
        if memo is None:
            memo = self._memos.setdefault(scope, TokenMemo(lambda: self._acquire(scope)))
        return memo

    async def token(self, scope: str) -> str:
        """A token for `scope`; MSAL runs in a worker thread."""
        return await self.memo(scope).get()
