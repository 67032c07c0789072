"""HTTP end-to-end fixtures: the real bot app on a loopback port, and a loopback Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.settings import Settings
from tests.support.connector import MockConnector


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
