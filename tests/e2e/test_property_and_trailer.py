"""Company property and the trailer (§3 and its footnote), end to end over HTTP: borrowing is
refused or answered on the spot by the rule, or put to the manager; the trailer is booked by
date and slot, provisionally, and a tenant's booking entered by the trailer desk cancels an
employee's provisional booking of that slot and tells its holder."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.settings import Settings
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_negotiations import facts
from tests.e2e.test_questions_and_concern import _text
from tests.e2e.test_registers import submit
from tests.support.activities import EMMA_EN, JOOST, PIETER, SANNE, TENANT, TeamsUser
from tests.support.connector import MockConnector
from tests.support.flows import WINE, actions, click, inputs, objects, open_flow, texts
from tests.support.leaks import Clock, services_of, start_bot

# The clock starts on Sunday 29 November 2026; TRAILER_FIRM_DAYS is 3 by default.
SATURDAY = "2026-12-12"
SATURDAY_DAY = date(2026, 12, 12)


@pytest.fixture
async def desk_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    for user in (SANNE, PIETER):  # Pieter Bakker is the trailer desk in the demo directory
        await clocked_bot.post(user.install(clocked_bot.service_url))
    return clocked_bot


def posted_to(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [
        s.card
        for s in bot.connector.to(user.conversation_id)
        if s.method == "POST" and s.card is not None
    ]


async def borrow(bot: BotUnderTest, values: dict[str, str]) -> dict[str, Any]:
    form = await open_flow(bot, SANNE, "borrow.open")
    return await click(bot, SANNE, form, "borrow.submit", values)


async def test_tools_and_expensive_things_are_refused_with_the_reason_and_nothing_is_filed(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    welcomed = len(posted_to(bot, PIETER))
    tool = await borrow(bot, {"item": "Boormachine", "category": "tool", "value": "60"})
    assert tool["body"][0]["text"] == "Gereedschap leent Woongroen niet uit"
    assert "kosten te hoog" in texts(tool) and "niets vastgelegd" in texts(tool)
    dear = await borrow(bot, {"item": "Partytent", "category": "other", "value": "100"})
    assert dear["body"][0]["text"] == "Dit leent Woongroen niet uit"
    assert "honderd euro of meer" in texts(dear)
    assert await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id) == []
    assert len(posted_to(bot, PIETER)) == welcomed


async def test_printer_work_material_and_devices_are_answered_without_filing(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    printer = await borrow(bot, {"item": "Een paar kopieën", "category": "printer"})
    assert printer["body"][0]["text"] == "Dat is geen probleem"
    work = await borrow(bot, {"item": "Ordners", "category": "work_material"})
    assert work["body"][0]["text"] == "Dat mag"
    device = await borrow(bot, {"item": "Laptop", "category": "device"})
    assert "gebruikersovereenkomst" in texts(device)
    trailer = await borrow(bot, {"item": "Aanhanger", "category": "trailer"})
    assert "trailer.open" in [a["verb"] for a in actions(trailer)]
    assert await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id) == []


async def test_something_cheap_goes_to_the_manager_and_a_missing_value_is_asked_for(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    missing = await borrow(bot, {"item": "Statafel", "category": "other"})
    assert "Vul in wat het ongeveer waard is" in texts(missing)
    assert inputs(missing)["item"] == "Statafel"  # nothing typed is lost
    card = await click(
        bot,
        SANNE,
        missing,
        "borrow.submit",
        {"item": "Statafel", "category": "other", "value": "40"},
    )
    assert "Pieter Bakker" in texts(card)
    [request] = await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id)
    assert (request.kind, request.verdict, request.approver.id) == (
        "borrow",
        "manager_decides",
        PIETER.aad_id,
    )
    assert any("Statafel" in texts(c) for c in posted_to(bot, PIETER))


async def test_plain_sentences_open_the_flows(desk_bot: BotUnderTest) -> None:
    bot = desk_bot
    card = await _text(
        bot, SANNE.message(bot.service_url, "ik wil de aanhangwagen reserveren voor zaterdag")
    )
    assert card["body"][0]["text"] == "De aanhangwagen reserveren"
    card = await _text(bot, SANNE.message(bot.service_url, "ik wil de ladder van kantoor lenen"))
    assert card["body"][0]["text"] == "Iets van Woongroen lenen"


async def test_the_day_and_part_of_the_day_said_are_filled_in_and_booked_only_on_the_button(
    desk_bot: BotUnderTest,
) -> None:
    """Sunday 29 November: "zaterdag" is Saturday 5 December; the form shows it, changeable."""
    bot = desk_bot
    said = "ik wil de aanhangwagen reserveren voor zaterdag"
    form = await _text(bot, SANNE.message(bot.service_url, said))
    assert inputs(form)["day"] == "2026-12-05"
    assert not inputs(form).get("slot")  # no part of the day said: still to choose
    morning = await _text(bot, SANNE.message(bot.service_url, "aanhangwagen lenen zaterdagochtend"))
    assert (inputs(morning)["day"], inputs(morning)["slot"]) == ("2026-12-05", "morning")
    whole = await _text(
        bot, SANNE.message(bot.service_url, "aanhangwagen reserveren morgen de hele dag")
    )
    assert (inputs(whole)["day"], inputs(whole)["slot"]) == ("2026-11-30", "day")
    assert await services_of(bot).trailer.of_person(TENANT, SANNE.aad_id) == []  # nothing yet
    booked = await click(
        bot, SANNE, form, "trailer.submit", {"day": "2026-12-05", "slot": "afternoon"}
    )
    assert "5 december 2026" in texts(booked)


async def book(bot: BotUnderTest, user: TeamsUser, day: str, slot: str) -> dict[str, Any]:
    form = await open_flow(bot, user, "trailer.open")
    return await click(bot, user, form, "trailer.submit", {"day": day, "slot": slot})


async def desk(bot: BotUnderTest, day: str, slot: str, tenant: str) -> dict[str, Any]:
    menu = await open_flow(bot, PIETER, "menu.open")
    form = await click(bot, PIETER, menu, "trailer.desk")
    return await click(
        bot, PIETER, form, "trailer.desk_submit", {"day": day, "slot": slot, "tenant": tenant}
    )


async def test_a_tenant_booking_cancels_a_provisional_employee_booking_and_she_is_told(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    mine = await book(bot, SANNE, SATURDAY, "day")
    assert mine["body"][0]["text"] == "De aanhangwagen is voor je gereserveerd"
    assert facts(mine) == {"Dag": "12 december 2026", "Dagdeel": "Hele dag (8.00-17.00 uur)"}
    assert "Voorlopig" in texts(mine) and "9 december 2026" in texts(mine)

    taken = await book(bot, PIETER, SATURDAY, "morning")  # Pieter as an employee: taken
    assert "al bezet" in texts(taken)
    assert inputs(taken)["day"] == SATURDAY

    receipt = await desk(bot, SATURDAY, "morning", "Mevr. Jansen, Dorpsstraat 1")
    assert receipt["body"][0]["text"] == "Boeking van de huurder vastgelegd"
    assert "Sanne de Vries heeft bericht gekregen" in texts(receipt)
    told = posted_to(bot, SANNE)[-1]
    assert told["body"][0]["text"] == "Je reservering van de aanhangwagen is vervallen"
    assert facts(told)["Dag"] == "12 december 2026"
    assert "Dorpsstraat" not in texts(told)  # the tenant's name is not passed on

    bookings = await services_of(bot).trailer.on_day(TENANT, SATURDAY_DAY)
    assert [(b.booker.value, b.slot.value) for b in bookings] == [("tenant", "morning")]
    gone = await click(bot, SANNE, mine, "trailer.cancel")
    assert gone["body"][0]["text"] == "Deze reservering bestaat niet (meer)"


async def test_a_firm_booking_stays_and_the_desk_is_told_why(desk_bot: BotUnderTest) -> None:
    bot = desk_bot
    welcomed = len(posted_to(bot, SANNE))
    soon = "2026-12-01"  # within three days: firm at once
    mine = await book(bot, SANNE, soon, "afternoon")
    assert "staat vast" in texts(mine)
    refused = await desk(bot, soon, "day", "Dorpsstraat 1")
    assert "vast gereserveerd" in texts(refused)
    assert inputs(refused)["tenant"] == "Dorpsstraat 1"
    assert len(posted_to(bot, SANNE)) == welcomed


async def test_a_holder_who_cannot_be_reached_is_named_to_the_desk(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    await book(bot, JOOST, SATURDAY, "afternoon")  # Joost never opened the bot's chat
    receipt = await desk(bot, SATURDAY, "afternoon", "Dorpsstraat 1")
    assert "Joost Visser" in texts(receipt) and "laat het diegene zelf weten" in texts(receipt)


async def test_only_the_desk_enters_tenant_bookings_and_only_the_holder_cancels(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "trailer.desk" not in [a["verb"] for a in actions(menu)]
    for verb in ("trailer.desk", "trailer.desk_submit"):
        response = await bot.post(
            SANNE.invoke(
                bot.service_url, verb, {"day": SATURDAY, "slot": "day", "tenant": "Dorpsstraat 1"}
            )
        )
        assert "balie voor de aanhangwagen" in texts((await response.json())["value"])
    assert await services_of(bot).trailer.on_day(TENANT, SATURDAY_DAY) == []

    mine = await book(bot, SANNE, SATURDAY, "morning")
    refused = await click(bot, PIETER, mine, "trailer.cancel")
    assert "alleen je eigen reservering" in texts(refused)
    cancelled = await click(bot, SANNE, mine, "trailer.cancel")
    assert cancelled["body"][0]["text"] == "Je reservering is geannuleerd"
    assert await services_of(bot).trailer.on_day(TENANT, SATURDAY_DAY) == []


async def test_a_day_in_the_past_is_refused_with_the_values_kept(desk_bot: BotUnderTest) -> None:
    bot = desk_bot
    card = await book(bot, SANNE, "2026-11-20", "morning")
    assert "Die dag is al voorbij" in texts(card)
    assert inputs(card)["day"] == "2026-11-20"


async def open_item(bot: BotUnderTest, item: dict[str, Any]) -> dict[str, Any]:
    response = await bot.post(SANNE.invoke(bot.service_url, "trailer.mine", item["data"]))
    card: dict[str, Any] = (await response.json())["value"]
    return card


async def test_own_bookings_are_in_mijn_meldingen_with_their_standing_newest_first(
    desk_bot: BotUnderTest, clock: Clock
) -> None:
    """Each of the employee's bookings is an item of mijn meldingen, beside her requests and in
    order of booking: provisional, firm, or cancelled because a tenant went first; it opens the
    booking (to cancel it) or the message; nobody else opens it."""
    bot = desk_bot
    await book(bot, SANNE, SATURDAY, "day")  # cancelled below, for a tenant
    clock.advance(hours=1)
    await submit(bot, SANNE, "gift", WINE)
    clock.advance(hours=1)
    await book(bot, SANNE, "2026-12-01", "afternoon")  # within three days: firm
    clock.advance(hours=1)
    await book(bot, SANNE, "2026-12-19", "morning")  # provisional
    clock.advance(hours=1)
    await book(bot, PIETER, "2026-12-20", "morning")  # Pieter's, not in hers
    own_cancel = await book(bot, SANNE, "2026-12-21", "morning")
    await click(bot, SANNE, own_cancel, "trailer.cancel")  # her own cancellation: gone
    await desk(bot, SATURDAY, "morning", "Mevr. Jansen, Dorpsstraat 1")

    mine = await open_flow(bot, SANNE, "mine.open")
    items = [
        (c["items"][0]["text"], c["items"][1]["text"], c["items"][2]["text"])
        for c in objects(mine)
        if c.get("type") == "Container" and len(c.get("items", [])) >= 3
    ]
    on = "De aanhangwagen op"
    assert [(title, status) for title, _, status in items] == [
        (f"{on} 19 december 2026, Ochtend (8.00-12.30 uur)", "Voorlopig (een huurder gaat voor)"),
        (f"{on} 1 december 2026, Middag (12.30-17.00 uur)", "Staat vast"),
        (items[2][0], items[2][2]),  # the gift, between the bookings
        (f"{on} 12 december 2026, Hele dag (8.00-17.00 uur)", "Vervallen: een huurder ging voor"),
    ]
    assert items[0][1] == "Reservering aanhangwagen · gereserveerd op 29 november 2026"
    assert "Cadeau" in items[2][1]
    assert "Jansen" not in texts(mine) and "20 december" not in texts(mine)

    opened = [a for a in actions(mine) if a["verb"] == "trailer.mine"]
    assert len(opened) == 3
    provisional = await open_item(bot, opened[0])
    assert provisional["body"][0]["text"] == "De aanhangwagen is voor je gereserveerd"
    assert "trailer.cancel" in [a["verb"] for a in actions(provisional)]
    gone = await open_item(bot, opened[2])
    assert gone["body"][0]["text"] == "Je reservering van de aanhangwagen is vervallen"
    # Pieter with Sanne's booking on his card: not his, so not found.
    forged = await bot.post(PIETER.invoke(bot.service_url, "trailer.mine", opened[0]["data"]))
    assert "niet te vinden" in texts((await forged.json())["value"])

    mine_en = await bot.post(EMMA_EN.invoke(bot.service_url, "mine.open"))
    assert "Provisional (a tenant goes first)" in texts((await mine_en.json())["value"])


async def test_with_nobody_at_the_trailer_desk_the_flow_says_whom_to_ask_and_logs_the_role(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without `trailer_desk` tenants' bookings cannot be entered, so "tenants go first" is not
    kept by the bot: the employee's booking is still made, and the form and the receipt say
    whom to ask; the desk's own verbs say whom to contact; the log names the role."""
    directory = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    for person in directory["people"]:
        person["roles"] = [r for r in person.get("roles", []) if r != "trailer_desk"]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(directory), "utf-8")
    bot = await start_bot(
        replace(settings, directory_file=path), connector, aiohttp_server, session, clock
    )
    for user in (SANNE, PIETER):
        await bot.post(user.install(bot.service_url))
    ask = "In de bot staat niemand van de balie die boekingen van huurders aanneemt"
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, SANNE, "trailer.open")
        assert ask in texts(form)
        booked = await click(bot, SANNE, form, "trailer.submit", {"day": SATURDAY, "slot": "day"})
        assert booked["body"][0]["text"] == "De aanhangwagen is voor je gereserveerd"
        assert ask in texts(booked) and "integriteitsfunctionaris" in texts(booked)
        for verb in ("trailer.desk", "trailer.desk_submit"):
            response = await bot.post(
                PIETER.invoke(bot.service_url, verb, {"day": SATURDAY, "slot": "day"})
            )
            shown = texts((await response.json())["value"])
            assert "niemand die rol" in shown and "integriteitsfunctionaris" in shown
    assert [
        b.booker.value for b in await services_of(bot).trailer.on_day(TENANT, SATURDAY_DAY)
    ] == ["employee"]
    logged = [r.getMessage() for r in caplog.records]
    assert sum("role trailer_desk is not configured" in m for m in logged) >= 4
    assert not any("Sanne" in m for m in logged)


async def test_with_the_desk_configured_nothing_is_said_about_it(desk_bot: BotUnderTest) -> None:
    form = await open_flow(desk_bot, SANNE, "trailer.open")
    booked = await book(desk_bot, SANNE, SATURDAY, "morning")
    for card in (form, booked):
        assert "niemand van de balie" not in texts(card)


async def test_the_desk_lists_the_coming_bookings_and_nobody_else_does(
    desk_bot: BotUnderTest,
) -> None:
    bot = desk_bot
    await book(bot, SANNE, SATURDAY, "morning")
    await book(bot, SANNE, "2026-12-01", "day")  # firm already
    await desk(bot, SATURDAY, "afternoon", "Dhr. Bos")
    await book(bot, SANNE, "2027-02-01", "morning")  # beyond the four weeks
    menu = await open_flow(bot, PIETER, "menu.open")
    listed = await click(bot, PIETER, menu, "trailer.desk_list")
    assert listed["body"][0]["text"] == (
        "Reserveringen van de aanhangwagen tot en met 27 december 2026"
    )
    assert texts(listed).split("\n")[2:5] == [
        "1 december 2026, Hele dag (8.00-17.00 uur): Sanne de Vries (medewerker, staat vast)",
        "12 december 2026, Ochtend (8.00-12.30 uur): Sanne de Vries (medewerker, voorlopig tot "
        "9 december 2026: een huurder gaat voor)",
        "12 december 2026, Middag (12.30-17.00 uur): Dhr. Bos (huurder)",
    ]
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "trailer.desk_list" not in [a["verb"] for a in actions(menu)]
    refused = await bot.post(SANNE.invoke(bot.service_url, "trailer.desk_list"))
    assert "balie voor de aanhangwagen" in texts((await refused.json())["value"])
    assert "Dhr. Bos" not in texts((await refused.json())["value"])
