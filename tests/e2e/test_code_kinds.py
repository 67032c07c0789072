"""Three rules of the code as flows, over HTTP as Teams sends them (#16): a relative's or
friend's Woongroen home (§1), a journalist (§5 Communicatie) and a social media post (§5).
Each opens from a plain sentence or its answer card, goes through the engine, shows in "mijn
meldingen", the integrity officer's register and the yearly overview, and says whom to contact
when its role is not in the directory."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.domain.requests import Status
from bot.services.retention import run_retention
from bot.settings import Settings
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_overview import facts
from tests.e2e.test_registers import download, show, xlsx_rows
from tests.support.activities import (
    EMMA_EN,
    FATIMA,
    JOOST,
    LOTTE,
    MARIEKE,
    PIETER,
    SANNE,
    TENANT,
    TeamsUser,
)
from tests.support.connector import MockConnector
from tests.support.flows import action, click, decision_verbs, inputs, open_flow, texts
from tests.support.leaks import Clock, services_of, start_bot

HOUSING = {
    "person": "Mijn zoon Daan",
    "tie": "relative",
    "stage": "applies",
    "property": "home",
    "address": "Complex De Linde",
    "remarks": "",
}
INFORMATION = {
    "asks": "information",
    "journalist": "Eva Bos",
    "medium": "Dagblad van het Noorden",
    "contact": "06 1234 0000",
    "question": "Waarom duurt de renovatie van De Linde zo lang?",
    "deadline": "vandaag 16.00 uur",
}
INTERVIEW = {
    **INFORMATION,
    "asks": "interview",
    "question": "Interview over het werk als wijkconsulent",
}
POST = {
    "about": "tenant",
    "channel": "LinkedIn",
    "post": "Foto van mevrouw Jansen bij haar nieuwe keuken",
}


@pytest.fixture
async def kinds_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    for user in (SANNE, PIETER, MARIEKE, FATIMA, JOOST, LOTTE):
        await clocked_bot.post(user.install(clocked_bot.service_url))
    clocked_bot.connector.sent.clear()
    return clocked_bot


async def typed(bot: BotUnderTest, user: TeamsUser, message: str) -> list[dict[str, Any]]:
    """The cards the bot answers a typed message with."""
    before = len(bot.connector.sent)
    response = await bot.post(user.message(bot.service_url, message))
    assert response.status == 200
    sent = await bot.connector.wait_for(before + 1)
    return [s.card for s in sent[before:] if s.card is not None]


def posted(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "POST" and s.card]


def reference_in(card: dict[str, Any], prefix: str) -> str:
    [reference] = [w for w in texts(card).split() if w.startswith(prefix)]
    return reference


async def stored(bot: BotUnderTest, reference: str) -> Any:
    found = await services_of(bot).requests.get(TENANT, SANNE.aad_id, reference)
    assert found is not None
    return found.request


async def test_a_relatives_home_is_declared_letting_and_sales_told_and_the_manager_takes_note(
    kinds_bot: BotUnderTest, clock: Clock
) -> None:
    bot = kinds_bot
    [form] = await typed(bot, SANNE, "mijn zoon schrijft zich in voor een huurwoning bij Woongroen")
    assert "Om wie gaat het?" in texts(form) and "geen voorrang en geen korting" in texts(form)

    refused = await click(bot, SANNE, form, "housing.submit", {**HOUSING, "person": ""})
    assert "WON-" not in texts(refused)
    assert inputs(refused)["address"] == "Complex De Linde"  # nothing typed is lost

    receipt = await click(bot, SANNE, form, "housing.submit", HOUSING)
    shown = texts(receipt)
    reference = reference_in(receipt, "WON-")
    assert "Dezelfde regels als voor iedereen: geen voorrang, geen korting" in shown
    assert "Jij bemoeit je niet met deze zaak" in shown
    assert "Pieter Bakker (Verhuur en verkoop) heeft de melding gekregen" in shown

    # Pieter is Sanne's manager (he takes note) and holds letting and sales (he is told).
    approval, told = posted(bot, PIETER)
    assert decision_verbs(approval) == ["request.noted"]
    assert "Ter informatie: familie of vriend van Sanne de Vries" in texts(told)
    assert "Houd Sanne de Vries buiten deze zaak" in texts(told)
    assert "Complex De Linde" in texts(told) and decision_verbs(told) == []
    request = await stored(bot, reference)
    assert [e.detail for e in request.audit if e.action == "informed"] == ["letting_sales"]

    # The same form again (Teams retries, a double click): letting and sales is told once.
    again = await click(bot, SANNE, form, "housing.submit", HOUSING)
    assert reference_in(again, "WON-") == reference
    assert len(posted(bot, PIETER)) == 2

    await click(bot, PIETER, approval, "request.noted", {"comment": ""}, "msg-1")
    notice = posted(bot, SANNE)[-1]
    assert "Je leidinggevende heeft je melding gezien" in texts(notice)
    assert (await stored(bot, reference)).status is Status.APPROVED

    mine = await open_flow(bot, SANNE, "mine.open")
    assert "Mijn zoon Daan" in texts(mine)
    register = await show(bot, LOTTE, "housing")
    assert reference in texts(register) and "Woningen voor familie en vrienden" in texts(register)

    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    menu = await open_flow(bot, MARIEKE, "menu.open")
    overview = facts(await click(bot, MARIEKE, menu, "overview.open"))
    assert overview["Woningen voor familie en vrienden"].startswith("1")

    # Retention covers every kind: long after it was closed, the declaration is removed.
    clock.now += timedelta(days=services_of(bot).settings.retention_requests_days + 1)
    assert await run_retention(services_of(bot)) == 1
    assert await services_of(bot).requests.get(TENANT, SANNE.aad_id, reference) is None


async def test_a_journalists_question_goes_to_communicatie_who_take_it_over(
    kinds_bot: BotUnderTest,
) -> None:
    bot = kinds_bot
    [form] = await typed(bot, SANNE, "een journalist belt me")
    assert "Wat wil de journalist weten?" in texts(form)
    receipt = await click(bot, SANNE, form, "press.submit", INFORMATION)
    shown = texts(receipt)
    reference = reference_in(receipt, "PER-")
    assert "Je melding staat bij Fatima el Amrani (de afdeling Communicatie)" in shown
    assert "Communicatie neemt dit over" in shown
    assert "zeg niets namens Woongroen" in shown  # what to say meanwhile
    assert posted(bot, PIETER) == []  # not the manager's to decide

    [card] = posted(bot, FATIMA)
    assert "Waarom duurt de renovatie van De Linde zo lang?" in texts(card)
    assert "06 1234 0000" in texts(card)
    assert decision_verbs(card) == ["request.taken_over"]
    await click(bot, FATIMA, card, "request.taken_over", {"comment": "Ik bel haar terug"}, "m-1")
    notice = posted(bot, SANNE)[-1]
    assert "Communicatie neemt het over: verwijs de journalist naar Communicatie" in texts(notice)
    request = await stored(bot, reference)
    assert request.status is Status.APPROVED and request.outcome == "taken_over"

    register = await show(bot, LOTTE, "press")
    assert reference in texts(register)
    mine = await open_flow(bot, SANNE, "mine.open")
    assert "Eva Bos (Dagblad van het Noorden)" in texts(mine)


async def test_an_interview_needs_communicaties_agreement_then_the_directors_consent(
    kinds_bot: BotUnderTest,
) -> None:
    bot = kinds_bot
    [form] = await typed(bot, SANNE, "een journalist wil mij interviewen")
    receipt = await click(bot, SANNE, form, "press.submit", INTERVIEW, reply_to="form-1")
    reference = reference_in(receipt, "PER-")
    assert "Je melding staat bij Marieke Jansen (de directeur-bestuurder)" in texts(receipt)
    assert "eerst Communicatie, dan de directeur-bestuurder" in texts(receipt)

    [director_card] = posted(bot, MARIEKE)
    assert decision_verbs(director_card) == []  # nothing to decide before Communicatie
    assert "Communicatie heeft nog niet laten weten of zij akkoord is" in texts(director_card)
    # A consent forged from card data is refused by the engine, not only hidden on the card.
    forged = await bot.post(
        MARIEKE.invoke(
            bot.service_url,
            "request.consent",
            {"requestId": reference, "requesterId": SANNE.aad_id, "comment": ""},
        )
    )
    assert "Communicatie heeft nog niet laten weten" in str(await forged.json())
    assert (await stored(bot, reference)).pending

    [advice_card] = posted(bot, FATIMA)
    # Communicatie's agreement is a position, not only words (#16: akkoord, with remarks).
    advised = await click(
        bot,
        FATIMA,
        advice_card,
        "request.advise",
        {"position": "agree", "advice": "Akkoord, ik ben erbij"},
    )
    assert "Akkoord van Communicatie (Fatima el Amrani)" in texts(advised)
    # Sanne's receipt in her chat shows it at once.
    [own_receipt] = [s for s in bot.connector.to(SANNE.conversation_id) if s.method == "PUT"]
    assert own_receipt.activity_id == "form-1" and own_receipt.card is not None
    assert "Akkoord van Communicatie (Fatima el Amrani)" in texts(own_receipt.card)
    updated = [s.card for s in bot.connector.to(MARIEKE.conversation_id) if s.method == "PUT"]
    assert updated and updated[-1] is not None
    assert decision_verbs(updated[-1]) == ["request.consent", "request.no_consent"]

    # Nobody else decides: not Sanne herself, not her manager.
    own = await click(bot, SANNE, updated[-1], "request.consent", {"comment": ""})
    assert "eigen melding" in texts(own)
    other = await click(bot, PIETER, updated[-1], "request.consent", {"comment": ""})
    assert "Alleen de aangewezen beoordelaar" in texts(other)

    await click(bot, MARIEKE, updated[-1], "request.consent", {"comment": ""}, "m-2")
    request = await stored(bot, reference)
    assert request.outcome == "consent" and request.advice == "Akkoord, ik ben erbij"
    notice = posted(bot, SANNE)[-1]
    assert "Je mag het interview geven, in afstemming met Communicatie" in texts(notice)
    assert "Akkoord van Communicatie (Fatima el Amrani)" in texts(notice)


def put_to(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    """The cards the bot updated in `user`'s chat, in order."""
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "PUT" and s.card]


async def test_an_interview_communicatie_does_not_agree_to_can_only_be_refused(
    kinds_bot: BotUnderTest, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    bot = kinds_bot
    [form] = await typed(bot, SANNE, "een journalist wil mij interviewen")
    receipt = await click(bot, SANNE, form, "press.submit", INTERVIEW)
    reference = reference_in(receipt, "PER-")
    [advice_card] = posted(bot, FATIMA)
    assert inputs(advice_card)["position"] == ""  # a required choice, nothing picked yet

    # Without a position, or "niet akkoord" without a reason: refused, what was typed kept.
    bare = await click(bot, FATIMA, advice_card, "request.advise", {"advice": "Liever niet"})
    assert "Kies eerst je standpunt" in texts(bare)
    assert inputs(bare)["advice"] == "Liever niet"
    no_reason = await click(
        bot, FATIMA, advice_card, "request.advise", {"position": "disagree", "advice": " "}
    )
    assert "Geef bij niet akkoord de reden" in texts(no_reason)
    assert inputs(no_reason)["position"] == "disagree"
    forged = await click(bot, FATIMA, advice_card, "request.advise", {"position": "maybe"})
    assert "Kies eerst je standpunt" in texts(forged)
    assert not (await stored(bot, reference)).advised

    reason = "Het project loopt nog; eerst de bewoners informeren"
    advised = await click(
        bot, FATIMA, advice_card, "request.advise", {"position": "disagree", "advice": reason}
    )
    assert "Communicatie (Fatima el Amrani) is niet akkoord" in texts(advised)
    assert inputs(advised)["position"] == "disagree"  # she may revise it while it is pending
    request = await stored(bot, reference)
    assert (request.advice_position, request.advice) == ("disagree", reason)
    entry = request.audit[-1]
    assert (entry.action, entry.actor_id) == ("advised", FATIMA.aad_id)
    assert entry.detail == f"disagree: {reason}"

    # The director's card: only "geen toestemming", and why.
    director = put_to(bot, MARIEKE)[-1]
    assert decision_verbs(director) == ["request.no_consent"]
    shown = texts(director)
    assert "Communicatie (Fatima el Amrani) is niet akkoord met dit interview" in shown
    assert reason in shown and "alleen 'Geen toestemming'" in shown

    # A consent forged from card data (with the card's sealed copy, or without) is refused
    # by the engine and logged; so is an old card's "approve".
    with caplog.at_level(logging.INFO):
        for verb in ("request.consent", "request.approve"):
            forged_consent = await bot.post(
                MARIEKE.invoke(
                    bot.service_url,
                    verb,
                    {**action(director, "request.no_consent")["data"], "comment": ""},
                )
            )
            assert "Die keuze hoort niet bij deze melding" in str(await forged_consent.json())
    assert f"request.consent on '{reference}' refused: choice_not_offered" in caplog.text
    assert (await stored(bot, reference)).pending

    # The requester's receipt shows Communicatie's position too.
    mine = await bot.post(
        SANNE.invoke(
            bot.service_url,
            "request.refresh",
            {"requestId": reference, "requesterId": SANNE.aad_id},
        )
    )
    assert "Communicatie (Fatima el Amrani) is niet akkoord" in texts((await mine.json())["value"])

    # Communicatie revises its position: the director's card follows, consent is open again.
    clock.now += timedelta(minutes=5)
    revised = await click(bot, FATIMA, advised, "request.advise", {"position": "agree"})
    assert "Akkoord van Communicatie (Fatima el Amrani)" in texts(revised)
    director = put_to(bot, MARIEKE)[-1]
    assert decision_verbs(director) == ["request.consent", "request.no_consent"]
    assert "niet akkoord met dit interview" not in texts(director)
    request = await stored(bot, reference)
    assert (request.advice_position, request.advice) == ("agree", "")
    assert [e.detail for e in request.audit if e.action == "advised"] == [
        f"disagree: {reason}",
        "agree",
    ]

    # And back to "niet akkoord": the card the director still has offers consent, but the
    # engine judges on what is stored now.
    stale = director
    clock.now += timedelta(minutes=5)
    await click(bot, FATIMA, revised, "request.advise", {"position": "disagree", "advice": reason})
    refused = await click(bot, MARIEKE, stale, "request.consent", {"comment": ""}, "m-9")
    assert "Die keuze hoort niet bij deze melding" in texts(refused)
    assert (await stored(bot, reference)).pending

    await click(
        bot, MARIEKE, put_to(bot, MARIEKE)[-1], "request.no_consent", {"comment": "Niet nu"}, "m-9"
    )
    request = await stored(bot, reference)
    assert request.status is Status.DECLINED and request.outcome == "no_consent"
    notice = posted(bot, SANNE)[-1]
    assert "Geen interview: verwijs de journalist naar Communicatie" in texts(notice)
    assert "Communicatie (Fatima el Amrani) is niet akkoord" in texts(notice)

    # The register says the position in words (its exported file, as the integrity officer
    # keeps it).
    register = await show(bot, LOTTE, "press")
    [row] = xlsx_rows(await (await download(bot, LOTTE, register, "xlsx")).read())
    assert row["Kenmerk"] == reference
    assert row["Standpunt Communicatie"] == f"Niet akkoord: {reason}"


async def test_an_interview_advised_in_words_before_positions_is_still_decided_either_way(
    kinds_bot: BotUnderTest,
) -> None:
    """A request stored with Communicatie's advice as text only (before positions were kept)
    reads and can be decided as before: both choices."""
    bot = kinds_bot
    [form] = await typed(bot, SANNE, "een journalist wil mij interviewen")
    reference = reference_in(await click(bot, SANNE, form, "press.submit", INTERVIEW), "PER-")
    requests = services_of(bot).requests
    found = await requests.get(TENANT, SANNE.aad_id, reference)
    assert found is not None
    await requests.update(found, replace(found.request, advice="Prima, ga je gang"))
    refreshed = await bot.post(
        MARIEKE.invoke(
            bot.service_url,
            "request.refresh",
            {"requestId": reference, "requesterId": SANNE.aad_id},
        )
    )
    card = (await refreshed.json())["value"]
    assert decision_verbs(card) == ["request.consent", "request.no_consent"]
    assert "Akkoord van Communicatie (Fatima el Amrani)" in texts(card)  # the text's heading
    await click(bot, MARIEKE, card, "request.consent", {"comment": ""}, "m-1")
    assert (await stored(bot, reference)).outcome == "consent"


async def test_in_english_communications_position_is_in_english(kinds_bot: BotUnderTest) -> None:
    bot = kinds_bot
    [form] = await typed(bot, EMMA_EN, "a journalist wants to interview me")
    receipt = await click(bot, EMMA_EN, form, "press.submit", INTERVIEW)
    reference = reference_in(receipt, "PER-")
    [advice_card] = posted(bot, FATIMA)
    found = await services_of(bot).requests.get(TENANT, EMMA_EN.aad_id, reference)
    assert found is not None
    # Fatima's card is in Dutch (her locale); the requester's receipt in English.
    await click(
        bot, FATIMA, advice_card, "request.advise", {"position": "disagree", "advice": "Not now"}
    )
    mine = await bot.post(
        EMMA_EN.invoke(
            bot.service_url,
            "request.refresh",
            {"requestId": reference, "requesterId": EMMA_EN.aad_id},
        )
    )
    shown = texts((await mine.json())["value"])
    assert "Communications (Fatima el Amrani) does not agree" in shown and "Not now" in shown


async def test_a_question_about_posting_offers_to_ask_communicatie_first(
    kinds_bot: BotUnderTest,
) -> None:
    bot = kinds_bot
    [answer] = await typed(bot, SANNE, "mag ik een foto van een huurder op facebook zetten?")
    assert "Sociale media" in texts(answer)  # the answer stays an answer
    assert action(answer, "social.open")["title"] == "Eerst aan Communicatie vragen (sociale media)"
    form = await click(bot, SANNE, answer, "social.open")
    receipt = await click(bot, SANNE, form, "social.submit", POST)
    reference = reference_in(receipt, "SOC-")
    assert "Communicatie kijkt mee" in texts(receipt)
    assert "Over een huurder of collega plaats je niets" in texts(receipt)

    [card] = posted(bot, FATIMA)
    assert decision_verbs(card) == ["request.fine", "request.adjust", "request.not_post"]
    bare = await click(bot, FATIMA, card, "request.not_post", {"comment": ""}, "m-3")
    assert "toelichting" in texts(bare)  # a reason is required; nothing decided yet
    assert (await stored(bot, reference)).pending
    await click(bot, FATIMA, card, "request.not_post", {"comment": "Vraag haar eerst"}, "m-3")
    notice = posted(bot, SANNE)[-1]
    assert "Communicatie raadt af het te plaatsen" in texts(notice)
    assert "Vraag haar eerst" in texts(notice)
    assert (await stored(bot, reference)).status is Status.DECLINED
    register = await show(bot, LOTTE, "social")
    assert reference in texts(register) and "Berichten voor sociale media" in texts(register)
    mine = await open_flow(bot, SANNE, "mine.open")
    assert "Foto van mevrouw Jansen bij haar nieuwe keuken" in texts(mine)


async def test_in_english_the_journalist_flow_speaks_english(kinds_bot: BotUnderTest) -> None:
    bot = kinds_bot
    [form] = await typed(bot, EMMA_EN, "a journalist is calling me")
    assert "What does the journalist want to know?" in texts(form)
    receipt = await click(bot, EMMA_EN, form, "press.submit", INFORMATION)
    assert "Communications takes this over" in texts(receipt)
    assert "say nothing on Woongroen's behalf" in texts(receipt)
    assert "the Communications department" in texts(receipt)


@pytest.fixture
def bare_directory(tmp_path: Path) -> Path:
    """The demo directory with nobody holding letting and sales or Communicatie."""
    directory = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    for person in directory["people"]:
        roles = person.get("roles", [])
        person["roles"] = [r for r in roles if r not in ("letting_sales", "communications")]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(directory), "utf-8")
    return path


async def test_with_a_role_missing_the_flow_says_whom_to_contact_and_the_log_names_it(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    bare_directory: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await start_bot(
        replace(settings, directory_file=bare_directory), connector, aiohttp_server, session, clock
    )
    for user in (SANNE, PIETER):
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, SANNE, "housing.open")
        receipt = await click(bot, SANNE, form, "housing.submit", HOUSING)
        # The declaration is recorded and before the manager; letting and sales is named.
        assert "In de bot staat niemand van Verhuur en verkoop" in texts(receipt)
        reference_in(receipt, "WON-")
        assert len(posted(bot, PIETER)) == 1

        form = await open_flow(bot, SANNE, "press.open")
        refused = await click(bot, SANNE, form, "press.submit", INFORMATION)
        # An interview could never get Communicatie's agreement: refused as well, director or not.
        interview = await click(bot, SANNE, form, "press.submit", INTERVIEW)
    assert "In de bot staat niemand van Communicatie" in texts(refused)
    assert "Verwijs de journalist naar de afdeling Communicatie" in texts(refused)
    assert inputs(refused)["question"] == INFORMATION["question"]  # kept
    assert "PER-" not in texts(refused)
    assert "In de bot staat niemand van Communicatie" in texts(interview)
    assert "PER-" not in texts(interview) and posted(bot, MARIEKE) == []
    mine = await services_of(bot).requests.for_requester(TENANT, SANNE.aad_id)
    assert [r.kind for r in mine] == ["housing"]  # no press request half-made
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "role letting_sales is not configured" in logged
    assert "role communications is not configured" in logged


async def test_letting_and_sales_out_of_reach_is_in_the_trail_and_the_receipt(
    clocked_bot: BotUnderTest,
) -> None:
    """Pieter (letting and sales) never opened the bot: no way to send him the card. The
    declaration is recorded all the same, the trail says he was not told, the receipt asks
    Sanne to tell him herself."""
    bot = clocked_bot
    for user in (SANNE, LOTTE):
        await bot.post(user.install(bot.service_url))
    form = await open_flow(bot, SANNE, "housing.open")
    receipt = await click(bot, SANNE, form, "housing.submit", HOUSING)
    assert "kon de melding nu niet krijgen; laat het Pieter Bakker ook zelf weten" in texts(receipt)
    request = await stored(bot, reference_in(receipt, "WON-"))
    assert [e.detail for e in request.audit if e.action == "not_informed"] == [
        "letting_sales: NoConversationReference"
    ]
    assert not [e for e in request.audit if e.action == "informed"]


@pytest.mark.parametrize(
    ("question", "verb", "title"),
    [
        (
            "krijg ik voorrang op een huurwoning als medewerker?",
            "housing.open",
            "Familie of vrienden zoeken een woning",
        ),
        (
            "wat zeg ik als een journalist mij belt?",
            "press.open",
            "Een journalist neemt contact op",
        ),
    ],
)
async def test_the_answer_card_of_a_question_opens_its_flow(
    kinds_bot: BotUnderTest, question: str, verb: str, title: str
) -> None:
    [answer] = await typed(kinds_bot, SANNE, question)
    assert action(answer, verb)["title"] == title
    form = await click(kinds_bot, SANNE, answer, verb)
    assert action(form, verb.replace(".open", ".submit"))
