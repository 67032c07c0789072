"""The personal registers over HTTP: "mijn meldingen" for the requester, "openstaand" for the
approver, adding information, withdrawing, and nobody seeing someone else's."""

from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import declare, install
from tests.support.activities import EMMA_EN, LOTTE, PIETER, SANNE, TENANT
from tests.support.flows import WINE, actions, click, inputs, objects, open_flow, texts
from tests.support.leaks import Clock


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in actions(card)]


async def typed(bot: BotUnderTest, message: dict[str, Any]) -> dict[str, Any]:
    before = len(bot.connector.sent)
    response = await bot.post(message)
    assert response.status == 200
    card = (await bot.connector.wait_for(before + 1))[-1].card
    assert card is not None
    return card


async def two_declarations(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, {**WINE, "description": "Bos bloemen", "receivedOn": "2026-11-01"})
    await declare(bot, {**WINE, "description": "Taart", "receivedOn": "2026-11-02"})
    bot.connector.sent.clear()


async def test_mijn_meldingen_lists_own_requests_newest_first_and_opens_one(
    bot: BotUnderTest,
) -> None:
    await two_declarations(bot)
    register = await typed(bot, SANNE.message(bot.service_url, "mijn meldingen"))
    shown = texts(register)
    assert "Mijn meldingen" in shown
    assert shown.index("Taart") < shown.index("Bos bloemen")
    assert shown.count("Wacht op besluit") == 2
    opened = await click(bot, SANNE, register, "mine.show")
    assert "Taart" in texts(opened)
    assert {"mine.add", "request.withdraw"} <= set(verbs(opened))
    assert "request.keep" not in verbs(opened)


async def test_added_information_reaches_the_approver_who_decides_from_openstaand(
    bot: BotUnderTest,
) -> None:
    await two_declarations(bot)
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")
    added = await click(
        bot, SANNE, opened, "mine.add", {"addition": "Het was een verjaardagstaart"}
    )
    assert "Je aanvulling is toegevoegd" in texts(added)
    assert "Het was een verjaardagstaart" in texts(added)
    # the approver's card in the chat shows it at once (not only when it is next opened)
    updated = [
        s
        for s in bot.connector.sent
        if s.method == "PUT" and s.card and "Het was een verjaardagstaart" in texts(s.card)
    ]
    assert [s.conversation_id for s in updated] == [PIETER.conversation_id]

    menu = await open_flow(bot, PIETER, "menu.open")
    assert "Openstaand" in texts(menu)
    waiting = await click(bot, PIETER, menu, "pending.open")
    shown = texts(waiting)
    assert shown.index("Bos bloemen") < shown.index("Taart")  # oldest first
    assert "Sanne de Vries" in shown
    first = await click(bot, PIETER, waiting, "pending.show")
    assert "Bos bloemen" in texts(first)
    taart = [a for a in actions(waiting) if a["verb"] == "pending.show"][1]["data"]
    response = await bot.post(PIETER.invoke(bot.service_url, "pending.show", taart))
    card = (await response.json())["value"]
    assert "Het was een verjaardagstaart" in texts(card)
    decided = await click(bot, PIETER, card, "request.keep", {"comment": "Prima"})
    assert "Gezien door jou" in texts(decided)

    left = await open_flow(bot, PIETER, "pending.open")
    assert "Taart" not in texts(left) and "Bos bloemen" in texts(left)
    repository = bot.server.app[SERVICES].requests
    stored = await repository.get(TENANT, SANNE.aad_id, taart["requestId"])
    assert stored is not None
    assert stored.request.status is Status.APPROVED
    assert [e.action for e in stored.request.audit] == [
        "submitted",
        "information_added",
        "approved",
    ]


async def test_the_requester_withdraws_from_mijn_meldingen(bot: BotUnderTest) -> None:
    await two_declarations(bot)
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")
    withdrawn = await click(bot, SANNE, opened, "request.withdraw")
    assert "Ingetrokken op" in texts(withdrawn)
    assert "request.withdraw" not in verbs(withdrawn) and "mine.add" not in verbs(withdrawn)
    again = await open_flow(bot, SANNE, "mine.open")
    assert "Ingetrokken" in texts(again)
    waiting = await open_flow(bot, PIETER, "pending.open")
    assert "Taart" not in texts(waiting)


async def test_an_empty_or_too_long_addition_is_refused_and_the_text_kept(
    bot: BotUnderTest,
) -> None:
    await two_declarations(bot)
    opened = await click(bot, SANNE, await open_flow(bot, SANNE, "mine.open"), "mine.show")
    empty = await click(bot, SANNE, opened, "mine.add", {"addition": "   "})
    assert "Typ eerst wat je wilt toevoegen" in texts(empty)
    long = "x" * 1001
    too_long = await click(bot, SANNE, opened, "mine.add", {"addition": long})
    assert "te lang" in texts(too_long)
    assert inputs(too_long)["addition"] == long
    repository = bot.server.app[SERVICES].requests
    [latest, _] = await repository.for_requester(TENANT, SANNE.aad_id)
    stored = await repository.get(TENANT, SANNE.aad_id, latest.id)
    assert stored is not None and [e.action for e in stored.request.audit] == ["submitted"]
    assert not stored.request.notes and "notes" not in stored.request.facts.to_record()


async def test_nobody_opens_or_changes_someone_elses_request(bot: BotUnderTest) -> None:
    await two_declarations(bot)
    [latest, _] = await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    pointer = {"requestId": latest.id, "requesterId": SANNE.aad_id}
    for user, verb, data, refusal in (
        (LOTTE, "mine.show", pointer, "niet (meer) vinden"),
        (LOTTE, "mine.add", {**pointer, "addition": "hack"}, "niet (meer) vinden"),
        (LOTTE, "pending.show", pointer, "Alleen de aangewezen beoordelaar"),
        (SANNE, "pending.show", pointer, "Alleen de aangewezen beoordelaar"),
        (PIETER, "request.withdraw", pointer, "Alleen wie de melding deed"),
    ):
        response = await bot.post(user.invoke(bot.service_url, verb, data))
        assert refusal in texts((await response.json())["value"]), (user.name, verb)
    stored = await bot.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, latest.id)
    assert stored is not None
    assert stored.request.pending and [e.action for e in stored.request.audit] == ["submitted"]
    assert "hack" not in str(stored.request.facts) and not stored.request.notes


async def test_the_menu_shows_openstaand_only_to_approvers(bot: BotUnderTest) -> None:
    await two_declarations(bot)
    sanne = await open_flow(bot, SANNE, "menu.open")
    assert "Mijn meldingen" in texts(sanne) and "Openstaand" not in texts(sanne)
    pieter = await open_flow(bot, PIETER, "menu.open")
    assert "Openstaand" in texts(pieter)


async def test_openstaand_is_typed_too_and_english_for_an_english_locale(
    bot: BotUnderTest,
) -> None:
    await two_declarations(bot)
    waiting = await typed(bot, PIETER.message(bot.service_url, "openstaand"))
    assert "Deze meldingen wachten op jouw besluit" in texts(waiting)
    mine = await typed(bot, EMMA_EN.message(bot.service_url, "my requests"))
    assert "My requests" in texts(mine) and "Awaiting decision" in texts(mine)
    nothing = await open_flow(bot, LOTTE, "pending.open")
    assert "Er wacht niets op jouw besluit" in texts(nothing)


async def test_mijn_meldingen_lists_every_kind_and_data_leaks_by_noun_newest_first(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    """Everything of the person's (#19, point 6): requests of every kind and data-leak reports
    in one list, each named as a noun, newest first by when it was made, one outcome line each."""
    from tests.e2e.test_dataleak_flow import MAIL
    from tests.e2e.test_request_flows import SIDEJOB, TENANT_TIE
    from tests.support.activities import FATIMA

    bot = clocked_bot
    await install(bot, SANNE, PIETER, FATIMA)
    await declare(bot, WINE)
    clock.advance(hours=1)
    leak_form = await open_flow(bot, SANNE, "dataleak.open")
    await click(bot, SANNE, leak_form, "dataleak.submit", MAIL)
    clock.advance(hours=1)
    for flow, fields in (("sidejob", SIDEJOB), ("tenant", TENANT_TIE)):
        form = await open_flow(bot, SANNE, f"{flow}.open")
        await click(bot, SANNE, form, f"{flow}.submit", fields)
        clock.advance(minutes=5)
    mine = await open_flow(bot, SANNE, "mine.open")
    items = [
        [b["text"] for b in o["items"] if b.get("type") == "TextBlock"]
        for o in objects(mine)
        if o.get("type") == "Container" and o.get("separator")
    ]
    nouns = [lines[1].split(" · ")[0] for lines in items]
    assert nouns == ["Band met een huurder", "Nevenfunctie", "Datalekmelding", "Cadeaumelding"]
    # One line says where each stands.
    assert [len(lines) for lines in items] == [3, 3, 3, 3]
    assert items[2][2] == "Ontvangen door de privacy officer"
    assert items[3][2] == "Wacht op besluit"
