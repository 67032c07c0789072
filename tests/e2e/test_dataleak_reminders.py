"""The 72-hour clock: reminders to the privacy office at 24, 48 and 66 hours after discovery,
each sent exactly once although two bot instances run the same job at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.app import background_jobs
from bot.services.jobs import run_pass
from bot.settings import Settings
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_dataleak_flow import JOOST, MAIL, install, only_breach, report
from tests.support.activities import FATIMA, PIETER, SANNE
from tests.support.connector import MockConnector
from tests.support.flows import click, texts
from tests.support.leaks import Clock, services_of, start_bot

# MAIL says: discovered 29 Nov 2026 10:30 Amsterdam (09:30 UTC); the clock starts at 11:00.


@pytest.fixture
async def two_instances(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
) -> AsyncIterator[tuple[BotUnderTest, BotUnderTest, Clock]]:
    """Two app instances (own store client, own notifier) on one Azurite and one Teams."""
    clock = Clock()
    async with ClientSession() as session:
        first = await start_bot(settings, connector, aiohttp_server, session, clock)
        second = await start_bot(settings, connector, aiohttp_server, session, clock)
        yield first, second, clock


def reminders(bot: BotUnderTest) -> list[str]:
    """The reminder lines the privacy office received, in order, per recipient."""
    found = []
    for sent in bot.connector.sent:
        if sent.method == "POST" and sent.card is not None and "Herinnering" in texts(sent.card):
            line = next(t for t in texts(sent.card).splitlines() if t.startswith("Herinnering"))
            found.append(f"{sent.conversation_id}: {line}")
    return found


async def both_run_jobs(first: BotUnderTest, second: BotUnderTest) -> int:
    results = await asyncio.gather(
        run_pass(background_jobs(services_of(first))),
        run_pass(background_jobs(services_of(second))),
    )
    return sum(r["dataleak.reminders"] for r in results)


async def test_reminders_at_24_48_and_66_hours_exactly_once_across_two_instances(
    two_instances: tuple[BotUnderTest, BotUnderTest, Clock],
) -> None:
    first, second, clock = two_instances
    await install(first, SANNE, PIETER, FATIMA, JOOST)
    await report(first, MAIL)
    first.connector.sent.clear()

    clock.now = clock.now.replace(hour=9, minute=29, day=30)  # 23h59m after discovery
    assert await both_run_jobs(first, second) == 0
    assert reminders(first) == []

    expected: list[str] = []
    for hours, day, hour in ((24, 30, 9), (48, 1, 9), (66, 2, 3)):
        month = 12 if day < 29 else 11
        clock.now = clock.now.replace(month=month, day=day, hour=hour, minute=30)
        assert await both_run_jobs(first, second) == 1
        assert await both_run_jobs(first, second) == 0  # and not again on the next pass
        line = f"Herinnering: {hours} uur na ontdekking is er nog geen besluit"
        expected += [f"{u.conversation_id}: {line}" for u in (FATIMA, JOOST)]
        got = reminders(first)
        assert [g.split(" over ")[0] for g in got] == expected
    assert not [s for s in first.connector.sent if s.conversation_id == PIETER.conversation_id]

    breach = await only_breach(first)
    assert breach.reminders_sent == 3
    claims = [e.detail for e in breach.audit if e.action == "reminder_claimed"]
    assert claims == ["24h", "48h", "66h"]
    # Each reminder card is kept, so later decisions update it too.
    assert len(breach.alerts[FATIMA.aad_id]) == 4


async def test_after_an_outage_only_the_latest_reminder_is_sent_and_a_decision_stops_them(
    two_instances: tuple[BotUnderTest, BotUnderTest, Clock],
) -> None:
    first, second, clock = two_instances
    await install(first, SANNE, FATIMA)
    await report(first, MAIL)
    first.connector.sent.clear()

    clock.now = clock.now.replace(day=1, month=12, hour=10)  # 48.5 h: both 24 and 48 passed
    assert await both_run_jobs(first, second) == 1
    [only] = reminders(first)
    assert "Herinnering: 48 uur na ontdekking" in only

    breach = await only_breach(first)
    card = next(s.card for s in first.connector.sent if s.card is not None)
    decided = await click(
        first, FATIMA, card, "dataleak.ap_yes", {}, breach.alerts[FATIMA.aad_id][-1]
    )
    assert "Melden bij de AP: ja" in texts(decided)
    clock.now = clock.now.replace(day=2, hour=4)  # 66.5 h
    assert await both_run_jobs(first, second) == 0


async def test_notifying_after_72_hours_needs_the_reason_for_the_delay(
    two_instances: tuple[BotUnderTest, BotUnderTest, Clock],
) -> None:
    first, _, clock = two_instances
    await install(first, SANNE, FATIMA)
    await report(first, MAIL)
    card = next(s.card for s in first.connector.sent if s.card is not None)
    clock.now = clock.now.replace(day=2, month=12, hour=9, minute=31)  # 72 h + 1 min
    late = await click(first, FATIMA, card, "dataleak.ap_yes", {"reason": ""})
    assert "termijn {" not in texts(late)
    assert "reden van de vertraging" in texts(late)
    assert "termijn 1 min geleden verstreken" in texts(late)
    reason = "Omvang pas na onderzoek van de leverancier bekend"
    done = await click(first, FATIMA, card, "dataleak.ap_yes", {"reason": reason})
    assert "Melden bij de AP: ja, na de termijn" in texts(done)
    breach = await only_breach(first)
    assert breach.ap is not None and breach.ap.late and breach.ap.reason == reason


async def test_a_reminder_nobody_received_is_tried_again_on_the_next_pass(
    two_instances: tuple[BotUnderTest, BotUnderTest, Clock],
) -> None:
    first, second, clock = two_instances
    await install(first, SANNE, PIETER, FATIMA, JOOST)
    await report(first, MAIL)
    first.connector.sent.clear()
    clock.now = clock.now.replace(day=30, hour=9, minute=30)  # 24 hours after discovery

    first.connector.fail_next(403, times=2)  # Teams refuses both privacy-office recipients
    done = await run_pass(background_jobs(services_of(first)))
    assert done["dataleak.reminders"] == 0  # claimed, but nobody was reached
    assert reminders(first) == []
    breach = await only_breach(first)
    assert breach.reminders_sent == 0  # the stage was given back
    assert [e.action for e in breach.audit].count("reminder_claimed") == 1

    assert await both_run_jobs(first, second) == 1  # the next pass: delivered, once
    assert len(reminders(first)) == 2
    assert (await only_breach(first)).reminders_sent == 1
