"""HTTP end-to-end fixtures: the real bot app on a loopback port, and a loopback Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.settings import Settings
from tests.support.connector import MockConnector

if TYPE_CHECKING:
    from tests.support.entra import FakeEntra
    from tests.support.leaks import Clock
    from tests.support.tab import TabBot


class BotUnderTest:
    """Posts activities to the running bot's /api/messages like Teams does."""

    def __init__(
        self, server: TestServer, session: ClientSession, connector: MockConnector, service_url: str
    ) -> None:
        self.server = server
        self.session = session
        self.connector = connector
        self.service_url = service_url

    @property
    def url(self) -> str:
        return str(self.server.make_url("/api/messages"))

    async def post(
        self, activity: dict[str, Any] | str | bytes, content_type: str = "application/json"
    ) -> ClientResponse:
        if isinstance(activity, dict):
            return await self.session.post(self.url, json=activity)
        return await self.session.post(
            self.url, data=activity, headers={"Content-Type": content_type}
        )


@pytest.fixture
async def connector(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[MockConnector, str]]:
    mock = MockConnector()
    server = await aiohttp_server(mock.app())
    yield mock, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def bot(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    app = init_app(settings)
    server = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    async with ClientSession() as session:
        yield BotUnderTest(server, session, mock, service_url + "/")


@pytest.fixture
def clock() -> Clock:
    """The time the bot sees; tests move it (`clock.advance(hours=1)`)."""
    from tests.support.leaks import Clock

    return Clock()


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client:
        yield client


@pytest.fixture
async def clocked_bot(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    session: ClientSession,
    clock: Clock,
) -> BotUnderTest:
    """The bot with `clock` as its time; background jobs are run by the tests."""
    from tests.support.leaks import start_bot

    return await start_bot(settings, connector, aiohttp_server, session, clock)


@pytest.fixture
async def tab(
    settings: Settings,
    entra: FakeEntra,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[TabBot]:
    """The bot with the personal tab served (an app id, SSO against the loopback Entra)."""
    from tests.support.tab import TabBot, start_graph, tab_settings

    graph_url = await start_graph(entra, aiohttp_server)
    app = init_app(tab_settings(settings, entra, graph_url))
    server = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    async with ClientSession() as session:
        yield TabBot(server, session, mock, service_url + "/", entra)
