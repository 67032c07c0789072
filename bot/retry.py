"""The one retry policy for outbound HTTP: Microsoft Graph, the Bot Connector, token endpoints.

Built on tenacity. An attempt that meets a passing failure raises `Retry` with the error its
caller would see and the server's Retry-After, if any; the policy waits (Retry-After when the
server gave one, else exponential backoff with jitter) and tries again, and when the attempts
run out it raises that error. Anything else an attempt raises ends the call at once, so a
refusal (403, a wrong secret) is never repeated.

Which answers are passing is the same everywhere (Teams' and Graph's guidance): 412, 429,
500, 502, 503 and 504; Retry-After is honoured on 429 and 503, capped at a minute.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

T = TypeVar("T")

RETRY_STATUSES = frozenset({412, 429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
MAX_RETRY_AFTER = 60.0


class Retry(Exception):
    """Raised by an attempt that may succeed when repeated; `final` is what the caller gets
    when no attempt is left, `retry_after` the wait the server asked for (None: back off)."""

    def __init__(self, final: BaseException, retry_after: float | None = None) -> None:
        super().__init__(str(final))
        self.final = final
        self.retry_after = retry_after


def retry_after(status: int, headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from a 429/503 answer's Retry-After (delta-seconds or an HTTP date),
    capped at `MAX_RETRY_AFTER`; None for other answers or without a usable header."""
    if status not in RETRY_AFTER_STATUSES or not headers:
        return None
    header = headers.get("Retry-After")
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; backoff `base_delay * 2**(n-1)`, jittered by 0.5-1.5x.

    `sleep` is the async wait (tests record instead of sleeping); `sync_sleep` the wait of
    `call_sync`, which runs in worker threads (MSAL's token requests).
    """

    attempts: int = 4
    base_delay: float = 0.5
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    sync_sleep: Callable[[float], None] = time.sleep

    def delay(self, state: RetryCallState) -> float:
        """The wait before the next attempt: the server's Retry-After, else backoff."""
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, Retry) and error.retry_after is not None:
            return error.retry_after
        backoff = self.base_delay * (2 ** (state.attempt_number - 1))
        return float(backoff * (0.5 + random.random()))

    def _options(self) -> dict[str, Any]:
        return {
            "stop": stop_after_attempt(self.attempts),
            "wait": self.delay,
            "retry": retry_if_exception_type(Retry),
            "reraise": True,
        }

    async def call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run `attempt` until it returns, raises something other than `Retry`, or the
        attempts are used up (then the last `Retry.final` is raised)."""
        try:
            return await attempt()  # the usual case, without building a retry loop (~25 us)
        except Retry as failed:
            first = [failed]

        async def resumed() -> T:
            if first:
                raise first.pop()  # tenacity's attempt 1 is the one that just failed
            return await attempt()

        try:
            result: T = await AsyncRetrying(sleep=self.sleep, **self._options())(resumed)
        except Retry as exhausted:
            raise exhausted.final from exhausted.final.__cause__
        return result

    def call_sync(self, attempt: Callable[[], T]) -> T:
        """`call` for blocking code in a worker thread."""
        try:
            return attempt()
        except Retry as failed:
            first = [failed]

        def resumed() -> T:
            if first:
                raise first.pop()
            return attempt()

        try:
            return Retrying(sleep=self.sync_sleep, **self._options())(resumed)
        except Retry as exhausted:
            raise exhausted.final from exhausted.final.__cause__
