"""The "Also" list of issue #16, checked for each of its flows over HTTP: housing, borrowing,
the trailer, the press, social media, violations and respect. Each opens from a plain sentence
and from the answer card of a question about it; with the role it needs missing, it says whom
to contact instead and the log names the role. (Mijn meldingen, registers, the overview and
retention are checked per flow in their own files: see docs/kinds.md, "Checked against #16".)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.app import SERVICES
from bot.settings import Settings
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_code_kinds import INFORMATION, INTERVIEW, POST, typed
from tests.support.activities import FATIMA, LOTTE, MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.connector import MockConnector
from tests.support.flows import actions, click, inputs, open_flow, texts
from tests.support.leaks import Clock, start_bot

VERTROUWENSPERSOON = "Ingrid Mulder"  # in the demo directory


@pytest.fixture
async def flows_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    for user in (SANNE, PIETER, MARIEKE, LOTTE):
        await clocked_bot.post(user.install(clocked_bot.service_url))
    clocked_bot.connector.sent.clear()
    return clocked_bot


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in actions(card)]


# (flow, who types, the sentence, the verb its form submits with)
SENTENCES = [
    ("housing", SANNE, "mijn zoon schrijft zich in voor een huurwoning bij Woongroen",
     "housing.submit"),
    ("borrow", SANNE, "ik wil de ladder van kantoor lenen", "borrow.submit"),
    ("trailer", SANNE, "ik wil de aanhangwagen reserveren voor zaterdag", "trailer.submit"),
    ("press", SANNE, "een journalist wil mij interviewen", "press.submit"),
    ("violation", PIETER, "ik wil een overtreding melden", "violation.submit"),
]  # fmt: skip


@pytest.mark.parametrize(("flow", "user", "sentence", "submit"), SENTENCES)
async def test_each_flow_opens_from_a_plain_sentence(
    flows_bot: BotUnderTest, flow: str, user: TeamsUser, sentence: str, submit: str
) -> None:
    cards = await typed(flows_bot, user, sentence)
    assert any(submit in verbs(card) for card in cards), (flow, [verbs(c) for c in cards])


async def test_reporting_a_violation_is_the_violation_form_for_a_manager_only(
    flows_bot: BotUnderTest,
) -> None:
    """The issue's sentence: Pieter manages Sanne, so it is his team's violation form, with
    the meldregeling as the other way; Sanne manages nobody, so hers is the meldregeling."""
    [form] = await typed(flows_bot, PIETER, "ik wil een overtreding melden")
    assert verbs(form) == ["violation.submit", "concern.open", "menu.open"]
    assert "Sanne de Vries" in str(form)  # his team to choose from
    concern = await click(flows_bot, PIETER, form, "concern.open")
    assert VERTROUWENSPERSOON in texts(concern)

    [answer] = await typed(flows_bot, SANNE, "ik wil een overtreding melden")
    assert "meldregeling" in texts(answer)
    assert not {"violation.open", "violation.submit"} & set(verbs(answer)), verbs(answer)
    [english] = await typed(flows_bot, PIETER, "I want to report a violation")
    assert "violation.submit" in verbs(english)


async def test_social_media_stays_an_answer_that_offers_the_flow_and_respect_gets_the_contact(
    flows_bot: BotUnderTest,
) -> None:
    """Social media: the sentence gets the answer, with the way to ask Communicatie first.
    Respect: a sentence about being bullied gets the vertrouwenspersoon at once."""
    [answer] = await typed(flows_bot, SANNE, "ik wil iets over Woongroen op linkedin posten")
    assert "social.open" in verbs(answer)
    cards = await typed(flows_bot, SANNE, "ik word gepest door een collega")
    assert any(VERTROUWENSPERSOON in texts(card) for card in cards)


# (flow, who asks, the question, the answer card's button)
QUESTIONS = [
    ("housing", SANNE, "krijg ik voorrang op een huurwoning als medewerker?", "housing.open"),
    ("borrow", SANNE, "mag ik gereedschap van Woongroen lenen?", "borrow.open"),
    ("trailer", SANNE, "mag ik de aanhangwagen lenen?", "trailer.open"),
    ("press", SANNE, "wat zeg ik als een journalist mij belt?", "press.open"),
    ("social", SANNE, "mag ik een foto van een huurder op facebook zetten?", "social.open"),
    ("violation", PIETER, "wat gebeurt er als iemand de gedragscode overtreedt?",
     "violation.open"),
]  # fmt: skip


@pytest.mark.parametrize(("flow", "user", "question", "button"), QUESTIONS)
async def test_each_flow_opens_from_the_answer_card(
    flows_bot: BotUnderTest, flow: str, user: TeamsUser, question: str, button: str
) -> None:
    cards = await typed(flows_bot, user, question)
    [answer] = [c for c in cards if button in verbs(c)]
    form = await click(flows_bot, user, answer, button)
    assert f"{flow}.submit" in verbs(form), verbs(form)


async def test_a_respect_question_is_answered_with_the_vertrouwenspersoon_at_once(
    flows_bot: BotUnderTest,
) -> None:
    cards = await typed(flows_bot, SANNE, "wat doe ik bij discriminatie op het werk?")
    assert any(VERTROUWENSPERSOON in texts(card) for card in cards)


async def bot_with(
    change: Callable[[dict[str, Any]], None],
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
) -> BotUnderTest:
    directory = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    change(directory)
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(directory), "utf-8")
    bot = await start_bot(
        replace(settings, directory_file=path), connector, aiohttp_server, session, clock
    )
    for user in (SANNE, PIETER, MARIEKE, LOTTE):
        await bot.post(user.install(bot.service_url))
    return bot


def without_role(*roles: str) -> Callable[[dict[str, Any]], None]:
    def change(directory: dict[str, Any]) -> None:
        for person in directory["people"]:
            person["roles"] = [r for r in person.get("roles", []) if r not in roles]

    return change


async def test_borrowing_with_no_manager_and_no_integrity_officer_says_whom_to_contact(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def change(directory: dict[str, Any]) -> None:
        without_role("integrity_officer")(directory)
        for person in directory["people"]:
            if person["id"] == SANNE.aad_id:
                person.pop("managerId", None)

    bot = await bot_with(change, settings, connector, aiohttp_server, session, clock, tmp_path)
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, SANNE, "borrow.open")
        card = await click(
            bot, SANNE, form, "borrow.submit", {"item": "Statafel", "category": "other",
                                                "value": "40"}
        )  # fmt: skip
    assert "neem contact op met HR" in texts(card)
    assert "Statafel" in texts(card)  # what was typed is still there
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "role integrity_officer is not configured" in logged
    assert "Sanne" not in logged and "Statafel" not in logged


async def test_a_violation_with_no_director_is_recorded_and_says_whom_to_go_to(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = await bot_with(
        without_role("director"), settings, connector, aiohttp_server, session, clock, tmp_path
    )
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, PIETER, "violation.open")
        receipt = await click(
            bot, PIETER, form, "violation.submit",
            {"employee": SANNE.aad_id, "rule": "§2", "what": "Kerstpakket gehouden"},
        )  # fmt: skip
    assert receipt["body"][0]["text"] == "Vastgelegd in het vertrouwelijke register"
    assert "geen directeur-bestuurder" in texts(receipt)
    assert "integriteitsfunctionaris ziet het dossier" in texts(receipt)
    [case] = await bot.server.app[SERVICES].violations.all(TENANT)
    assert case.violation.what == "Kerstpakket gehouden"  # recorded all the same
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "role director is not configured" in logged
    assert "Sanne" not in logged


async def test_respect_with_no_vertrouwenspersoon_says_where_to_find_one_and_logs_it(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def change(directory: dict[str, Any]) -> None:
        directory["contacts"].pop("vertrouwenspersoon")

    bot = await bot_with(change, settings, connector, aiohttp_server, session, clock, tmp_path)
    with caplog.at_level(logging.WARNING):
        cards = await typed(bot, SANNE, "ik word gepest door een collega")
    assert any("vraag ernaar bij HR" in texts(card) for card in cards)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "vertrouwenspersoon is not configured" in logged
    assert "Sanne" not in logged and "gepest" not in logged


async def test_an_interview_with_no_director_says_whom_to_contact_and_keeps_what_was_typed(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`press.role_missing.director`: nobody may consent, so nothing is recorded; a question
    for information still goes to Communicatie (it needs no director)."""
    bot = await bot_with(
        without_role("director"), settings, connector, aiohttp_server, session, clock, tmp_path
    )
    await bot.post(FATIMA.install(bot.service_url))
    bot.connector.sent.clear()
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, SANNE, "press.open")
        refused = await click(bot, SANNE, form, "press.submit", INTERVIEW)
    shown = texts(refused)
    assert "In de bot staat geen directeur-bestuurder" in shown
    assert "Geef geen interview" in shown and "afdeling Communicatie" in shown
    assert "PER-" not in shown
    kept = inputs(refused)
    assert kept["question"] == INTERVIEW["question"] and kept["journalist"] == "Eva Bos"
    assert await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id) == []
    assert bot.connector.to(FATIMA.conversation_id) == []  # no advice asked either
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "role director is not configured in the directory" in logged
    assert "Sanne" not in logged and "Eva Bos" not in logged

    receipt = await click(bot, SANNE, form, "press.submit", INFORMATION)
    assert "Je melding staat bij Fatima el Amrani" in texts(receipt)


async def test_a_post_with_no_communicatie_says_whom_to_ask_and_keeps_what_was_typed(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`social.role_missing.communications`: nothing recorded, ask the department directly."""
    bot = await bot_with(
        without_role("communications"),
        settings, connector, aiohttp_server, session, clock, tmp_path,
    )  # fmt: skip
    with caplog.at_level(logging.WARNING):
        form = await open_flow(bot, SANNE, "social.open")
        refused = await click(bot, SANNE, form, "social.submit", POST)
    shown = texts(refused)
    assert "In de bot staat niemand van Communicatie" in shown
    assert "Vraag het de afdeling Communicatie rechtstreeks" in shown
    assert "plaats het niet zolang je twijfelt" in shown
    assert "SOC-" not in shown
    kept = inputs(refused)
    assert kept["post"] == POST["post"] and kept["channel"] == "LinkedIn"
    assert await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "role communications is not configured in the directory" in logged
    assert "Sanne" not in logged and "mevrouw Jansen" not in logged
