"""No decision, withdrawal, advice or note is lost or left unannounced (issue #14, point 4).

Each case was reproduced from outside with storage misbehaving in front of a real Azurite
(`tests.support.fault_store.FaultStore`): a competing write just before the decision's write
(an ETag conflict that is not another decision), and a write that lands while its answer is
lost."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import SERVICES
from bot.cache import TtlCache
from bot.domain.amend import add_information
from bot.domain.requests import Status
from bot.services.recovery import settle_unannounced
from bot.settings import Settings
from bot.storage.errors import Conflict
from bot.storage.requests import RequestRepository
from bot.storage.store import TableStore
from bot.storage.tables import AzureTableStore
from dialogs.requests_view import CardPresenter
from tests.e2e.conftest import BotUnderTest
from tests.reliability.helpers import STORAGE_BANNER_NL, declare, install, stored_request
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.connector import Sent
from tests.support.fault_store import Fault, FaultStore, writes_action
from tests.support.faults import FaultyConnector
from tests.support.flows import WINE, click, open_flow, texts
from tests.support.kinds import KINDS
from tests.support.leaks import Clock, start_bot


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def faulty(
    settings: Settings,
    faulty_connector: tuple[FaultyConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
) -> AsyncIterator[tuple[BotUnderTest, FaultStore]]:
    store = FaultStore(AzureTableStore(settings.storage_connection_string, settings.table_prefix))
    async with ClientSession() as session:
        bot = await start_bot(settings, faulty_connector, aiohttp_server, session, clock, store)
        yield bot, store


def competing_note(text: str) -> Callable[[TableStore], Awaitable[None]]:
    """Sanne adds a note through the real store just before the armed write reaches it."""

    async def write(inner: TableStore) -> None:
        repository = RequestRepository(inner, KINDS)
        [head] = await repository.for_requester(TENANT, SANNE.aad_id)
        stored = await repository.get(TENANT, SANNE.aad_id, head.id)
        assert stored is not None
        noted = add_information(stored.request, SANNE.aad_id, text, stored.request.created_at)
        await repository.update(stored, noted)

    return write


def competing_reminder_claim() -> Callable[[TableStore], Awaitable[None]]:
    """The reminder job claims the request (a non-decision write) just before."""

    async def write(inner: TableStore) -> None:
        repository = RequestRepository(inner, KINDS)
        [head] = await repository.for_requester(TENANT, SANNE.aad_id)
        stored = await repository.get(TENANT, SANNE.aad_id, head.id)
        assert stored is not None
        claimed = dataclasses.replace(stored.request, reminded_at=stored.request.created_at)
        await repository.update(stored, claimed)

    return write


async def submitted(bot: BotUnderTest) -> dict[str, Any]:
    """Sanne declares the wine; the approval card Pieter got."""
    await install(bot, SANNE, PIETER)
    await declare(bot, WINE)
    [sent] = bot.connector.to(PIETER.conversation_id)
    assert sent.card is not None
    bot.connector.sent.clear()
    return sent.card


async def inbox_status(bot: BotUnderTest, rid: str) -> Status:
    entry = await bot.server.app[SERVICES].requests.inbox_entry(TENANT, PIETER.aad_id, rid)
    assert entry is not None
    return entry.status


def notices(bot: BotUnderTest) -> list[Sent]:
    return [s for s in bot.connector.to(SANNE.conversation_id) if s.method == "POST"]


async def test_a_decision_that_meets_a_note_written_meanwhile_is_reapplied_and_announced(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    bot, store = faulty
    card = await submitted(bot)
    store.arm(Fault(writes_action("approved"), before=competing_note("Het was een taart")))

    decided = await click(bot, PIETER, card, "request.keep", {}, "msg-1")

    assert store.fired == 1
    assert "Gezien door jou" in texts(decided)
    request = await stored_request(bot)
    assert request.status is Status.APPROVED
    assert [n.text for n in request.notes] == ["Het was een taart"]  # the note is kept too
    assert [e.action for e in request.audit] == ["submitted", "information_added", "approved"]
    assert len(notices(bot)) == 1  # Sanne is told
    assert await inbox_status(bot, request.id) is Status.APPROVED  # off "openstaand"


async def test_a_withdrawal_that_meets_a_reminder_claim_is_reapplied(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    bot, store = faulty
    await submitted(bot)
    store.arm(Fault(writes_action("withdrawn"), before=competing_reminder_claim()))
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")

    withdrawn = await click(bot, SANNE, opened, "request.withdraw")

    assert store.fired == 1
    assert "Ingetrokken" in texts(withdrawn)
    request = await stored_request(bot)
    assert request.status is Status.WITHDRAWN
    assert request.reminded_at is not None  # the claim is kept
    assert await inbox_status(bot, request.id) is Status.WITHDRAWN
    # Pieter's card shows the withdrawal (updated in place)
    updates = [s for s in bot.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert updates and updates[-1].card is not None
    assert "Ingetrokken" in texts(updates[-1].card)


async def test_a_decision_whose_answer_was_lost_is_completed_by_the_repeat_click(
    faulty: tuple[BotUnderTest, FaultStore], clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    bot, store = faulty
    card = await submitted(bot)
    store.arm(Fault(writes_action("approved"), lose_answer=True))

    with caplog.at_level(logging.WARNING):
        failed = await click(bot, PIETER, card, "request.keep", {}, "msg-1")
    assert STORAGE_BANNER_NL in texts(failed)
    request = await stored_request(bot)
    assert request.status is Status.APPROVED  # it did land
    assert notices(bot) == []
    assert await inbox_status(bot, request.id) is Status.PENDING
    logged = [r.getMessage() for r in caplog.records if "storage failure shown" in r.getMessage()]
    assert logged == [
        f"storage failure shown to the user during request.keep (reference {request.id}): "
        "StorageUnavailable"
    ]
    assert "Sanne" not in caplog.text and "Pieter" not in caplog.text

    # The turn that failed was on this instance: nobody is announcing it, the repeat does.
    again = await click(bot, PIETER, card, "request.keep", {}, "msg-1")

    assert "Gezien door jou" in texts(again)
    assert len(notices(bot)) == 1
    assert await inbox_status(bot, request.id) is Status.APPROVED
    # a third click changes nothing and tells nobody again
    clock.advance(seconds=20)
    await click(bot, PIETER, card, "request.keep", {}, "msg-1")
    assert len(notices(bot)) == 1


async def test_a_decision_whose_answer_came_back_as_a_conflict_is_announced_by_its_own_turn(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    """The Azure SDK retries a PUT whose answer was lost; the retry meets the ETag the first
    attempt changed and answers 412: to the engine it looks like a lost race."""
    bot, store = faulty
    card = await submitted(bot)
    store.arm(Fault(writes_action("approved"), lose_answer=True, answer=Conflict))

    decided = await click(bot, PIETER, card, "request.keep", {}, "msg-1")

    assert store.fired == 1
    assert "Gezien door jou" in texts(decided)
    assert len(notices(bot)) == 1
    request = await stored_request(bot)
    assert [e.action for e in request.audit].count("approved") == 1
    assert await inbox_status(bot, request.id) is Status.APPROVED


async def test_a_note_whose_answer_came_back_as_a_conflict_is_kept_once(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    bot, store = faulty
    await submitted(bot)
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")
    store.arm(Fault(writes_action("information_added"), lose_answer=True, answer=Conflict))

    answer = await click(bot, SANNE, opened, "mine.add", {"addition": "Eén keer"})

    assert "Je aanvulling is toegevoegd" in texts(answer)
    request = await stored_request(bot)
    assert [n.text for n in request.notes] == ["Eén keer"]


async def test_the_repair_job_announces_a_lost_decision_exactly_once_across_instances(
    faulty: tuple[BotUnderTest, FaultStore], clock: Clock
) -> None:
    bot, store = faulty
    card = await submitted(bot)
    store.arm(Fault(writes_action("declined"), lose_answer=True))
    await click(bot, PIETER, card, "request.give_back", {"comment": "Te duur"}, "msg-1")
    services = bot.server.app[SERVICES]
    presenter = CardPresenter(KINDS)

    # another instance does not know the turn failed: it leaves it to that turn for a while
    other = dataclasses.replace(
        services, requests=RequestRepository(store.inner, KINDS), unannounced=TtlCache(60.0)
    )
    assert await settle_unannounced(other, presenter) == 0
    clock.advance(minutes=11)
    fresh = dataclasses.replace(
        other, requests=RequestRepository(store.inner, KINDS), unannounced=TtlCache(60.0)
    )
    # two instances' jobs at once (each with its own repository on the same tables)
    done = await asyncio.gather(
        settle_unannounced(other, presenter), settle_unannounced(fresh, presenter)
    )

    assert sorted(done) == [0, 1]
    request = await stored_request(bot)
    assert request.status is Status.DECLINED
    assert len(notices(bot)) == 1
    assert await inbox_status(bot, request.id) is Status.DECLINED
    assert await settle_unannounced(services, presenter) == 0


async def test_a_withdrawal_whose_answer_was_lost_is_completed_by_the_repair_job(
    faulty: tuple[BotUnderTest, FaultStore], clock: Clock
) -> None:
    bot, store = faulty
    await submitted(bot)
    store.arm(Fault(writes_action("withdrawn"), lose_answer=True))
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")
    failed = await click(bot, SANNE, opened, "request.withdraw")
    assert STORAGE_BANNER_NL in texts(failed)
    request = await stored_request(bot)
    assert await inbox_status(bot, request.id) is Status.PENDING

    # on the instance that saw it fail, the job completes it at once
    assert await settle_unannounced(bot.server.app[SERVICES], CardPresenter(KINDS)) == 1

    assert await inbox_status(bot, request.id) is Status.WITHDRAWN
    waiting = await open_flow(bot, PIETER, "pending.open")
    assert "Fles wijn" not in texts(waiting)


async def test_notes_added_at_once_are_all_kept(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    bot, _ = faulty
    await submitted(bot)
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")
    typed = [f"Aanvulling nummer {n}" for n in range(5)]

    answers = await asyncio.gather(
        *(click(bot, SANNE, opened, "mine.add", {"addition": t}) for t in typed)
    )

    for answer in answers:
        assert "Je aanvulling is toegevoegd" in texts(answer)
        assert STORAGE_BANNER_NL not in texts(answer)
    request = await stored_request(bot)
    kept = [n.text for n in request.notes]
    assert sorted(kept) == sorted(typed)


async def test_a_note_refused_by_storage_is_shown_again_with_what_was_typed(
    faulty: tuple[BotUnderTest, FaultStore], caplog: pytest.LogCaptureFixture
) -> None:
    bot, store = faulty
    await submitted(bot)
    register = await open_flow(bot, SANNE, "mine.open")
    opened = await click(bot, SANNE, register, "mine.show")

    async def unavailable(inner: TableStore) -> None:
        from bot.storage.errors import StorageUnavailable

        raise StorageUnavailable("down")

    store.arm(Fault(writes_action("information_added"), before=unavailable))
    with caplog.at_level(logging.WARNING):
        answer = await click(bot, SANNE, opened, "mine.add", {"addition": "Mijn aanvulling"})

    assert STORAGE_BANNER_NL in texts(answer)
    from tests.support.flows import inputs

    assert inputs(answer)["addition"] == "Mijn aanvulling"
    assert "storage failure shown to the user during mine.add" in caplog.text
    assert "Mijn aanvulling" not in caplog.text


async def test_a_breach_acknowledgement_whose_answer_was_lost_updates_the_deputy_on_repeat(
    faulty: tuple[BotUnderTest, FaultStore],
) -> None:
    from tests.e2e.test_dataleak_flow import JOOST, MAIL, alert_of, only_breach, report
    from tests.support.activities import FATIMA

    bot, store = faulty
    await install(bot, SANNE, FATIMA, JOOST)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    card = alert_of(bot, FATIMA)
    fatima_msg = breach.alerts[FATIMA.aad_id][0]
    joost_msg = breach.alerts[JOOST.aad_id][0]
    bot.connector.sent.clear()
    store.arm(Fault(writes_action("acknowledge"), lose_answer=True))

    failed = await click(bot, FATIMA, card, "dataleak.acknowledge", {}, fatima_msg)
    assert STORAGE_BANNER_NL in texts(failed)
    assert [s for s in bot.connector.sent if s.method == "PUT"] == []  # Joost's card is stale

    again = await click(bot, FATIMA, card, "dataleak.acknowledge", {}, fatima_msg)

    assert "Ontvangen door Fatima el Amrani" in texts(again)
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert [(u.conversation_id, u.activity_id) for u in updates] == [
        (JOOST.conversation_id, joost_msg)
    ]
    assert updates[0].card is not None
    assert "Ontvangen door Fatima el Amrani" in texts(updates[0].card)
