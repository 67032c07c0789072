"""What the manager's buttons mean for a gift, and what follows: every copy of the card shows the
instruction, the collection register follows it, a gift to give back is confirmed, a gift to
hand in that does not arrive is chased (#15, points 1-3 and 7)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from bot.app import SERVICES
from bot.domain.requests import Status
from bot.services.steps import add_working_days, remind_overdue
from cards.dates import day_text
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import declare, install, only_request
from tests.e2e.test_reminders import PRESENTER, at
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import (
    WINE,
    action,
    actions,
    click,
    decision_verbs,
    objects,
    open_flow,
    texts,
)

HAMPER = {**WINE, "description": "Kerstpakket", "value": "75"}  # to hand in (EUR 50 or more)
CASH = {**WINE, "description": "Envelop", "kind": "money", "value": "20"}  # to refuse


def posted(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "POST" and s.card]


def updates(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "PUT" and s.card]


def facts_folded(card: dict[str, Any]) -> bool:
    [details] = [o for o in objects(card) if o.get("id") == "details"]
    toggles = [a for a in objects(card) if a.get("type") == "Action.ToggleVisibility"]
    return details["isVisible"] is False and toggles[0]["targetElements"] == ["details"]


async def collection(bot: BotUnderTest) -> dict[str, str]:
    entries = await bot.server.app[SERVICES].collection.entries(TENANT)
    return {e.request_id: e.status.value for e in entries}


async def test_each_verdict_offers_only_what_the_code_allows(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, WINE)
    await declare(bot, HAMPER)
    await declare(bot, CASH)
    keep, hand_in, refuse = posted(bot, PIETER)
    assert decision_verbs(keep) == ["request.keep", "request.hand_in", "request.give_back"]
    assert ["Gezien, mag houden", "Toch inleveren", "Teruggeven"] == [
        a["title"] for a in actions(keep) if a["verb"] in decision_verbs(keep)
    ]
    assert decision_verbs(hand_in) == ["request.hand_in", "request.give_back"]
    assert "Gezien, wordt ingeleverd" in texts(hand_in)
    assert decision_verbs(refuse) == ["request.give_back"]
    assert "Gezien, wordt teruggegeven" in texts(refuse)
    # Looser than the code is refused on the server, whatever the card data says.
    pointer = action(refuse, "request.give_back")["data"]
    for verb in ("request.keep", "request.hand_in"):
        answer = await bot.post(PIETER.invoke(bot.service_url, verb, pointer, "msg-3"))
        assert "Die keuze hoort niet bij deze melding" in texts((await answer.json())["value"])
    requests = bot.server.app[SERVICES].requests
    cash = await requests.get(TENANT, SANNE.aad_id, pointer["requestId"])
    assert cash is not None and cash.request.status is Status.PENDING
    # The manager's card speaks to him, the employee's to her.
    assert "Wacht op jouw besluit" in texts(keep) and "Cadeaumelding van Sanne de Vries" in texts(
        keep
    )
    assert "daarom krijg jij deze melding als leidinggevende" in texts(keep)
    assert "je leidinggevende krijgt deze melding" not in texts(keep)


async def test_a_declined_hand_in_gift_shows_the_managers_instruction_on_every_copy(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    receipt = await declare(bot, HAMPER)
    [request] = [await only_request(bot)]
    due = add_working_days(request.created_at.date(), 10)
    assert f"Lever het in bij Lotte Smit, uiterlijk {day_text(due, 'nl')}." in texts(receipt)
    assert await collection(bot) == {request.id: "expected"}  # the secretariat knows at once

    card = posted(bot, PIETER)[0]
    comment = "We zitten midden in de aanbesteding; geef het terug"
    decided = await click(bot, PIETER, card, "request.give_back", {"comment": comment}, "msg-1")
    notice = posted(bot, SANNE)[-1]
    for copy, instruction in (
        (decided, "Het cadeau gaat terug naar de gever"),
        (notice, "Geef het cadeau terug"),
    ):
        shown = texts(copy)
        assert instruction in shown and f"Toelichting: {comment}" in shown
        assert "Lever dit in" not in shown  # the code's verdict gave way to the instruction
        assert shown.index(instruction) < shown.index("Geschatte waarde")  # on top
        assert facts_folded(copy)
        assert decision_verbs(copy) == []
    assert "Besloten door jou op" in texts(decided)
    assert "Besloten door Pieter Bakker op" in texts(notice)
    assert await collection(bot) == {}  # never expected again, never raffled

    # She gets a message for the giver in both languages, and says when it is back.
    assert "Hartelijk dank voor uw attentie" in texts(notice)
    assert "Thank you very much for your kind gesture" in texts(notice)
    back = await click(bot, SANNE, notice, "request.returned", {}, "msg-2")
    assert "Vastgelegd dat het cadeau terug is bij de gever" in texts(back)
    assert "Teruggegeven aan de gever" in texts(back)
    stored = await only_request(bot)
    assert stored.outcome == "give_back" and stored.status is Status.DECLINED
    assert stored.step is not None and stored.step.done
    assert [e.action for e in stored.audit] == ["submitted", "declined", "returned"]
    # Only she can say so.
    other = await click(bot, PIETER, notice, "request.returned", {}, "msg-2")
    assert "Alleen wie de melding deed" in texts(other)


async def test_hand_in_after_all_puts_it_on_the_collection_and_arrival_shows_on_her_card(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    await declare(bot, WINE)
    assert await collection(bot) == {}  # she may keep it: nothing to hand in
    card = posted(bot, PIETER)[0]
    await click(bot, PIETER, card, "request.hand_in", {"comment": "Liever inleveren"}, "msg-1")
    request = await only_request(bot)
    assert (request.status, request.outcome) == (Status.DECLINED, "hand_in")
    assert await collection(bot) == {request.id: "expected"}
    notice = posted(bot, SANNE)[-1]
    assert "Lever het cadeau in" in texts(notice) and "Lever het in bij Lotte Smit" in texts(notice)

    menu = await open_flow(bot, LOTTE, "menu.open")
    register = await click(bot, LOTTE, menu, "collection.open")
    await click(bot, LOTTE, register, "collection.received")
    assert await collection(bot) == {request.id: "received"}
    refreshed = await click(bot, SANNE, notice, "request.refresh")
    assert "Ontvangen door het secretariaat op" in texts(refreshed)


async def test_a_gift_that_does_not_arrive_is_chased_once_then_the_manager_is_told(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    await declare(bot, HAMPER)
    request = await only_request(bot)
    services = bot.server.app[SERVICES]
    assert request.step is not None and request.step.due_on is not None
    due = request.step.due_on
    on_time = request.created_at + timedelta(days=(due - request.created_at.date()).days)
    assert await remind_overdue(at(services, on_time), PRESENTER) == 0
    late = on_time + timedelta(days=1)
    assert await remind_overdue(at(services, late), PRESENTER) == 1
    assert await remind_overdue(at(services, late), PRESENTER) == 0  # once
    assert "Herinnering: je cadeau is nog niet ingeleverd" in texts(posted(bot, SANNE)[-1])
    before_manager = len(posted(bot, PIETER))
    much_later = late + timedelta(days=14)
    assert await remind_overdue(at(services, much_later), PRESENTER) == 1
    assert await remind_overdue(at(services, much_later), PRESENTER) == 0
    told = posted(bot, PIETER)
    assert len(told) == before_manager + 1
    assert "Nog niet ingeleverd: cadeau van Sanne de Vries" in texts(told[-1])
    actions_seen = [e.action for e in (await only_request(bot)).audit]
    assert actions_seen.count("hand_in_reminded") == 1
    assert actions_seen.count("hand_in_escalated") == 1


async def test_withdrawing_asks_first_tells_the_approver_and_takes_the_gift_off_the_collection(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    receipt = await declare(bot, HAMPER)
    request = await only_request(bot)
    # "Intrekken" opens a confirmation; only its "Ja, intrekken" withdraws.
    [show] = [
        o
        for o in objects(receipt)
        if o.get("type") == "Action.ShowCard" and o.get("title") == "Intrekken"
    ]
    assert "Weet je zeker" in texts(show["card"])
    withdrawn = await click(bot, SANNE, show["card"], "request.withdraw")
    assert "Je melding is ingetrokken" in texts(withdrawn)
    assert await collection(bot) == {}
    told = posted(bot, PIETER)[-1]
    assert "Sanne de Vries heeft deze melding ingetrokken" in texts(told)
    assert decision_verbs(told) == []
    # The approver's old card: pressing a button explains instead of deciding.
    old = posted(bot, PIETER)[0]
    pressed = await click(bot, PIETER, old, "request.hand_in", {}, "msg-1")
    assert "had deze melding al ingetrokken" in texts(pressed)
    assert decision_verbs(pressed) == []
    assert (await only_request(bot)).status is Status.WITHDRAWN
    assert request.step is not None and request.step.code == "hand_in"


async def test_a_decided_request_cannot_be_withdrawn_and_says_so(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    receipt = await declare(bot, WINE)
    await click(bot, PIETER, posted(bot, PIETER)[0], "request.keep", {}, "msg-1")
    [show] = [
        o
        for o in objects(receipt)
        if o.get("type") == "Action.ShowCard" and o.get("title") == "Intrekken"
    ]
    answer = await click(bot, SANNE, show["card"], "request.withdraw")
    assert "Intrekken kan daarom niet meer" in texts(answer)
    assert (await only_request(bot)).status is Status.APPROVED


async def test_an_overdue_reminder_that_cannot_be_delivered_is_written_down(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, LOTTE)
    await declare(bot, HAMPER)
    request = await only_request(bot)
    assert request.step is not None and request.step.due_on is not None
    late = request.created_at + timedelta(
        days=(request.step.due_on - request.created_at.date()).days + 1
    )
    bot.connector.fail_next(403, times=3)  # she blocked the bot
    assert await remind_overdue(at(bot.server.app[SERVICES], late), PRESENTER) == 1
    trail = [(e.action, e.detail) for e in (await only_request(bot)).audit]
    [(_, detail)] = [t for t in trail if t[0] == "hand_in_not_told"]
    assert detail.startswith(f"{SANNE.aad_id}: ")  # whom it did not reach, and why


async def test_a_refused_choice_is_logged_with_its_reference_and_reason(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    await install(bot, SANNE, PIETER)
    await declare(bot, CASH)
    card = posted(bot, PIETER)[0]
    pointer = action(card, "request.give_back")["data"]
    with caplog.at_level(logging.INFO, logger="dialogs.decisions"):
        await bot.post(PIETER.invoke(bot.service_url, "request.keep", pointer, "msg-1"))
    [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert line == f"request.keep on {pointer['requestId']!r} refused: choice_not_offered"
    assert "Pieter" not in line and "Sanne" not in line
