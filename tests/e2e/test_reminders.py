"""Reminders and escalation driven by an injected clock, exactly once across instances."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.domain.reminders import AMSTERDAM, ReminderPolicy, working_days_between
from bot.domain.requests import ApproverRole
from bot.services.context import Services
from bot.services.reminders import remind_and_escalate
from bot.settings import Settings
from dialogs.requests_view import CardPresenter
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import declare, install, only_request
from tests.support.activities import MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import WINE, click, texts
from tests.support.kinds import KINDS

HAMPER = {**WINE, "description": "Kerstpakket", "value": "75"}
POLICY = ReminderPolicy(remind_after=3, escalate_after=2)
PRESENTER = CardPresenter(KINDS)


def at(services: Services, moment: datetime) -> Services:
    """The same services, with the clock set to `moment`."""
    return replace(services, clock=lambda: moment)


def after_working_days(start: datetime, days: int) -> datetime:
    """The first moment (in whole days after `start`) that is `days` working days later."""
    moment = start
    local = start.astimezone(AMSTERDAM).date()
    while working_days_between(local, moment.astimezone(AMSTERDAM).date()) < days:
        moment += timedelta(days=1)
    return moment


def cards_to(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    sent = bot.connector.to(user.conversation_id)
    return [s.card for s in sent if s.method == "POST" and s.card is not None]


async def test_a_waiting_request_is_reminded_once_then_escalated_to_the_managers_manager(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, MARIEKE)
    await declare(bot, HAMPER)  # to hand in: a question for the manager, not only a report
    created = (await only_request(bot)).created_at
    services = bot.server.app[SERVICES]

    assert (
        await remind_and_escalate(at(services, created + timedelta(hours=1)), PRESENTER, POLICY)
        == 0
    )
    third_day = after_working_days(created, 3)
    assert await remind_and_escalate(at(services, third_day), PRESENTER, POLICY) == 1
    assert await remind_and_escalate(at(services, third_day), PRESENTER, POLICY) == 0
    to_pieter = cards_to(bot, PIETER)
    assert len(to_pieter) == 2  # the approval card, then one reminder
    assert "Herinnering" in texts(to_pieter[-1])

    fifth_day = after_working_days(created, 5)
    assert await remind_and_escalate(at(services, fifth_day), PRESENTER, POLICY) == 1
    escalated = await only_request(bot)
    assert escalated.approver.id == MARIEKE.aad_id
    assert escalated.approver_role is ApproverRole.ESCALATION
    assert [e.action for e in escalated.audit] == ["submitted", "reminded", "escalated"]
    assert await services.requests.inbox(TENANT, PIETER.aad_id) == []

    [to_marieke] = cards_to(bot, MARIEKE)
    refused = await click(bot, PIETER, to_marieke, "request.hand_in")
    assert "Alleen de aangewezen beoordelaar" in texts(refused)
    decided = await click(bot, MARIEKE, to_marieke, "request.hand_in", {}, "msg-9")
    assert "Besloten door jou" in texts(decided)
    assert "Het cadeau wordt ingeleverd" in texts(decided)
    later = fifth_day + timedelta(days=30)
    assert await remind_and_escalate(at(services, later), PRESENTER, POLICY) == 0


async def test_a_gift_the_employee_may_keep_is_reminded_once_and_never_escalated(
    bot: BotUnderTest,
) -> None:
    """Reporting a gift one may keep asks the manager to take note, not to decide (§2)."""
    await install(bot, SANNE, PIETER, MARIEKE)
    await declare(bot, WINE)
    created = (await only_request(bot)).created_at
    services = bot.server.app[SERVICES]
    assert (
        await remind_and_escalate(at(services, after_working_days(created, 3)), PRESENTER, POLICY)
        == 1
    )
    for days in (5, 8, 30):
        moment = after_working_days(created, days)
        assert await remind_and_escalate(at(services, moment), PRESENTER, POLICY) == 0
    kept = await only_request(bot)
    assert kept.approver.id == PIETER.aad_id and kept.escalated_at is None
    assert [e.action for e in kept.audit] == ["submitted", "reminded"]
    assert cards_to(bot, MARIEKE) == []


async def test_two_instances_send_each_reminder_exactly_once(
    bot: BotUnderTest,
    settings: Settings,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    second_app = init_app(settings)  # a second bot instance on the same Table storage
    await aiohttp_server(second_app)
    await second_app[READY].wait()
    await install(bot, SANNE, PIETER, MARIEKE)
    for n in range(5):
        await declare(bot, {**WINE, "description": f"Cadeau {n}"})
    created = datetime.now(tz=AMSTERDAM)  # all five were just submitted
    moment = after_working_days(created, 3) + timedelta(hours=1)
    first = at(bot.server.app[SERVICES], moment)
    second = at(second_app[SERVICES], moment)
    counts = await asyncio.gather(
        remind_and_escalate(first, PRESENTER, POLICY),
        remind_and_escalate(second, PRESENTER, POLICY),
        remind_and_escalate(first, PRESENTER, POLICY),
    )
    assert sum(counts) == 5
    reminders = [c for c in cards_to(bot, PIETER) if "Herinnering" in texts(c)]
    assert len(reminders) == 5
