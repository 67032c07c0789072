"""Sending one thing to many people within a rate limit: a token bucket and a bounded fan-out.

Teams allows a bot about 50 requests per second per app (and 7 per conversation) and answers
429 beyond that. Relying on 429s wastes requests and delays everyone, so senders pace
themselves with a `TokenBucket` (aiolimiter) and keep a bounded number of requests in flight
with `fan_out`.
Pure asyncio: no botbuilder, no I/O of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from aiolimiter import AsyncLimiter

T = TypeVar("T")


class TokenBucket:
    """At most `rate` acquisitions per second on average and `burst` back to back.

    aiolimiter's leaky bucket (`AsyncLimiter`) holding `burst` and draining at `rate`: in any
    window of `t` seconds at most `burst + rate * t` acquisitions are granted, so with
    `burst + rate <= limit` a sender never exceeds a per-second limit. Waiters are served in the
    order they called `acquire`. `pause` adds what the limiter lacks: the server's Retry-After.
    """

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._limiter = AsyncLimiter(burst, burst / rate)
        self._paused_until = float("-inf")

    async def acquire(self) -> None:
        """Wait until one more request may be sent."""
        wait = self._paused_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        await self._limiter.acquire()

    def pause(self, seconds: float) -> None:
        """Grant nothing for `seconds` from now (the server said Retry-After)."""
        if seconds > 0:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


@dataclass
class FanOutResult(Generic[T]):
    """What happened to each item: how many were sent, and which failed with what error."""

    sent: int = 0
    failed: list[tuple[T, Exception]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Sent items per second, over the whole fan-out."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0


async def fan_out(
    items: Iterable[T],
    send: Callable[[T], Awaitable[object]],
    *,
    concurrency: int = 8,
    rate: float | None = None,
    burst: int = 1,
    limiter: TokenBucket | None = None,
) -> FanOutResult[T]:
    """Call `send(item)` for every item, at most `concurrency` at a time.

    Paced by `limiter`, or by a new `TokenBucket(rate, burst)` when `rate` is given; without
    either only concurrency is bounded (use that when `send` paces itself, as `TeamsNotifier`
    with a limiter does for every attempt including retries). A failing item never stops the
    others: its exception is returned in `failed`. Items are consumed lazily, so a generator of
    a hundred thousand recipients is fine.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if limiter is None and rate is not None:
        limiter = TokenBucket(rate, burst)
    result: FanOutResult[T] = FanOutResult()
    iterator = iter(items)
    started = time.monotonic()

    async def worker() -> None:
        for item in iterator:  # shared iterator: each item goes to exactly one worker
            if limiter is not None:
                await limiter.acquire()
            try:
                await send(item)
            except Exception as error:
                result.failed.append((item, error))
            else:
                result.sent += 1

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    result.seconds = time.monotonic() - started
    return result
