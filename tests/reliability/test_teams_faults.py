"""Teams misbehaving while the bot delivers cards: 429, 500, 503, time-outs and 403. Each is
retried where that makes sense, routed to the fallback approver where not, written in the audit
trail, and never silently dropped."""

from __future__ import annotations

import time

import pytest

from bot.teams import pool
from tests.e2e.conftest import BotUnderTest
from tests.reliability.helpers import declare, install, request_rows, stored_request
from tests.support.activities import LOTTE, PIETER, SANNE
from tests.support.flows import WINE, click, texts


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_passing_fault_is_retried_and_the_manager_gets_the_card(
    teams_bot: BotUnderTest, status: int
) -> None:
    await install(teams_bot, SANNE, PIETER, LOTTE)
    teams_bot.connector.fail_for(PIETER.conversation_id, status)  # type: ignore[attr-defined]
    _form, receipt = await declare(teams_bot, WINE)
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1
    assert teams_bot.connector.to(LOTTE.conversation_id) == []
    request = await stored_request(teams_bot)
    assert [e.action for e in request.audit] == ["submitted"]


async def test_429_waits_as_long_as_teams_asks(teams_bot: BotUnderTest) -> None:
    await install(teams_bot, SANNE, PIETER)
    teams_bot.connector.fail_next(429, {"Retry-After": "1"})
    started = time.monotonic()
    _form, receipt = await declare(teams_bot, WINE)
    assert time.monotonic() - started >= 1.0
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1


async def test_503_with_retry_after_waits_as_long_as_teams_asks(teams_bot: BotUnderTest) -> None:
    """The POST is not repeated by the transport; the notifier waits Teams' Retry-After."""
    await install(teams_bot, SANNE, PIETER)
    teams_bot.connector.fail_next(503, {"Retry-After": "1"})  # type: ignore[attr-defined]
    started = time.monotonic()
    _form, receipt = await declare(teams_bot, WINE)
    assert time.monotonic() - started >= 1.0
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1


async def test_a_hung_connector_times_out_and_the_send_is_retried(
    teams_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connector's time-out bounds a hung request; the retry then delivers."""
    assert pool.SEND_TIMEOUT_SECONDS == 30.0  # the production bound per request
    monkeypatch.setattr(pool, "SEND_TIMEOUT_SECONDS", 0.5)
    await install(teams_bot, SANNE, PIETER)
    teams_bot.connector.hang_next()  # type: ignore[attr-defined]
    started = time.monotonic()
    _form, receipt = await declare(teams_bot, WINE)
    assert time.monotonic() - started < 5
    assert teams_bot.connector.hung == 1  # type: ignore[attr-defined]
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(teams_bot.connector.to(PIETER.conversation_id)) == 1


async def test_a_manager_teams_keeps_failing_for_goes_to_the_fallback_with_the_reason_kept(
    teams_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five failures (503s and time-outs) exhaust the retries: rerouted, and the trail says why."""
    monkeypatch.setattr(pool, "SEND_TIMEOUT_SECONDS", 0.3)
    await install(teams_bot, SANNE, PIETER, LOTTE)
    teams_bot.connector.fail_for(PIETER.conversation_id, 503, times=3)  # type: ignore[attr-defined]
    teams_bot.connector.hang_next(2)  # type: ignore[attr-defined]
    # The hangs are taken by Pieter's 4th and 5th attempts (nothing else is sent meanwhile).
    _form, receipt = await declare(teams_bot, WINE)
    assert "Lotte Smit" in texts(receipt)
    assert teams_bot.connector.to(PIETER.conversation_id) == []
    assert len(teams_bot.connector.to(LOTTE.conversation_id)) == 1
    request = await stored_request(teams_bot)
    assert request.approver.id == LOTTE.aad_id
    trail = [(e.action, e.detail) for e in request.audit]
    assert trail[0][0] == "submitted"
    assert trail[1] == ("undelivered", "DeliveryFailed")
    assert trail[2][0] == "rerouted" and "DeliveryFailed" in trail[2][1]


async def test_403_blocked_manager_is_not_retried_and_is_written_down(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER, LOTTE)
    teams_bot.connector.fail_for(PIETER.conversation_id, 403, times=5)  # type: ignore[attr-defined]
    _form, receipt = await declare(teams_bot, WINE)
    assert "Lotte Smit" in texts(receipt)
    # One attempt only: a 403 is final.
    assert len(teams_bot.connector.faults_for[PIETER.conversation_id]) == 4  # type: ignore[attr-defined]
    request = await stored_request(teams_bot)
    assert [(e.action, e.detail) for e in request.audit][:2] == [
        ("submitted", ""),
        ("undelivered", "RecipientUnreachable"),
    ]


async def test_nobody_reachable_is_recorded_and_the_requester_is_told(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER, LOTTE)
    for person in (PIETER, LOTTE):
        teams_bot.connector.fail_for(person.conversation_id, 403)  # type: ignore[attr-defined]
    _form, receipt = await declare(teams_bot, WINE)
    assert "nog niet bij een beoordelaar afleveren" in texts(receipt)
    assert len(await request_rows(teams_bot)) == 1
    request = await stored_request(teams_bot)
    assert [e.action for e in request.audit] == [
        "submitted",
        "undelivered",
        "rerouted",
        "undelivered",
    ]
    # It waits in the fallback approver's inbox, visible in "openstaand".
    from bot.app import SERVICES
    from tests.support.activities import TENANT

    [entry] = await teams_bot.server.app[SERVICES].requests.inbox(TENANT, LOTTE.aad_id)
    assert entry.request_id == request.id


async def test_a_requester_who_blocked_the_bot_still_has_the_decision_written_down(
    teams_bot: BotUnderTest,
) -> None:
    await install(teams_bot, SANNE, PIETER)
    await declare(teams_bot, WINE)
    [sent] = teams_bot.connector.to(PIETER.conversation_id)
    assert sent.card is not None
    teams_bot.connector.fail_for(SANNE.conversation_id, 403)  # type: ignore[attr-defined]
    decided = await click(teams_bot, PIETER, sent.card, "request.keep", {}, "msg-1")
    assert "Gezien door jou" in texts(decided)
    request = await stored_request(teams_bot)
    assert [(e.action, e.detail) for e in request.audit] == [
        ("submitted", ""),
        ("approved", ""),
        ("requester_not_notified", "RecipientUnreachable"),
    ]
