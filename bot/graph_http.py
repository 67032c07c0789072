"""What every Microsoft Graph client of the bot shares (the directory and manager lookups in
bot/graph.py, the activity feed in bot/feed.py, the mailer in bot/mail.py): the app's tokens,
one HTTP session and pool created on first use inside the running loop, the one retry policy
for outbound HTTP (bot/retry.py) and a timeout; and Graph's error code, never its message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp

from bot.retry import RetryPolicy
from bot.tokens import AppTokens

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
