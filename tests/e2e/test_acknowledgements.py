"""The yearly acknowledgement of the code over HTTP: the integrity officer starts it, the job asks
everyone (once per round, also with two instances), people confirm, status per department."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.services.acknowledgements import send_due
from bot.services.context import Services
from bot.settings import Settings
from bot.storage.acknowledgements import AcknowledgementRepository
from dialogs.acknowledge import ask_card
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.e2e.test_registers import xlsx_rows
from tests.support.activities import FATIMA, JOOST, LOTTE, PIETER, SANNE, TENANT
from tests.support.download import download as fetch_export
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


async def fetched(bot: BotUnderTest, url: str) -> tuple[str, bytes]:
    """(file name, content) of a one-time export link, as a browser downloads it."""
    response = await fetch_export(
        bot.session, str(bot.server.make_url("/exports/" + url.rsplit("/", 1)[1]))
    )
    assert response.status == 200
    disposition = response.headers["Content-Disposition"]
    return disposition.split('filename="', 1)[1].rstrip('"'), await response.read()


async def test_the_status_names_who_has_not_confirmed_for_hr_and_the_officer_and_exports_it(
    bot: BotUnderTest,
) -> None:
    services = await started(bot)
    await send_due(services, ask_card)
    [card] = cards_to(bot, SANNE)
    await click(bot, SANNE, card, "ack.confirm")

    status = await open_flow(bot, LOTTE, "ack.status")
    shown = texts(status)
    assert "Nog niet bevestigd (6)" in shown
    for name in ("Pieter Bakker", "Fatima el Amrani", "Marieke Jansen", "Henk de Boer"):
        assert name in shown
    assert "Sanne de Vries" not in shown
    assert "Bedrijfsvoering (niet bereikt)" in shown  # Lotte never opened the bot

    # HR follows it too (names included), but cannot start it.
    hr = await open_flow(bot, JOOST, "ack.status")
    assert "Pieter Bakker" in texts(hr) and "ack.start" not in str(hr)
    refused = await bot.post(JOOST.invoke(bot.service_url, "ack.start", {}))
    assert "Alleen de integriteitsfunctionaris" in texts((await refused.json())["value"])

    # The export: everyone not confirmed, with e-mail, through the one-time link.
    export = await click(bot, JOOST, hr, "ack.export", {"format": "csv"})
    [link] = [a for a in export["actions"] if a["type"] == "Action.OpenUrl"]
    name, body = await fetched(bot, link["url"])
    assert name == f"bevestiging-gedragscode-{services.clock().year}-nog-niet.csv"
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert sorted(r["Naam"] for r in rows) == [
        "Fatima el Amrani",
        "Henk de Boer",
        "Joost Visser",
        "Lotte Smit",
        "Marieke Jansen",
        "Pieter Bakker",
    ]
    [pieter] = [r for r in rows if r["Naam"] == "Pieter Bakker"]
    assert pieter["E-mailadres"] == "pieter.bakker@woongroen.example"
    assert pieter["Afdeling"] == "Wonen" and pieter["Status"] == "nog niet bevestigd"
    xlsx = await click(bot, LOTTE, status, "ack.export", {"format": "xlsx"})
    [link] = [a for a in xlsx["actions"] if a["type"] == "Action.OpenUrl"]
    name, content = await fetched(bot, link["url"])
    assert name.endswith(".xlsx")
    assert len(xlsx_rows(content)) == 6
    # An employee gets no list and no export.
    denied = await bot.post(SANNE.invoke(bot.service_url, "ack.export", {"format": "csv"}))
    assert "/exports/" not in str(await denied.json())


async def test_every_acknowledgement_card_links_to_the_codes_text(bot: BotUnderTest) -> None:
    services = await started(bot)
    await send_due(services, ask_card)
    [card] = cards_to(bot, SANNE)
    url = services.settings.code_url

    def links(card: dict[str, Any]) -> list[tuple[str, str]]:
        return [(a["title"], a["url"]) for a in card["actions"] if a["type"] == "Action.OpenUrl"]

    assert links(card) == [("Lees de volledige gedragscode", url)]
    thanks = await click(bot, SANNE, card, "ack.confirm")
    assert links(thanks) == [("Lees de volledige gedragscode", url)]
    status = await open_flow(bot, LOTTE, "ack.status")
    assert links(status) == [("Lees de volledige gedragscode", url)]
    assert links(ask_card(2026, 1, "en-US", url)) == [("Read the full code of conduct", url)]
