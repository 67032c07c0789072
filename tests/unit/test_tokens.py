"""`TokenMemo`: MSAL's last answer reused only while MSAL said it may be, fetched off the loop."""

from __future__ import annotations

import asyncio
import threading

from bot.tokens import TokenMemo


class Fetches:
    """A blocking token source that records which thread asked."""

    def __init__(self, reuse: float) -> None:
        self.reuse = reuse
        self.threads: list[int] = []

    def __call__(self) -> tuple[str, float]:
        self.threads.append(threading.get_ident())
        return f"token-{len(self.threads)}", self.reuse


async def test_one_fetch_serves_concurrent_callers_off_the_event_loop() -> None:
    fetches = Fetches(reuse=60.0)
    memo = TokenMemo(fetches)
    tokens = await asyncio.gather(*(memo.get() for _ in range(10)))
    assert tokens == ["token-1"] * 10
    assert fetches.threads != [threading.get_ident()]  # a worker thread, not the loop's


async def test_the_token_is_fetched_again_once_its_reuse_is_over_or_it_was_refused() -> None:
    now = [0.0]
    fetches = Fetches(reuse=240.0)
    memo = TokenMemo(fetches, clock=lambda: now[0])
    assert await memo.get() == "token-1"
    now[0] = 239.0
    assert await memo.get() == "token-1"
    now[0] = 240.0
    assert await memo.get() == "token-2"
    memo.forget()  # e.g. the connector answered 401
    assert await memo.get() == "token-3"
