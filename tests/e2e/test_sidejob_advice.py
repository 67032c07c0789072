"""§4 side jobs, over HTTP with a clock the test moves: the manager decides after HR's advice;
HR is reminded once when the period passes, then the manager may decide without it, recorded
as such on the card, the trail and the register; with nobody in HR's role nothing claims HR
advised. Trivial activities are answered by the form before anything is filed."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.requests import ADVICE_LAPSED, ADVICE_REMINDED, WITHOUT_ADVICE, Status
from bot.services.sidejob_advice import chase_advice
from dialogs.requests_view import CardPresenter
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_request_flows import SIDEJOB, install
from tests.support.activities import JOOST, MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import click, decision_verbs, inputs, open_flow, texts
from tests.support.leaks import Clock, services_of


async def submit_as(bot: BotUnderTest, user: TeamsUser, fields: dict[str, str]) -> dict[str, Any]:
    form = await open_flow(bot, user, "sidejob.open")
    return await click(bot, user, form, "sidejob.submit", fields)


async def request_of(bot: BotUnderTest, user: TeamsUser) -> Any:
    repository = services_of(bot).requests
    [summary] = await repository.for_requester(TENANT, user.aad_id)
    full = await repository.get(TENANT, user.aad_id, summary.id)
    assert full is not None
    return full.request


def posted(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "POST" and s.card]


async def chase(bot: BotUnderTest) -> int:
    services = services_of(bot)
    return await chase_advice(services, CardPresenter(services.kinds))


async def test_without_hr_advice_in_time_hr_is_reminded_once_then_the_manager_decides(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    bot = clocked_bot  # Sunday 29 November 2026: HR advises by Friday 4 December
    await install(bot, SANNE, PIETER, JOOST)
    await submit_as(bot, SANNE, SIDEJOB)
    manager_card = posted(bot, PIETER)[0]
    assert decision_verbs(manager_card) == []
    assert "gevraagd op 29 november 2026, HR adviseert uiterlijk 4 december 2026" in texts(
        manager_card
    )
    assert "vanaf 11 december 2026 ook zonder HR-advies beslissen" in texts(manager_card)

    clock.advance(days=5)  # Friday 4 December: still in time
    assert await chase(bot) == 0
    clock.advance(days=3)  # Monday 7 December: HR is reminded, once, even by two instances
    assert sum(await asyncio.gather(chase(bot), chase(bot))) == 1
    assert await chase(bot) == 0
    reminders = posted(bot, JOOST)
    assert len(reminders) == 2 and "request.advise" in _verbs(reminders[-1])
    assert "Herinnering: je advies over Nevenfunctie van Sanne de Vries" in texts(reminders[-1])
    request = await request_of(bot, SANNE)
    assert [e.action for e in request.audit].count(ADVICE_REMINDED) == 1
    # The manager was not reminded or escalated meanwhile: there was nothing to decide yet.
    assert len(posted(bot, PIETER)) == 1

    clock.advance(days=4)  # Friday 11 December: the manager may decide without HR's advice
    assert sum(await asyncio.gather(chase(bot), chase(bot))) == 1
    assert await chase(bot) == 0
    told = posted(bot, PIETER)[-1]
    assert len(posted(bot, PIETER)) == 2
    assert decision_verbs(told) == ["request.approve", "request.decline"]
    assert "Zonder HR-advies: HR adviseerde niet op tijd" in texts(told)

    decided = await click(bot, PIETER, told, "request.approve", {}, "msg-1")
    assert "Zonder HR-advies: HR adviseerde niet op tijd" in texts(decided)
    request = await request_of(bot, SANNE)
    assert request.status is Status.APPROVED
    actions = [e.action for e in request.audit]
    assert ADVICE_LAPSED in actions and actions[-2:] == [WITHOUT_ADVICE, "approved"]
    notice = posted(bot, SANNE)[-1]
    assert "Zonder HR-advies" in texts(notice)
    assert await _register(bot) == "Zonder HR-advies (niet op tijd)"


async def test_with_nobody_in_hr_the_receipt_says_the_manager_decides_without_advice(
    bot: BotUnderTest, caplog: Any
) -> None:
    """Joost is the only one in HR: his own side job has nobody to advise on it."""
    await install(bot, JOOST, MARIEKE)
    receipt = await submit_as(bot, JOOST, SIDEJOB)
    assert "na advies van HR" not in texts(receipt)
    assert "zonder advies van HR: er is geen HR-adviseur bekend" in texts(receipt)
    assert "no hr in the directory to advise on NEV-" in caplog.text
    card = posted(bot, MARIEKE)[0]
    assert "Zonder HR-advies: er is geen HR-adviseur bekend" in texts(card)
    assert decision_verbs(card) == ["request.approve", "request.decline"]
    await click(bot, MARIEKE, card, "request.approve", {}, "msg-1")
    request = await request_of(bot, JOOST)
    assert request.status is Status.APPROVED
    assert [(e.action, e.detail) for e in request.audit if e.action == WITHOUT_ADVICE] == [
        (WITHOUT_ADVICE, "no_advisor")
    ]
    assert await _register(bot) == "Zonder HR-advies (geen HR-adviseur bekend)"


def _verbs(card: dict[str, Any]) -> list[str]:
    from tests.support.flows import actions

    return [a["verb"] for a in actions(card)]


async def _register(bot: BotUnderTest) -> str:
    """The side-job register's "Zonder HR-advies" column, as the integrity officer exports it."""
    from tests.e2e.test_registers import download, show, xlsx_rows
    from tests.support.activities import LOTTE

    await bot.post(LOTTE.install(bot.service_url))
    response = await download(bot, LOTTE, await show(bot, LOTTE, "sidejob"), "xlsx")
    [row] = xlsx_rows(await response.read())
    return str(row["Zonder HR-advies"])


BAR_SHIFT = {
    **SIDEJOB,
    "activity": "volunteer_task",
    "role": "Bardienst",
    "organisation": "Hockeyclub HC Groen",
    "touches": "false",
    "touchesHow": "",
    "hours": "4",
}


async def test_a_bar_shift_needs_no_report_and_the_way_back_keeps_what_was_typed(
    bot: BotUnderTest,
) -> None:
    """§4: a bar shift at a club or membership of a parents' council is not a side job to
    report: the form says so before anything is filed."""
    await install(bot, SANNE, PIETER, JOOST)
    answer = await submit_as(bot, SANNE, BAR_SHIFT)
    assert "Dit hoef je niet te melden" in texts(answer)
    assert "bardienst bij je sportclub" in texts(answer) and "Er is niets vastgelegd" in texts(
        answer
    )
    assert await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id) == []
    assert bot.connector.to(PIETER.conversation_id) == []
    assert bot.connector.to(JOOST.conversation_id) == []

    form = await click(bot, SANNE, answer, "sidejob.back")
    shown = inputs(form)
    for key in ("activity", "role", "organisation", "hours", "start"):
        assert shown[key] == BAR_SHIFT[key], key
    # The same activity touching Woongroen is reported after all.
    receipt = await click(bot, SANNE, form, "sidejob.submit", {**BAR_SHIFT, "touches": "true"})
    assert "Kenmerk: NEV-" in texts(receipt)
    assert (await request_of(bot, SANNE)).facts.activity == "volunteer_task"


async def test_a_membership_needs_no_report_either(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    answer = await submit_as(
        bot, SANNE, {**BAR_SHIFT, "activity": "membership", "role": "Lid ouderraad"}
    )
    assert "ouderraad" in texts(answer) and "Dit hoef je niet te melden" in texts(answer)
    assert await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id) == []


async def test_once_released_the_manager_is_reminded_from_then_not_escalated_at_once(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    """The manager's own reminder and escalation count from when they could decide."""
    from bot.domain.reminders import ReminderPolicy
    from bot.services.reminders import remind_and_escalate

    bot = clocked_bot
    await install(bot, SANNE, PIETER, JOOST)
    await submit_as(bot, SANNE, SIDEJOB)
    clock.advance(days=12)  # Friday 11 December: released
    assert await chase(bot) == 1  # one step per pass: released (the reminder's day is past)
    assert ADVICE_LAPSED in [e.action for e in (await request_of(bot, SANNE)).audit]
    services = services_of(bot)
    policy = ReminderPolicy(services.settings.reminder_days, services.settings.escalation_days)
    presenter = CardPresenter(services.kinds)
    assert await remind_and_escalate(services, presenter, policy) == 0
    request = await request_of(bot, SANNE)
    assert request.approver.id == PIETER.aad_id and request.escalated_at is None
