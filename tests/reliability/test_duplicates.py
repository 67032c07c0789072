"""Teams redelivers activities and people double-click: one record, one decision, every time."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.reliability.helpers import (
    audit_rows,
    declare,
    inbox_rows,
    install,
    request_rows,
    stored_request,
)
from tests.support.activities import PIETER, SANNE
from tests.support.flows import WINE, action, click, open_flow, texts


async def submit_activity(bot: BotUnderTest) -> dict[str, Any]:
    form = await open_flow(bot, SANNE, "gift.open")
    data = {**action(form, "gift.submit")["data"], **WINE}
    return SANNE.invoke(bot.service_url, "gift.submit", data)


def reference_of(card: dict[str, Any]) -> str:
    return texts(card).split("Kenmerk")[-1].strip(": \n")


async def test_the_same_invoke_delivered_twice_is_one_record_with_the_same_receipt(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER)
    activity = await submit_activity(teams_bot)
    first = (await (await teams_bot.post(activity)).json())["value"]
    second = (await (await teams_bot.post(activity)).json())["value"]
    assert reference_of(first) == reference_of(second)
    assert reference_of(first).startswith("CAD-")
    assert "al verstuurd" in texts(second)
    assert len(await request_rows(teams_bot)) == 1
    assert len(await audit_rows(teams_bot)) == 1
    assert len(await inbox_rows(teams_bot)) == 1
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1


async def test_the_same_invoke_delivered_three_times_at_once_is_one_record_and_one_card(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER)
    activity = await submit_activity(teams_bot)
    responses = await asyncio.gather(*(teams_bot.post(activity) for _ in range(3)))
    cards = [(await r.json())["value"] for r in responses]
    assert len({reference_of(c) for c in cards}) == 1
    assert sum("Je melding staat bij Pieter Bakker" in texts(c) for c in cards) == 1
    assert sum("al verstuurd" in texts(c) for c in cards) == 2
    assert len(await request_rows(teams_bot)) == 1
    assert len(await audit_rows(teams_bot)) == 1
    assert len(await inbox_rows(teams_bot)) == 1
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1


async def test_approve_and_withdraw_at_once_resolve_to_one_outcome(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER)
    _form, receipt = await declare(teams_bot, WINE)
    [sent] = teams_bot.connector.to(PIETER.conversation_id)
    assert sent.card is not None
    await asyncio.gather(
        click(teams_bot, PIETER, sent.card, "request.keep", {}, "msg-1"),
        click(teams_bot, SANNE, receipt, "request.withdraw")
        if _has(receipt, "request.withdraw")
        else _withdraw(teams_bot, reference_of(receipt)),
        click(teams_bot, PIETER, sent.card, "request.give_back", {}, "msg-1"),
    )
    request = await stored_request(teams_bot)
    assert request.status in (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN)
    assert [e.action for e in request.audit] == ["submitted", request.status.value]
    assert len(await request_rows(teams_bot)) == 1


def _has(card: dict[str, Any], verb: str) -> bool:
    from tests.support.flows import actions

    return any(a["verb"] == verb for a in actions(card))


async def _withdraw(bot: BotUnderTest, rid: str) -> dict[str, Any]:
    data = {"requestId": rid, "requesterId": SANNE.aad_id}
    response = await bot.post(SANNE.invoke(bot.service_url, "request.withdraw", data))
    assert response.status == 200
    card: dict[str, Any] = (await response.json())["value"]
    return card


async def test_twenty_double_clicks_on_approve_are_one_decision_and_one_notice(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER)
    await declare(teams_bot, WINE)
    [sent] = teams_bot.connector.to(PIETER.conversation_id)
    assert sent.card is not None
    card = sent.card
    await asyncio.gather(
        *(click(teams_bot, PIETER, card, "request.keep", {}, "msg-1") for _ in range(20))
    )
    request = await stored_request(teams_bot)
    assert [e.action for e in request.audit] == ["submitted", "approved"]
    assert len(teams_bot.connector.to(SANNE.conversation_id)) == 1
