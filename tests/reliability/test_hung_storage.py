"""Hung storage never holds a turn past Teams' patience (issue #17, point 7): the invoke answers
within four seconds with the storage message and the form as typed; once storage answers again
the same form is recorded once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.settings import Settings, load_settings
from bot.storage.tables import AzureTableStore
from infra.local.services import azurite_connection_string
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.reliability.conftest import start_bot
from tests.reliability.helpers import STORAGE_BANNER_NL, install, request_rows
from tests.support.activities import PIETER, SANNE
from tests.support.counting_store import CountingStore
from tests.support.faults import FaultyConnector
from tests.support.flows import WINE, click, inputs, open_flow, texts
from tests.support.hanging_proxy import HangingProxy


@pytest.fixture
async def proxy(azurite_port: int) -> AsyncIterator[HangingProxy]:
    hanging = HangingProxy(azurite_port)
    await hanging.start()
    yield hanging
    await hanging.close()


@pytest.fixture
async def hung_bot(
    proxy: HangingProxy,
    table_prefix: str,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    settings: Settings = load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(proxy.port),
            "TABLE_PREFIX": table_prefix,
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            "JOBS_INTERVAL_SECONDS": "0",
        },
        dotenv=None,
    )
    async with ClientSession() as session:
        yield await start_bot(settings, faulty_connector, aiohttp_server, session)


async def test_a_submission_on_hung_storage_answers_within_four_seconds_and_keeps_the_form(
    hung_bot: BotUnderTest, proxy: HangingProxy, caplog: pytest.LogCaptureFixture
) -> None:
    await install(hung_bot, SANNE, PIETER)
    form = await open_flow(hung_bot, SANNE, "gift.open")
    proxy.hanging = True

    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        answer = await click(hung_bot, SANNE, form, "gift.submit", WINE)
    took = time.monotonic() - started

    assert took < 4.0, f"the invoke took {took:.1f} s"
    assert proxy.swallowed > 0  # storage really was asked, and never answered
    assert STORAGE_BANNER_NL in texts(answer)
    shown = inputs(answer)
    for key, value in WINE.items():
        assert shown[key] == value, key
    assert "storage failure shown to the user during gift.submit" in caplog.text
    assert hung_bot.connector.to(PIETER.conversation_id) == []

    proxy.hanging = False
    await asyncio.sleep(0.1)
    receipt = await click(hung_bot, SANNE, answer, "gift.submit", WINE)
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(await request_rows(hung_bot)) == 1  # recorded once, not lost, not doubled
    assert len(hung_bot.connector.to(PIETER.conversation_id)) == 1


@dataclass
class SlowToPrepare(CountingStore):
    """Azurite, whose table creation at start-up waits until `gate` opens (a slow start on a
    busy machine: every request answers, only later)."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def ensure_tables(self, names: Sequence[str]) -> None:
        await self.gate.wait()
        await super().ensure_tables(names)


async def test_a_turn_that_comes_while_storage_is_prepared_waits_for_the_directory(
    settings: Settings,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    """Local mode serves from the start (the Playground installs the app as its page opens).
    While the tables are made and the directory loaded, the first turns wait for that instead
    of being judged against an empty directory ("no manager known")."""
    store = SlowToPrepare(
        AzureTableStore(settings.storage_connection_string, settings.table_prefix)
    )
    app = init_app(settings, store=store)
    server = await aiohttp_server(app)
    mock, service_url = faulty_connector
    async with ClientSession() as session:
        bot = BotUnderTest(server, session, mock, service_url + "/")
        turns = asyncio.ensure_future(_install_and_declare(bot))
        await asyncio.sleep(0.5)
        assert not app[READY].is_set() and not turns.done()  # held, not answered wrongly
        store.gate.set()
        receipt = await asyncio.wait_for(turns, 30)
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)


async def _install_and_declare(bot: BotUnderTest) -> dict[str, Any]:
    for user in (SANNE, PIETER):
        response = await bot.post(user.install(bot.service_url))
        assert response.status == 200, await response.text()
    form = await open_flow(bot, SANNE, "gift.open")
    return await click(bot, SANNE, form, "gift.submit", WINE)
