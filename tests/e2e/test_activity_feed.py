"""Reminders and escalations in the Teams activity feed (Graph sendActivityNotification), next
to the chat message, against a loopback Graph and Entra ID that speak the real protocol: the
activity types the manifest declares, 403/404 falling back to the chat message, 429 retried
after its Retry-After, and the feed's own pace."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.app import ACTIVITY_FEED, SERVICES, init_app
from bot.feed import GraphActivityFeed
from bot.services.context import Services
from bot.services.notify import FeedNotice
from bot.services.reminders import ESCALATION_ACTIVITY, REMINDER_ACTIVITY, remind_and_escalate
from bot.settings import Settings, SettingsError, load_settings
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import declare, install, only_request
from tests.e2e.test_reminders import HAMPER, POLICY, PRESENTER, after_working_days, at, cards_to
from tests.support.activities import MARIEKE, PIETER, SANNE, TENANT
from tests.support.entra import FakeEntra
from tests.support.flows import texts
from tests.support.graph import FakeGraph, served

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "infra" / "appPackage" / "manifest.json").read_text("utf-8"))
APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
SECRET = "test-only-client-secret"
NOTICE = FeedNotice(
    REMINDER_ACTIVITY,
    "Een verzoek wacht",
    "Integriteitsbot",
    f"https://teams.microsoft.com/l/chat/0/0?users=28:{APP_ID}",
    {"reference": "R"},
)


class Sleeps:
    """Records the waits the retry policy asks for, without waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    fake, url = await served(entra, aiohttp_server, (APP_ID, SECRET))
    # Graph accepts only the activity types the app's manifest declares.
    fake.activity_types = {t["type"] for t in MANIFEST["activities"]["activityTypes"]}
    return fake, url


def feed_settings(entra: FakeEntra, graph_url: str, **extra: str) -> Settings:
    return load_settings(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": SECRET,
            "MicrosoftAppTenantId": TENANT,
            "GRAPH_BASE_URL": graph_url,
            "GRAPH_LOGIN_URL": entra.base_url,
            "FEED_NOTIFICATIONS": "1",
            # What a configuration with an app id needs besides (#17 point 2).
            "BOT_PUBLIC_URL": "https://integriteitsbot.woongroen.example",
            "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            **extra,
        },
        dotenv=None,
    )


@pytest.fixture
async def feed(
    entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> AsyncIterator[tuple[GraphActivityFeed, Sleeps, Settings]]:
    settings = feed_settings(entra, graph[1])
    sleeps = Sleeps()
    client = GraphActivityFeed.from_settings(settings, sleep=sleeps)
    yield client, sleeps, settings
    await client.close()


def with_feed(bot: BotUnderTest, feed: tuple[GraphActivityFeed, Sleeps, Settings]) -> Services:
    """The running bot's services with the activity feed on (the app id the link names)."""
    services: Services = bot.server.app[SERVICES]
    client, _, settings = feed
    return replace(services, feed=client, settings=settings)


async def test_a_reminder_and_an_escalation_reach_the_activity_feed_and_the_chat(
    bot: BotUnderTest,
    graph: tuple[FakeGraph, str],
    feed: tuple[GraphActivityFeed, Sleeps, Settings],
) -> None:
    fake, _ = graph
    await install(bot, SANNE, PIETER, MARIEKE)
    await declare(bot, HAMPER)  # a gift to decide on: reminded, then escalated
    request = await only_request(bot)
    services = with_feed(bot, feed)

    third_day = at(services, after_working_days(request.created_at, 3))
    assert await remind_and_escalate(third_day, PRESENTER, POLICY) == 1
    [(user, body)] = fake.notifications
    assert user == PIETER.aad_id
    assert body["activityType"] == REMINDER_ACTIVITY
    assert body["templateParameters"] == [{"name": "reference", "value": request.id}]
    assert body["previewText"]["content"].startswith("Een verzoek wacht nog op je besluit")
    assert request.id in body["previewText"]["content"]
    assert len(body["previewText"]["content"]) <= 150
    assert body["topic"] == {
        "source": "text",
        "value": "Integriteitsbot",
        "webUrl": f"https://teams.microsoft.com/l/chat/0/0?users=28:{APP_ID}",
    }
    # The chat message is still sent: the card with the buttons.
    assert "Herinnering" in texts(cards_to(bot, PIETER)[-1])

    fifth_day = at(services, after_working_days(request.created_at, 5))
    assert await remind_and_escalate(fifth_day, PRESENTER, POLICY) == 1
    user, body = fake.notifications[-1]
    assert (user, body["activityType"]) == (MARIEKE.aad_id, ESCALATION_ACTIVITY)
    assert "doorgezet" in body["previewText"]["content"]
    assert len(cards_to(bot, MARIEKE)) == 1


def test_the_manifest_declares_what_the_bot_sends() -> None:
    """Each activity type the bot sends is declared, with a template using exactly the
    parameters it sends, and the manifest names the bot's Entra app (Graph finds it by that)."""
    declared = {t["type"]: t["templateText"] for t in MANIFEST["activities"]["activityTypes"]}
    assert set(declared) == {REMINDER_ACTIVITY, ESCALATION_ACTIVITY}
    for template in declared.values():
        assert set(re.findall(r"\{(\w+)\}", template)) == {"reference"}
    assert MANIFEST["webApplicationInfo"]["id"] == MANIFEST["bots"][0]["botId"]


@pytest.mark.parametrize("refusal", [403, 404])
async def test_when_graph_refuses_the_chat_message_stands_alone(
    bot: BotUnderTest,
    graph: tuple[FakeGraph, str],
    feed: tuple[GraphActivityFeed, Sleeps, Settings],
    refusal: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake, _ = graph
    fake.feed_refusal = refusal  # 403: no TeamsActivity.Send consent; 404: app not installed
    await install(bot, SANNE, PIETER, MARIEKE)
    await declare(bot, HAMPER)  # a gift to decide on: reminded, then escalated
    request = await only_request(bot)
    services = with_feed(bot, feed)
    with caplog.at_level(logging.WARNING, logger="bot.feed"):
        sent = await remind_and_escalate(
            at(services, after_working_days(request.created_at, 3)), PRESENTER, POLICY
        )
    assert sent == 1
    assert fake.feed_attempts == 1  # a refusal is not repeated
    assert fake.notifications == []
    assert "Herinnering" in texts(cards_to(bot, PIETER)[-1])
    assert [e.action for e in (await only_request(bot)).audit] == ["submitted", "reminded"]
    assert any(str(refusal) in r.getMessage() for r in caplog.records)
    assert feed[1].seconds == []


async def test_throttling_is_retried_after_its_retry_after(
    graph: tuple[FakeGraph, str], feed: tuple[GraphActivityFeed, Sleeps, Settings]
) -> None:
    fake, _ = graph
    client, sleeps, _ = feed
    fake.fail_next(429, {"Retry-After": "7"})
    fake.fail_next(503, {"Retry-After": "2"})
    notice = replace(NOTICE, parameters={"reference": "CAD-1"})
    assert await client.notify(TENANT, PIETER.aad_id, notice) is True
    assert sleeps.seconds == [7.0, 2.0]
    assert fake.feed_attempts == 3 and len(fake.notifications) == 1


async def test_an_undeclared_activity_type_is_refused_and_reported(
    graph: tuple[FakeGraph, str], feed: tuple[GraphActivityFeed, Sleeps, Settings]
) -> None:
    fake, _ = graph
    notice = FeedNotice("somethingElse", "x", "Integriteitsbot", "https://teams.microsoft.com/l")
    assert await feed[0].notify(TENANT, PIETER.aad_id, notice) is False
    assert fake.notifications == []


async def test_the_feed_keeps_its_own_pace(entra: FakeEntra, graph: tuple[FakeGraph, str]) -> None:
    fake, url = graph
    client = GraphActivityFeed.from_settings(
        feed_settings(entra, url, FEED_NOTIFICATIONS_PER_SECOND="5")
    )
    notice = NOTICE
    try:
        await client.notify(TENANT, PIETER.aad_id, notice)  # the token, outside the timing
        started = time.monotonic()
        results = await asyncio.gather(
            *(client.notify(TENANT, f"user-{n}", notice) for n in range(10))
        )
        elapsed = time.monotonic() - started
    finally:
        await client.close()
    assert all(results) and len(fake.notifications) == 11
    # 5 a second: eleven requests cannot all go within the first second.
    assert elapsed >= 1.0, elapsed


async def test_the_app_builds_the_feed_only_when_asked(
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    azurite_connection: str,
    table_prefix: str,
) -> None:
    common = {"AZURE_STORAGE_CONNECTION_STRING": azurite_connection, "TABLE_PREFIX": table_prefix}
    on = init_app(feed_settings(entra, graph[1], **common))
    assert isinstance(on[SERVICES].feed, GraphActivityFeed)
    assert on[ACTIVITY_FEED] is on[SERVICES].feed
    off = init_app(feed_settings(entra, graph[1], FEED_NOTIFICATIONS="", **common))
    assert off[SERVICES].feed is None
    with pytest.raises(SettingsError, match="FEED_NOTIFICATIONS"):
        load_settings({"FEED_NOTIFICATIONS": "1"}, dotenv=None)
    for app in (on, off):
        await app[SERVICES].store.close()
    await on[ACTIVITY_FEED].close()
