"""Storage going away mid-run, for real: the test's own Azurite is stopped and started again on
the same port. Nothing the person typed is lost, nothing is half-written for good, nothing is
recorded twice, and the bot carries on without a restart."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from aiohttp import ClientTimeout, web

from bot.app import SERVICES, background_jobs
from bot.services.jobs import run_pass
from bot.services.recovery import complete_stranded
from dialogs.requests_view import CardPresenter
from tests.e2e.conftest import BotUnderTest
from tests.reliability.conftest import OwnAzurite
from tests.reliability.helpers import (
    STORAGE_BANNER_NL,
    audit_rows,
    declare,
    eventually,
    inbox_rows,
    install,
    request_rows,
    stored_request,
)
from tests.support.activities import PIETER, SANNE
from tests.support.flows import WINE, click, inputs, open_flow, texts
from tests.support.kinds import KINDS


async def health(bot: BotUnderTest) -> int:
    async with bot.session.get(bot.server.make_url("/healthz")) as response:
        return response.status


async def test_storage_down_the_form_comes_back_and_work_goes_on_when_it_returns(
    fault_bot: BotUnderTest, own_azurite: OwnAzurite
) -> None:
    await install(fault_bot, SANNE, PIETER)
    assert await health(fault_bot) == 200
    form = await open_flow(fault_bot, SANNE, "gift.open")

    await own_azurite.stop_async()
    assert await health(fault_bot) == 503
    again = await click(fault_bot, SANNE, form, "gift.submit", WINE)
    assert STORAGE_BANNER_NL in texts(again)
    shown = inputs(again)
    for key, value in WINE.items():
        assert shown[key] == value, key
    assert fault_bot.connector.to(PIETER.conversation_id) == []
    # The menu still answers while storage is down.
    menu = await open_flow(fault_bot, SANNE, "menu.open")
    assert "gift.open" in str(menu)

    await own_azurite.start_async()
    assert await health(fault_bot) == 200
    receipt = await click(fault_bot, SANNE, again, "gift.submit", WINE)
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(await request_rows(fault_bot)) == 1
    assert len(await inbox_rows(fault_bot)) == 1
    [card] = fault_bot.connector.to(PIETER.conversation_id)
    assert card.card is not None
    decided = await click(fault_bot, PIETER, card.card, "request.keep", {}, "msg-1")
    assert "Gezien door jou" in texts(decided)
    request = await stored_request(fault_bot)
    assert [e.action for e in request.audit] == ["submitted", "approved"]


async def stop_storage_when_the_card_reaches(
    bot: BotUnderTest, azurite: OwnAzurite, conversation_id: str
) -> None:
    """Stop Azurite at the worst moment: the request is recorded and its card is on its way,
    but the approver's inbox row is not written yet."""

    async def hook(_request: web.Request) -> None:
        await azurite.stop_async()

    bot.connector.when_sent_to(conversation_id, hook)  # type: ignore[attr-defined]


async def half_done_submission(bot: BotUnderTest, azurite: OwnAzurite) -> dict[str, object]:
    await install(bot, SANNE, PIETER)
    await stop_storage_when_the_card_reaches(bot, azurite, PIETER.conversation_id)
    _form, answer = await declare(bot, WINE)
    assert STORAGE_BANNER_NL in texts(answer)
    assert inputs(answer)["description"] == "Fles wijn"
    assert azurite.stops == 1
    await azurite.start_async()
    # The fault hit where intended: recorded (with its trail), card sent, no inbox row.
    assert len(await request_rows(bot)) == 1
    assert [r.action for r in await audit_rows(bot)] == ["submitted"]
    assert await inbox_rows(bot) == []
    assert len(bot.connector.to(PIETER.conversation_id)) == 1
    return answer


async def test_a_retry_completes_a_half_done_submission_exactly_once(
    fault_bot: BotUnderTest, own_azurite: OwnAzurite
) -> None:
    answer = await half_done_submission(fault_bot, own_azurite)
    receipt = await click(fault_bot, SANNE, answer, "gift.submit", WINE)
    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(await request_rows(fault_bot)) == 1
    [row] = await inbox_rows(fault_bot)
    assert row.data["Status"] == "pending" and row.data["MessageId"]
    request = await stored_request(fault_bot)
    assert [e.action for e in request.audit] == ["submitted", "redelivery"]
    # At least once: the approver may hold the card twice, never zero times.
    assert len(fault_bot.connector.to(PIETER.conversation_id)) == 2
    # A further repeat changes nothing.
    repeat = await click(fault_bot, SANNE, answer, "gift.submit", WINE)
    assert "al verstuurd" in texts(repeat)
    assert len(fault_bot.connector.to(PIETER.conversation_id)) == 2
    assert len(await audit_rows(fault_bot)) == 2


async def test_the_recovery_job_completes_a_submission_nobody_retried(
    fault_bot: BotUnderTest, own_azurite: OwnAzurite
) -> None:
    await half_done_submission(fault_bot, own_azurite)
    services = fault_bot.server.app[SERVICES]
    # Too fresh: it might still be sending; the job leaves it alone.
    assert await complete_stranded(services, CardPresenter(KINDS)) == 0
    assert await inbox_rows(fault_bot) == []

    later = dataclasses.replace(services, clock=lambda: services.clock() + timedelta(minutes=3))
    # Two instances running the same pass at once: one completes it.
    first, second = await asyncio.gather(
        run_pass(background_jobs(later)), run_pass(background_jobs(later))
    )
    assert first["complete_submissions"] + second["complete_submissions"] == 1
    [row] = await inbox_rows(fault_bot)
    assert row.data["MessageId"]
    assert len(await request_rows(fault_bot)) == 1
    request = await stored_request(fault_bot)
    assert [e.action for e in request.audit] == ["submitted", "redelivery"]
    assert len(fault_bot.connector.to(PIETER.conversation_id)) == 2
    assert (await run_pass(background_jobs(later)))["complete_submissions"] == 0


async def test_the_recovery_job_survives_storage_being_down(
    fault_bot: BotUnderTest, own_azurite: OwnAzurite
) -> None:
    await install(fault_bot, SANNE, PIETER)
    await own_azurite.stop_async()
    done = await run_pass(background_jobs(fault_bot.server.app[SERVICES]))
    assert done["complete_submissions"] == 0
    assert set(done.values()) == {0}  # every job skipped its pass; none crashed the runner
    await own_azurite.start_async()
    assert await health(fault_bot) == 200


async def test_a_reply_that_never_reached_teams_is_recorded_once_and_redelivery_gets_it(
    fault_bot: BotUnderTest,
) -> None:
    """Teams gives up on the invoke (the approval card is slow to send) and sends it again."""
    await install(fault_bot, SANNE, PIETER)

    async def slow(_request: web.Request) -> None:
        await asyncio.sleep(1.0)

    fault_bot.connector.when_sent_to(PIETER.conversation_id, slow)  # type: ignore[attr-defined]
    form = await open_flow(fault_bot, SANNE, "gift.open")
    activity = SANNE.invoke(fault_bot.service_url, "gift.submit", {**WINE, "formId": _id(form)})
    try:
        async with fault_bot.session.post(
            fault_bot.url, json=activity, timeout=ClientTimeout(total=0.3)
        ):
            raise AssertionError("the invoke should have been abandoned")
    except TimeoutError:
        pass

    async def inboxed() -> bool:
        return len(await inbox_rows(fault_bot)) == 1

    await eventually(inboxed)
    response = await fault_bot.post(activity)  # the exact same activity, same id
    receipt = (await response.json())["value"]
    assert "al verstuurd" in texts(receipt)
    request = await stored_request(fault_bot)
    assert request.id in texts(receipt)
    assert len(await request_rows(fault_bot)) == 1
    assert len(fault_bot.connector.to(PIETER.conversation_id)) == 1


def _id(form: dict[str, object]) -> str:
    from tests.support.flows import action

    return str(action(form, "gift.submit")["data"]["formId"])


async def test_a_claim_by_another_instance_still_sending_is_respected(
    fault_bot: BotUnderTest, own_azurite: OwnAzurite
) -> None:
    """Another instance claimed the completion and is still sending (no inbox row yet): a second
    one that reads the request after that claim sends nothing, until the claim has run out."""
    from bot.domain.requests import AuditEntry
    from bot.services.approvals import REDELIVERY_CLAIM

    await half_done_submission(fault_bot, own_azurite)
    services = fault_bot.server.app[SERVICES]
    request = await stored_request(fault_bot)
    stored = await services.requests.get(request.tenant_id, request.requester.id, request.id)
    assert stored is not None
    claimed_at = services.clock() + timedelta(minutes=3)
    claim = AuditEntry(claimed_at, "system", "redelivery", "no inbox row")
    await services.requests.update(
        stored, dataclasses.replace(request, audit=(*request.audit, claim))
    )
    sent_before = len(fault_bot.connector.to(PIETER.conversation_id))

    during = dataclasses.replace(services, clock=lambda: claimed_at + timedelta(minutes=1))
    assert await complete_stranded(during, CardPresenter(KINDS)) == 0
    assert len(fault_bot.connector.to(PIETER.conversation_id)) == sent_before
    assert await inbox_rows(fault_bot) == []

    after = dataclasses.replace(services, clock=lambda: claimed_at + REDELIVERY_CLAIM)
    assert await complete_stranded(after, CardPresenter(KINDS)) == 1
    assert len(await inbox_rows(fault_bot)) == 1
