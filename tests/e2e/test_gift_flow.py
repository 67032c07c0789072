"""Declaring a gift end to end: employee -> verdict -> manager decides inline -> both see it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.flows import WINE, action, click, inputs, open_flow, texts


async def only_request(bot: BotUnderTest) -> Any:
    """Sanne's one request, with its audit trail, as stored."""
    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
    stored = await repository.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    return stored.request


async def install(bot: BotUnderTest, *users: Any) -> None:
    for user in users:
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()


async def declare(bot: BotUnderTest, fields: dict[str, str]) -> dict[str, Any]:
    form = await open_flow(bot, SANNE, "gift.open")
    return await click(bot, SANNE, form, "gift.submit", fields)


async def test_employee_declares_and_manager_approves_inline(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    receipt = await declare(bot, WINE)
    shown = texts(receipt)
    assert "Je mag dit aannemen en houden" in shown
    assert "Pieter Bakker" in shown
    assert "CAD-" in shown

    [to_manager] = bot.connector.to(PIETER.conversation_id)
    card = to_manager.card
    assert card is not None
    assert "Fles wijn" in texts(card) and "€\u00a025,00" in texts(card)
    assert {a["verb"] for a in (action(card, "request.keep"), action(card, "request.give_back"))}
    assert card["refresh"]["userIds"] == [f"29:{SANNE.aad_id}", f"29:{PIETER.aad_id}"]
    message_id = "msg-1"

    decided = await click(
        bot, PIETER, card, "request.keep", {"comment": "Prima, geniet ervan"}, message_id
    )
    assert "Gezien door jou" in texts(decided)
    assert not [a for a in _verbs(decided) if a in ("request.keep", "request.give_back")]

    updates = [s for s in bot.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert [u.activity_id for u in updates] == [message_id]
    [notice] = [s for s in bot.connector.to(SANNE.conversation_id)]
    assert notice.card is not None
    assert "Gezien door Pieter Bakker" in texts(notice.card)
    assert "Prima, geniet ervan" in texts(notice.card)

    stored = await only_request(bot)
    assert stored.status is Status.APPROVED
    assert [e.action for e in stored.audit] == ["submitted", "approved"]


def _verbs(card: dict[str, Any]) -> list[str]:
    from tests.support.flows import actions

    return [a["verb"] for a in actions(card)]


async def test_a_forged_invoke_by_a_third_person_is_refused(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, WINE)
    card = bot.connector.to(PIETER.conversation_id)[0].card
    assert card is not None
    refused = await click(bot, LOTTE, card, "request.keep")
    assert "Alleen de aangewezen beoordelaar" in texts(refused)
    own = await click(bot, SANNE, card, "request.keep")
    assert "eigen melding" in texts(own)
    stored = await only_request(bot)
    assert stored.status is Status.PENDING


async def test_a_double_click_changes_nothing(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, WINE)
    card = bot.connector.to(PIETER.conversation_id)[0].card
    assert card is not None
    await click(bot, PIETER, card, "request.give_back", {"comment": "nee"}, "msg-1")
    sent_before = len(bot.connector.sent)
    again = await click(bot, PIETER, card, "request.keep", {}, "msg-1")
    assert "Besloten door jou" in texts(again)
    assert len(bot.connector.sent) == sent_before
    stored = await only_request(bot)
    assert stored.status is Status.DECLINED
    assert [e.action for e in stored.audit] == ["submitted", "declined"]


async def test_the_same_form_sent_twice_is_one_declaration(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    form = await open_flow(bot, SANNE, "gift.open")
    first = await click(bot, SANNE, form, "gift.submit", WINE)
    second = await click(bot, SANNE, form, "gift.submit", WINE)
    assert "al verstuurd" in texts(second)
    assert texts(first).split("Kenmerk")[-1] == texts(second).split("Kenmerk")[-1]
    assert len(await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)) == 1
    assert len(bot.connector.to(PIETER.conversation_id)) == 1


async def test_verdicts_follow_the_code(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    money = await declare(bot, {**WINE, "kind": "money", "value": "20"})
    assert "Niet aannemen" in texts(money)
    expensive = await declare(bot, {**WINE, "value": "1.250,00"})
    assert "Lever dit in" in texts(expensive)
    collection = await bot.server.app[SERVICES].collection.entries(TENANT)
    assert [(c.status, c.value_cents) for c in collection] == [("expected", 125000)]


async def test_manager_unreachable_goes_to_the_integrity_officer(bot: BotUnderTest) -> None:
    await install(bot, SANNE, LOTTE)  # Pieter never opened the bot
    receipt = await declare(bot, WINE)
    assert "Lotte Smit" in texts(receipt)
    assert "niet bereiken" in texts(receipt)
    assert len(bot.connector.to(LOTTE.conversation_id)) == 1
    stored = await only_request(bot)
    assert stored.approver.id == LOTTE.aad_id
    assert [e.action for e in stored.audit] == ["submitted", "undelivered", "rerouted"]


async def test_manager_who_blocked_the_bot_is_routed_around(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    bot.connector.fail_next(403)
    receipt = await declare(bot, WINE)
    assert "Lotte Smit" in texts(receipt)
    assert len(bot.connector.to(LOTTE.conversation_id)) == 1


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("value", "abc", "Dit is geen bedrag"),
        ("value", "-5", "niet negatief"),
        ("value", "2.000.000", "onwaarschijnlijk hoog"),
        ("value", "", "Vul de geschatte waarde in"),
        ("receivedOn", "2099-01-01", "in de toekomst"),
        ("receivedOn", "gisteren", "geen geldige datum"),
        ("description", "", "Dit is verplicht"),
        ("relation", "vriend", "Kies een van de mogelijkheden"),
    ],
)
async def test_bad_input_returns_the_form_with_values_kept_and_the_error_named(
    bot: BotUnderTest, field: str, typed: str, message: str
) -> None:
    await install(bot, SANNE, PIETER)
    fields = {**WINE, field: typed}
    again = await declare(bot, fields)
    assert message in texts(again)
    shown = inputs(again)
    for key in ("giverName", "description", "value", "receivedOn", "remarks"):
        assert shown[key] == fields[key]
    assert await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id) == []
    assert bot.connector.to(PIETER.conversation_id) == []


async def test_an_empty_giver_is_named(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    again = await declare(bot, {**WINE, "giverName": " ", "giverOrganisation": ""})
    assert "Vul in van wie je het kreeg" in texts(again)


async def test_the_form_is_english_for_an_english_locale(bot: BotUnderTest) -> None:
    from tests.support.activities import EMMA_EN

    form = await open_flow(bot, EMMA_EN, "gift.open")
    assert "Declare a gift" in texts(form)
    assert "Estimated value in euros" in texts(form)


async def test_concurrent_approve_and_decline_resolve_to_one_decision(bot: BotUnderTest) -> None:
    import asyncio

    await install(bot, SANNE, PIETER)
    await declare(bot, WINE)
    card = bot.connector.to(PIETER.conversation_id)[0].card
    assert card is not None
    cards = await asyncio.gather(
        click(bot, PIETER, card, "request.keep", {}, "msg-1"),
        click(bot, PIETER, card, "request.give_back", {}, "msg-1"),
        click(bot, PIETER, card, "request.keep", {}, "msg-1"),
    )
    stored = await only_request(bot)
    assert stored.status in (Status.APPROVED, Status.DECLINED)
    assert [e.action for e in stored.audit] == ["submitted", stored.status.value]
    word = "Gezien door" if stored.status is Status.APPROVED else "Besloten door"
    assert all(word in texts(c) for c in cards)
    assert len(bot.connector.to(SANNE.conversation_id)) == 1  # told once


async def test_the_secretariat_sees_gifts_to_hand_in_and_marks_them_received(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    await declare(bot, {**WINE, "description": "Kerstpakket", "everyday": "false", "value": "75"})
    menu = await open_flow(bot, LOTTE, "menu.open")
    assert "Cadeaus om in te leveren" in texts(menu)
    register = await click(bot, LOTTE, menu, "collection.open")
    assert "Kerstpakket (€\u00a075,00)" in texts(register)
    assert "Verwacht" in texts(register)
    after = await click(bot, LOTTE, register, "collection.received")
    assert "Ontvangen door het secretariaat" in texts(after)
    [entry] = await bot.server.app[SERVICES].collection.entries(TENANT)
    assert entry.status == "received"


async def test_an_employee_cannot_open_or_change_the_collection_register(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, {**WINE, "value": "75"})
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "Cadeaus om in te leveren" not in texts(menu)
    [entry] = await bot.server.app[SERVICES].collection.entries(TENANT)
    response = await bot.post(
        SANNE.invoke(bot.service_url, "collection.received", {"requestId": entry.request_id})
    )
    assert "alleen voor het secretariaat" in texts((await response.json())["value"])
    [entry] = await bot.server.app[SERVICES].collection.entries(TENANT)
    assert entry.status == "expected"


async def test_a_look_alike_giver_name_is_shown_as_such_on_the_managers_card(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, {**WINE, "giverOrganisation": "Bouwbedrijf V\u043es"})
    card = bot.connector.to(PIETER.conversation_id)[0].card
    assert card is not None
    assert "letters uit een ander schrift: \u043e (Cyrillisch, lijkt op o)" in texts(card)


async def test_the_managers_card_lists_the_employees_earlier_gifts_from_that_giver(
    bot: BotUnderTest,
) -> None:
    """The earlier gifts this year from the same giver come from the year's gift register (the
    read the organisation's year needs anyway): the employee's own, never a colleague's."""
    await install(bot, SANNE, LOTTE, PIETER)
    await declare(bot, {**WINE, "description": "Kerstpakket", "receivedOn": "2026-03-02"})
    form = await open_flow(bot, LOTTE, "gift.open")
    await click(bot, LOTTE, form, "gift.submit", {**WINE, "description": "Taart van Lotte"})
    await declare(bot, {**WINE, "giverOrganisation": "Schilders Jansen", "description": "Pen"})
    bot.connector.sent.clear()
    await declare(bot, WINE)
    [to_manager] = bot.connector.to(PIETER.conversation_id)
    assert to_manager.card is not None
    shown = texts(to_manager.card)
    assert "Eerder dit jaar van dezelfde gever" in shown
    assert "Kerstpakket" in shown
    assert "Taart van Lotte" not in shown and "Pen (" not in shown


async def test_the_managers_card_shows_at_most_ten_earlier_gifts_from_that_giver(
    bot: BotUnderTest,
) -> None:
    """A giver's eleventh earlier gift is not shown: the card keeps to the newest ten."""
    await install(bot, SANNE, PIETER)
    for n in range(1, 12):
        await declare(bot, {**WINE, "description": f"Fles nummer {n}"})
    bot.connector.sent.clear()
    await declare(bot, WINE)
    [to_manager] = bot.connector.to(PIETER.conversation_id)
    assert to_manager.card is not None
    shown = texts(to_manager.card)
    assert "Eerder dit jaar van dezelfde gever" in shown
    listed = [n for n in range(1, 12) if f"Fles nummer {n} (" in shown]
    assert len(listed) == 10, listed
