"""A request a role decides (Communicatie a journalist's question, the director an interview)
stays with holders of that role over HTTP: an unreachable holder is not replaced by the
integrity officer, and a holder who lets it lie is reported to whoever oversees the role, who
is told but cannot decide (#16 audit). The engine's side on the in-memory twins:
tests/unit/test_approval_engine.py."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.reminders import ReminderPolicy
from bot.domain.requests import ApproverRole, Status
from bot.services.reminders import remind_and_escalate
from dialogs.requests_view import CardPresenter
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_code_kinds import INFORMATION, INTERVIEW, posted, reference_in, stored, typed
from tests.e2e.test_reminders import after_working_days
from tests.support.activities import (
    EMMA_EN,
    FATIMA,
    LOTTE,
    MARIEKE,
    PIETER,
    SANNE,
    TeamsUser,
)
from tests.support.flows import click, decision_verbs, open_flow, texts
from tests.support.kinds import KINDS
from tests.support.leaks import Clock, services_of

HENK = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000007", "Henk de Boer")  # the RvC chair
POLICY = ReminderPolicy(remind_after=3, escalate_after=2)
PRESENTER = CardPresenter(KINDS)


async def install(bot: BotUnderTest, *users: TeamsUser) -> None:
    for user in users:
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()


async def forged(bot: BotUnderTest, user: TeamsUser, verb: str, reference: str) -> str:
    """A decision sent without the card (as anyone can post it): what the bot answers."""
    data = {"requestId": reference, "requesterId": SANNE.aad_id, "comment": ""}
    response = await bot.post(user.invoke(bot.service_url, verb, data))
    assert response.status == 200
    return str(await response.json())


async def communicatie_agrees(bot: BotUnderTest) -> None:
    """Fatima (Communicatie) gives her agreement on the interview, on her advice card."""
    advice_card = posted(bot, FATIMA)[-1]
    await click(
        bot, FATIMA, advice_card, "request.advise", {"position": "agree", "advice": "Akkoord"}
    )


async def run_reminders(bot: BotUnderTest, clock: Clock) -> int:
    return await remind_and_escalate(services_of(bot), PRESENTER, POLICY)


async def test_an_interview_whose_director_never_opened_the_bot_stays_with_the_director(
    clocked_bot: BotUnderTest,
) -> None:
    """Marieke (the director) never opened the bot. Before: the interview went to Lotte (the
    integrity officer), whose consent was stored as the director's."""
    bot = clocked_bot
    await install(bot, SANNE, PIETER, FATIMA, LOTTE)
    [form] = await typed(bot, SANNE, "een journalist wil mij interviewen")
    receipt = await click(bot, SANNE, form, "press.submit", INTERVIEW)
    shown = texts(receipt)
    reference = reference_in(receipt, "PER-")
    assert "We konden de directeur-bestuurder (Marieke Jansen) nu niet bereiken" in shown
    assert "alleen die geeft toestemming" in shown and "Geef intussen geen interview" in shown
    assert "leidinggevende niet bereiken" not in shown
    assert posted(bot, LOTTE) == []

    request = await stored(bot, reference)
    assert (request.approver.id, request.approver_role) == (MARIEKE.aad_id, ApproverRole.DIRECTOR)
    assert ("undelivered", "NoConversationReference") in [
        (e.action, e.detail) for e in request.audit
    ]
    assert request.former_approvers == ()

    await communicatie_agrees(bot)
    for someone in (LOTTE, PIETER, FATIMA):
        assert "Alleen de aangewezen beoordelaar" in await forged(
            bot, someone, "request.consent", reference
        )
    request = await stored(bot, reference)
    assert request.pending and not request.decided_by

    # Marieke opens the bot: the interview is in her "openstaand", and she decides it.
    await install(bot, MARIEKE)
    waiting = await open_flow(bot, MARIEKE, "pending.open")
    assert "Eva Bos (Dagblad van het Noorden)" in texts(waiting)
    await forged(bot, MARIEKE, "request.consent", reference)
    request = await stored(bot, reference)
    assert request.outcome == "consent" and request.decided_by == MARIEKE.aad_id


async def test_a_journalists_question_with_communicatie_unreachable_stays_with_communicatie(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    """Fatima (Communicatie) never opened the bot: the question stays hers, the receipt says
    whom to refer the journalist to, and the reminder job brings it to her once she has."""
    bot = clocked_bot
    await install(bot, SANNE, PIETER, MARIEKE, LOTTE)
    [form] = await typed(bot, SANNE, "een journalist belt me")
    receipt = await click(bot, SANNE, form, "press.submit", INFORMATION)
    shown = texts(receipt)
    reference = reference_in(receipt, "PER-")
    assert "We konden Communicatie (Fatima el Amrani) nu niet bereiken" in shown
    assert "het algemene nummer van Woongroen" in shown
    assert "leidinggevende niet bereiken" not in shown
    assert posted(bot, LOTTE) == [] and posted(bot, PIETER) == []
    request = await stored(bot, reference)
    assert request.approver.id == FATIMA.aad_id
    assert request.approver_role is ApproverRole.COMMUNICATIONS
    assert "Alleen de aangewezen beoordelaar" in await forged(
        bot, LOTTE, "request.taken_over", reference
    )

    # In English too.
    form = await open_flow(bot, EMMA_EN, "press.open")
    english = texts(await click(bot, EMMA_EN, form, "press.submit", INFORMATION))
    assert "We could not reach Communications (Fatima el Amrani)" in english
    assert "Woongroen's general number" in english

    # Fatima opens the bot; the reminder job reaches her with the card, and she decides.
    await install(bot, FATIMA)
    clock.now = after_working_days(request.created_at, 3)
    assert await run_reminders(bot, clock) == 2  # both questions
    [reminder] = [c for c in posted(bot, FATIMA) if reference in texts(c)]
    assert "Herinnering" in texts(reminder)
    assert decision_verbs(reminder) == ["request.taken_over"]
    await click(bot, FATIMA, reminder, "request.taken_over", {"comment": ""}, "m-1")
    request = await stored(bot, reference)
    assert request.status is Status.APPROVED and request.decided_by == FATIMA.aad_id


async def test_an_interview_the_director_leaves_lying_is_told_to_the_rvc_chair_who_cannot_consent(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    """Before: the interview was moved to Henk (the RvC chair), who could then consent."""
    bot = clocked_bot
    await install(bot, SANNE, PIETER, FATIMA, LOTTE, MARIEKE, HENK)
    [form] = await typed(bot, SANNE, "een journalist wil mij interviewen")
    reference = reference_in(await click(bot, SANNE, form, "press.submit", INTERVIEW), "PER-")
    await communicatie_agrees(bot)
    advised = (await stored(bot, reference)).advised_at
    assert advised is not None

    clock.now = after_working_days(advised, 3)
    assert await run_reminders(bot, clock) == 1  # Marieke is reminded
    clock.now = after_working_days(advised, 5)
    assert await run_reminders(bot, clock) == 1  # Henk is told
    assert await run_reminders(bot, clock) == 0
    clock.now += timedelta(days=30)
    assert await run_reminders(bot, clock) == 0

    request = await stored(bot, reference)
    assert (request.approver.id, request.approver_role) == (MARIEKE.aad_id, ApproverRole.DIRECTOR)
    assert request.escalated_at is not None
    assert [e.action for e in request.audit][-2:] == ["reminded", "overseer_told"]
    [notice] = posted(bot, HENK)
    assert "Ter informatie" in texts(notice)
    assert "Marieke Jansen (de directeur-bestuurder) heeft hier binnen de termijn" in texts(notice)
    assert decision_verbs(notice) == []
    assert "Alleen de aangewezen beoordelaar" in await forged(
        bot, HENK, "request.consent", reference
    )
    assert await services_of(bot).requests.waiting(request.tenant_id, HENK.aad_id) == []
    assert (await stored(bot, reference)).pending

    await forged(bot, MARIEKE, "request.consent", reference)
    request = await stored(bot, reference)
    assert request.outcome == "consent" and request.decided_by == MARIEKE.aad_id
