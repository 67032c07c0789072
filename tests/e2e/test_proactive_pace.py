"""The pace of proactive messages is the TEAMS_SENDS_PER_SECOND setting of the running app."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.settings import Settings
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.connector import MockConnector

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hoi"}]}


@pytest.fixture
async def slow_bot(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    app = init_app(replace(settings, teams_sends_per_second=4.0))
    server = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    async with ClientSession() as session:
        yield BotUnderTest(server, session, mock, service_url + "/")


async def test_proactive_cards_keep_the_configured_pace(slow_bot: BotUnderTest) -> None:
    for user in (SANNE, PIETER):
        assert (await slow_bot.post(user.install(slow_bot.service_url))).status == 200
    slow_bot.connector.sent.clear()  # the welcome replies
    notifier = slow_bot.server.app[SERVICES].notifier
    started = time.monotonic()
    for _ in range(4):
        for user in (SANNE, PIETER):
            await notifier.send_card(TENANT, user.aad_id, CARD)
    # 8 sends at 4/s with a burst of 3: the last may start (8 - 3) / 4 s after the first. At
    # the default 45/s they would all be out within about 0.15 s.
    assert time.monotonic() - started >= 1.2
    assert len(slow_bot.connector.sent) == 8
