"""What every Microsoft Graph client of the bot shares (the directory and manager lookups in
bot/graph.py, the activity feed in bot/feed.py, the mailer in bot/mail.py): the app's tokens,
one HTTP session and pool created on first use inside the running loop, the one retry policy
for outbound HTTP (bot/retry.py) and a timeout; and Graph's error code, never its message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import aiohttp

from bot.retry import RETRY_STATUSES, Retry, RetryPolicy, retry_after
from bot.tokens import AppTokens, TokenError

log = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class GraphHttp:
    def __init__(
        self,
        tokens: AppTokens,
        base_url: str,
        attempts: int,
        base_delay: float,
        timeout: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._tokens = tokens
        self._base_url = base_url.rstrip("/")
        self._policy = RetryPolicy(attempts=attempts, base_delay=base_delay, sleep=sleep)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def _post(
        self,
        url: str,
        body: Any,
        what: str,
        refused: Callable[[int, str], Exception],
        pace: AbstractAsyncContextManager[Any] | None = None,
    ) -> None:
        """POST `body` as JSON under the retry policy; returns on 200/202/204. A refusal, a
        token that cannot be had, or failures until the attempts run out raise
        `refused(status, Graph's error code)` (status 0: no answer)."""

        async def attempt() -> None:
            try:
                token = await self._tokens.token(GRAPH_SCOPE)
            except TokenError as error:
                raise refused(0, error.error) from error
            headers = {"Authorization": f"Bearer {token}"}
            async with pace or contextlib.nullcontext():
                try:
                    async with self._client().post(url, json=body, headers=headers) as response:
                        if response.status in (200, 202, 204):
                            return
                        code = await error_code(response)
                        if response.status not in RETRY_STATUSES:
                            raise refused(response.status, code)
                        log.info("Graph %s answered %d; retrying", what, response.status)
                        raise Retry(
                            refused(response.status, code),
                            retry_after(response.status, response.headers),
                        )
                except (aiohttp.ClientError, TimeoutError) as error:
                    raise Retry(refused(0, type(error).__name__)) from error

        await self._policy.call(attempt)

    async def close(self) -> None:
        """Close the shared HTTP session."""
        if self._session is not None:
            await self._session.close()


async def error_code(response: aiohttp.ClientResponse) -> str:
    """Graph's error code (e.g. `Forbidden`, `ErrorInvalidRecipients`), never the message text
    (it can name people)."""
    try:
        body = await response.json(content_type=None)
        return str(body["error"]["code"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        return "unknown"
