"""The yearly acknowledgement of the code over HTTP: the integrity officer starts it, the job asks
everyone (once per round, also with two instances), people confirm, status per department."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.services.acknowledgements import send_due
from bot.services.context import Services
from bot.settings import Settings
from bot.storage.acknowledgements import AcknowledgementRepository
from dialogs.acknowledge import ask_card
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.support.activities import FATIMA, LOTTE, PIETER, SANNE, TENANT
from tests.support.flows import actions, click, open_flow, texts

REACHABLE = (SANNE, PIETER, FATIMA)


async def started(bot: BotUnderTest) -> Services:
    await install(bot, *REACHABLE)
    menu = await open_flow(bot, LOTTE, "menu.open")
    status = await click(bot, LOTTE, menu, "ack.status")
    assert "nog niet gestart" in texts(status)
    after = await click(bot, LOTTE, status, "ack.start")
    assert "gestart voor 7 medewerkers" in texts(after)
    return bot.server.app[SERVICES]


def cards_to(bot: BotUnderTest, user: object) -> list[dict[str, object]]:
    sent = bot.connector.to(user.conversation_id)  # type: ignore[attr-defined]
    return [s.card for s in sent if s.card is not None]


async def test_the_campaign_asks_everyone_once_and_tracks_confirmations_per_department(
    bot: BotUnderTest,
) -> None:
    services = await started(bot)
    assert await send_due(services, ask_card) == 3
    for user in REACHABLE:
        [card] = cards_to(bot, user)
        assert "Ik ken de gedragscode" in texts(card)
        assert [a["verb"] for a in actions(card)] == ["ack.confirm", "gift.open", "sidejob.open"]
    assert await send_due(services, ask_card) == 0  # a second pass resends nothing
    assert sum(len(cards_to(bot, u)) for u in REACHABLE) == 3

    [card] = cards_to(bot, SANNE)
    thanks = await click(bot, SANNE, card, "ack.confirm")
    assert "je bevestiging is vastgelegd" in texts(thanks)
    assert "ack.confirm" not in str(thanks)
    await click(bot, SANNE, card, "ack.confirm")  # twice is still one confirmation

    status = texts(await open_flow(bot, LOTTE, "ack.status"))
    assert "1 van de 7 medewerkers hebben bevestigd (14%). Niet bereikt: 4." in status
    assert "Wonen" in status and "1 van 2 (50%)" in status
    assert "0 van 2 (0%), 1 niet bereikt" in status  # Bedrijfsvoering: Lotte never opened the bot
    people = await AcknowledgementRepository(services.store).people(TENANT, services.clock().year)
    assert sorted(p.person_id for p in people if p.confirmed) == [SANNE.aad_id]
    assert {p.undelivered for p in people if p.person_id == LOTTE.aad_id} == {
        "NoConversationReference"
    }


async def test_a_reminder_round_reaches_only_those_who_have_not_confirmed(
    bot: BotUnderTest,
) -> None:
    services = await started(bot)
    await send_due(services, ask_card)
    [card] = cards_to(bot, SANNE)
    await click(bot, SANNE, card, "ack.confirm")
    later = dataclasses.replace(
        services,
        clock=lambda: services.clock() + timedelta(days=services.settings.ack_reminder_days),
    )
    assert await send_due(later, ask_card) == 2
    assert len(cards_to(bot, SANNE)) == 1
    for user in (PIETER, FATIMA):
        first, reminder = cards_to(bot, user)
        assert "Herinnering" in texts(reminder) and "Herinnering" not in texts(first)
    assert await send_due(later, ask_card) == 0


async def test_two_instances_running_the_job_send_each_person_one_message(
    bot: BotUnderTest,
    settings: Settings,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    first = await started(bot)
    other_app = init_app(settings)  # a second instance on the same tables
    await aiohttp_server(other_app)
    await other_app[READY].wait()
    second = other_app[SERVICES]
    assert second is not first
    counts = await asyncio.gather(
        send_due(first, ask_card), send_due(second, ask_card), send_due(first, ask_card)
    )
    assert sum(counts) == 3
    for user in REACHABLE:
        assert len(cards_to(bot, user)) == 1


async def test_an_employee_cannot_start_or_follow_the_campaign(bot: BotUnderTest) -> None:
    services = bot.server.app[SERVICES]
    for verb in ("ack.start", "ack.status"):
        response = await bot.post(SANNE.invoke(bot.service_url, verb, {}))
        assert "Alleen de integriteitsfunctionaris" in texts((await response.json())["value"])
    repository = AcknowledgementRepository(services.store)
    assert await repository.campaigns() == []
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "ack.status" not in str(menu)


async def test_someone_not_asked_yet_can_confirm_and_counts_in_their_department(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    year = services.clock().year
    thanks = (
        await (
            await bot.post(SANNE.invoke(bot.service_url, "ack.confirm", {"year": str(year)}))
        ).json()
    )["value"]
    assert "je bevestiging is vastgelegd" in texts(thanks)
    [row] = await AcknowledgementRepository(services.store).people(TENANT, year)
    assert (row.person_id, row.department, row.confirmed) == (SANNE.aad_id, "Wonen", True)
