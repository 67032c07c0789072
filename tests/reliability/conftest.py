"""Fixtures for fault tests: an Azurite of the test's own that can be stopped and started again
on the same port (data kept on disk, like Azure's), a connector that can hang or hook arrivals,
and the real bot app on top of both."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.settings import Settings, load_settings
from bot.storage.tables import AzureTableStore
from infra.local.services import (
    azurite_args,
    azurite_connection_string,
    free_port,
    spawn,
    stop,
    wait_for_port,
)
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.support.counting_store import CountingStore
from tests.support.faults import FaultyConnector


class OwnAzurite:
    """A real Azurite Table service for one test, on its own port and its own data folder."""

    def __init__(self, port: int, location: Path) -> None:
        self.port = port
        self.location = location
        self.process: subprocess.Popen[bytes] | None = None
        self.stops = 0
        self.starts = 0

    @property
    def connection_string(self) -> str:
        return azurite_connection_string(self.port)

    def start(self) -> None:
        args = azurite_args(self.port, self.location, in_memory=False)
        self.process = spawn(args, log=self.location / "azurite.log")
        wait_for_port(self.port, 60, self.process)
        self.starts += 1

    def stop(self) -> None:
        """Stop the process; the port goes dead and every request in flight fails.

        SIGINT is Azurite's own shutdown: it writes its data to disk first. (SIGKILL would also
        lose Azurite's last five seconds of acknowledged writes, which Azure Storage never does,
        so it would test Azurite's durability rather than the bot's.)"""
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(15)
        except subprocess.TimeoutExpired:
            stop(process)
        except ProcessLookupError:
            pass
        self.stops += 1

    async def stop_async(self) -> None:
        await asyncio.to_thread(self.stop)

    async def start_async(self) -> None:
        await asyncio.to_thread(self.start)


@pytest.fixture
def own_azurite(tmp_path: Path) -> Iterator[OwnAzurite]:
    azurite = OwnAzurite(free_port(), tmp_path / "azurite")
    azurite.start()
    try:
        yield azurite
    finally:
        azurite.stop()


@pytest.fixture
def fault_settings(own_azurite: OwnAzurite, table_prefix: str) -> Settings:
    return load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": own_azurite.connection_string,
            "TABLE_PREFIX": table_prefix,
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            "JOBS_INTERVAL_SECONDS": "0",
        },
        dotenv=None,
    )


@pytest.fixture
async def faulty_connector(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[FaultyConnector, str]]:
    mock = FaultyConnector()
    server = await aiohttp_server(mock.app())
    yield mock, str(server.make_url("")).rstrip("/")
    mock.release()


async def start_bot(
    settings: Settings,
    connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    session: ClientSession,
) -> BotUnderTest:
    """The real app, listening on loopback, tables created and directory loaded."""
    app = init_app(settings)
    server = await aiohttp_server(app)
    await asyncio.wait_for(app[READY].wait(), 60)
    mock, service_url = connector
    return BotUnderTest(server, session, mock, service_url + "/")


@pytest.fixture
async def fault_bot(
    fault_settings: Settings,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    """The bot on the test's own Azurite, with a connector that can misbehave."""
    async with ClientSession() as session:
        yield await start_bot(fault_settings, faulty_connector, aiohttp_server, session)


@pytest.fixture
async def teams_bot(
    settings: Settings,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    """The bot on the session's Azurite, with a connector that can misbehave."""
    async with ClientSession() as session:
        yield await start_bot(settings, faulty_connector, aiohttp_server, session)


@pytest.fixture
async def counted_bot(
    settings: Settings,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[BotUnderTest, CountingStore]]:
    """The bot on the session's Azurite, every storage write written down."""
    store = CountingStore(
        AzureTableStore(settings.storage_connection_string, settings.table_prefix)
    )
    app = init_app(settings, store=store)
    server = await aiohttp_server(app)
    await asyncio.wait_for(app[READY].wait(), 60)
    mock, service_url = faulty_connector
    async with ClientSession() as session:
        yield BotUnderTest(server, session, mock, service_url + "/"), store
