"""Repeats of one submission wait for the first; the locks belong to one app."""

from __future__ import annotations

import asyncio

from bot.services.locks import KeyedLocks


async def test_a_repeat_waits_for_the_first_and_the_lock_is_then_forgotten() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def attempt(name: str, key: str) -> None:
        async with locks.hold(key):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    await asyncio.gather(attempt("first", "CAD-1"), attempt("repeat", "CAD-1"))
    assert order == ["first in", "first out", "repeat in", "repeat out"]
    assert len(locks) == 0


async def test_other_keys_and_other_apps_do_not_wait() -> None:
    mine, theirs = KeyedLocks(), KeyedLocks()
    async with mine.hold("CAD-1"):
        async with asyncio.timeout(1):
            async with mine.hold("CAD-2"), theirs.hold("CAD-1"):
                assert len(mine) == 2 and len(theirs) == 1
