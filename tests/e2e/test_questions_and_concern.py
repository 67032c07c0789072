"""Typed questions, flows opened from text, and the concern card, over HTTP as Teams sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bot.app import SERVICES
from bot.domain.people import Actor
from bot.settings import Settings
from dialogs import build_registry
from dialogs.base import CardAction
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import EMMA_EN, SANNE, TENANT
from tests.support.card_samples import MIW
from tests.support.flows import objects
from tests.support.kinds import KINDS
from tests.support.leaks import Clock, start_bot


async def _text(bot: BotUnderTest, user_message: dict) -> dict:  # type: ignore[type-arg]
    before = len(bot.connector.sent)
    response = await bot.post(user_message)
    assert response.status == 200
    sent = await bot.connector.wait_for(before + 1)
    card = sent[-1].card
    assert card is not None
    return card


async def test_typing_a_question_gets_the_answer_card(bot: BotUnderTest) -> None:
    card = await _text(bot, SANNE.message(bot.service_url, "mag ik de aanhangwagen lenen?"))
    assert card["body"][0]["text"] == "De aanhangwagen lenen"
    assert "§3" in card["body"][1]["text"]


async def test_an_english_question_gets_an_english_answer_with_its_flow(bot: BotUnderTest) -> None:
    card = await _text(bot, EMMA_EN.message(bot.service_url, "can I accept a bottle of wine?"))
    assert card["body"][0]["text"] == "A gift from a business contact"
    assert card["actions"][0] == {
        "type": "Action.Execute",
        "title": "Declare a gift",
        "verb": "gift.open",
        "style": "positive",
        # The facts in the question fill the form in, one tap away (#19, point 2).
        "data": {
            "prefill": {
                "values": {"description": "Bottle of wine", "kind": "goods", "everyday": "true"},
                "inferred": ["everyday"],
            }
        },
    }


async def test_typing_that_you_got_a_gift_opens_the_gift_flow(bot: BotUnderTest) -> None:
    card = await _text(bot, SANNE.message(bot.service_url, "ik heb een cadeau gekregen"))
    services = bot.server.app[SERVICES]
    handler = build_registry(KINDS).get("gift.open")
    assert handler is not None
    actor = Actor(TENANT, SANNE.aad_id, SANNE.name, SANNE.locale)
    expected = await handler(CardAction(actor, "gift.open", {}, None), services)
    # Each form gets its own formId (so a double submit is one declaration); the rest is equal.
    assert card["actions"][0]["data"].pop("formId") != expected["actions"][0]["data"].pop("formId")
    assert card == expected
    assert card["actions"][0]["verb"] == "gift.submit"


async def test_a_question_the_code_does_not_answer_gets_an_honest_no(bot: BotUnderTest) -> None:
    card = await _text(bot, SANNE.message(bot.service_url, "wat is het weer morgen"))
    assert card["body"][0]["text"] == "Daar heb ik geen antwoord op"
    assert {a["verb"] for a in card["actions"]} >= {"menu.open", "concern.open"}


async def test_concern_open_returns_the_card_with_the_directory_contact(bot: BotUnderTest) -> None:
    response = await bot.post(SANNE.invoke(bot.service_url, "concern.open"))
    body = await response.json()
    card = body["value"]
    assert body["statusCode"] == 200
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert facts[0]["value"] == "Ingrid Mulder"  # from infra/demo/directory.json
    assert facts[1]["value"] == "+31 6 1234 5678"
    links = [
        a["url"]
        for e in card["body"]
        if e["type"] == "ActionSet"
        for a in e["actions"]
        if a["type"] == "Action.OpenUrl"
    ]
    assert "https://www.woongroen.example/meldregeling" in links and MIW in links


async def test_question_ask_answers_on_the_card_and_keeps_bad_input(bot: BotUnderTest) -> None:
    response = await bot.post(
        SANNE.invoke(
            bot.service_url, "question.ask", {"question": "wat zeg ik als een journalist mij belt?"}
        )
    )
    assert (await response.json())["value"]["body"][0]["text"] == "De pers of een journalist"

    empty = await bot.post(SANNE.invoke(bot.service_url, "question.ask", {"question": "  "}))
    form = (await empty.json())["value"]
    assert any(e.get("text") == "Typ eerst je vraag in het vak hieronder." for e in form["body"])

    long_question = "mag ik " + "heel " * 120 + "lang vragen?"
    too_long = await bot.post(
        SANNE.invoke(bot.service_url, "question.ask", {"question": long_question})
    )
    field = next(e for e in (await too_long.json())["value"]["body"] if e["type"] == "Input.Text")
    assert field["value"] == long_question


async def test_without_a_directory_contact_the_concern_card_shows_the_configured_one(
    settings: Settings,
    connector: tuple[Any, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
) -> None:
    """On Azure the directory comes from Entra ID, where an outside vertrouwenspersoon is not:
    the concern card then shows the one named in the settings."""
    directory = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    directory.pop("contacts", None)
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(directory), "utf-8")
    configured = replace(
        settings,
        directory_file=path,
        confidant_name="Mr. A. de Wit",
        confidant_phone="+31 30 123 4567",
        confidant_email="vp@extern.example",
    )
    bot = await start_bot(configured, connector, aiohttp_server, session, clock)
    response = await bot.post(SANNE.invoke(bot.service_url, "concern.open"))
    card = (await response.json())["value"]
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert [f["value"] for f in facts[:2]] == ["Mr. A. de Wit", "+31 30 123 4567"]
    assert "vp@extern.example" in json.dumps(card)


async def test_where_is_the_vertrouwenspersoon_goes_straight_to_the_contact_details(
    bot: BotUnderTest,
) -> None:
    for question in ("Waar vind ik de vertrouwenspersoon?", "wie is de vertrouwenspersoon"):
        card = await _text(bot, SANNE.message(bot.service_url, question))
        shown = json.dumps(card, ensure_ascii=False)
        assert "Ingrid Mulder" in shown and "+31 6 1234 5678" in shown
        assert "leidinggevende" not in shown
        urls = [o.get("url") for o in objects(card) if o.get("type") == "Action.OpenUrl"]
        # Tappable on a phone: a call and an e-mail, not just text.
        assert "tel:+31612345678" in urls
        assert any(str(u).startswith("mailto:") for u in urls)
    english = await _text(bot, EMMA_EN.message(bot.service_url, "who is the confidential adviser?"))
    assert "Ingrid Mulder" in json.dumps(english) and "manager" not in json.dumps(english)


def test_no_confidential_answer_suggests_the_manager() -> None:
    from bot.domain.knowledge import knowledge_base

    for guideline in knowledge_base().guidelines:
        if not guideline.confidential:
            continue
        for language, word in (("nl", "leidinggevende"), ("en", "manager")):
            said = " ".join(guideline.text(language).points)
            assert word not in said.lower(), (guideline.id, language)
