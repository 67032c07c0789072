"""DEBUG_COUNTERS: the storage requests the benchmarks divide by, counted at the transport."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.settings import Settings
from tests.support.activities import SANNE
from tests.support.connector import MockConnector


async def test_counters_count_storage_requests_per_turn(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    app = init_app(dataclasses.replace(settings, debug_counters=True))
    server = await aiohttp_server(app)
    await app[READY].wait()
    _, service_url = connector
    async with ClientSession() as session:

        async def count() -> int:
            response = await session.get(str(server.make_url("/_debug/counters")))
            return int((await response.json())["storage_requests"])

        async def metered() -> dict[str, int]:
            response = await session.get(str(server.make_url("/_debug/counters")))
            storage = (await response.json())["storage"]
            return {k: v for k, v in storage.items() if k != "tables"}

        before = await count()
        assert before > 0  # creating the tables and loading the directory
        metered_before = await metered()
        await session.post(
            str(server.make_url("/api/messages")), json=SANNE.message(service_url + "/", "hallo")
        )
        metered_after = await metered()
        turn = {k: metered_after[k] - metered_before[k] for k in metered_before}
        # the same three, by kind: one write, one point read (the directory), one page of at most
        # one row (her inbox partition)
        assert (turn["requests"], turn["writes"], turn["reads"]) == (3, 1, 2)
        assert (turn["point_reads"], turn["pages"]) == (1, 1)
        # the conversation reference upsert, the directory read for the role-aware menu, and
        # whether "openstaand" is on it: one row of her own inbox partition
        assert await count() - before == 3


async def test_without_the_setting_there_is_no_counter_endpoint(
    settings: Settings, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    server = await aiohttp_server(init_app(settings))
    async with ClientSession() as session:
        response = await session.get(str(server.make_url("/_debug/counters")))
        assert response.status == 404
