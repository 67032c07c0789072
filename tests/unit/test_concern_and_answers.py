"""The concern card, the answer cards and the question form, rendered as the user sees them."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.knowledge import knowledge_base
from bot.domain.people import Contact
from dialogs.answers import answer_card, no_match_card
from dialogs.concern import concern_card
from dialogs.question import question_card
from tests.support.card_samples import MELDREGELING, MIW, VERTROUWENSPERSOON
from tests.support.flows import objects


def texts(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


def urls(card: dict[str, Any]) -> list[str]:
    return [o["url"] for o in objects(card) if o.get("type") == "Action.OpenUrl"]


def test_concern_card_shows_the_vertrouwenspersoon_and_both_channels() -> None:
    card = concern_card("nl-NL", VERTROUWENSPERSOON, MELDREGELING, MIW)
    shown = texts(card)
    facts = next(e for e in card["body"] if e["type"] == "FactSet")["facts"]
    assert [f["value"] for f in facts] == ["Ingrid Mulder", "+31 6 1234 5678"]
    # The address wraps on its own line (a FactSet value is cut off at phone width).
    assert "E-mail: vertrouwenspersoon@woongroen.example" in shown
    assert urls(card) == [
        "tel:+31612345678",
        VERTROUWENSPERSOON.teams_chat_url,
        "mailto:vertrouwenspersoon@woongroen.example",
        MELDREGELING,
        MIW,
    ]
    assert "uitdrukkelijke toestemming" in shown  # the promise of the vertrouwenspersoon
    assert "melder te beschermen" in shown  # why the meldregeling exists
    assert "persoon zelf aan" in shown  # the first step
    assert "leidinggevende" not in shown  # whom this person may be avoiding (#19, point 2)
    assert "fraude met het vermogen" in shown and "zichzelf verrijken" in shown
    assert "Anoniem melden kan daar ook" in shown
    assert "niet anoniem" in shown  # the bot says it cannot offer anonymity


def test_concern_card_in_english() -> None:
    shown = texts(concern_card("en-US", VERTROUWENSPERSOON, MELDREGELING, MIW))
    assert "explicit consent" in shown and "Anonymous reports are accepted" in shown


def test_concern_card_without_contact_details_says_where_to_find_them() -> None:
    card = concern_card("nl-NL", None, MELDREGELING, MIW)
    assert not any(e["type"] == "FactSet" for e in card["body"])
    assert "nog niet ingesteld" in texts(card)
    assert urls(card) == [MELDREGELING, MIW]
    down = concern_card("nl-NL", None, MELDREGELING, MIW, contact_unavailable=True)
    assert "nu even niet ophalen" in texts(down)


def test_concern_card_leaves_out_links_a_contact_does_not_have() -> None:
    card = concern_card("nl-NL", Contact("Ingrid Mulder", phone="010"), MELDREGELING, MIW)
    assert urls(card) == ["tel:010", MELDREGELING, MIW]
    no_phone = concern_card("nl-NL", Contact("Ingrid Mulder"), MELDREGELING, MIW)
    assert urls(no_phone) == [MELDREGELING, MIW]


def test_answer_card_shows_the_guideline_its_section_and_a_button_into_its_flow() -> None:
    gifts = knowledge_base().get("gifts")
    card = answer_card("nl-NL", gifts)
    assert card["body"][0]["text"] == "Een cadeau van een relatie"
    assert card["body"][1]["text"] == "Uit de gedragscode: §2 Relatiegeschenken"
    assert any("€\u00a050" in e.get("text", "") for e in card["body"])
    verbs = [a["verb"] for a in card["actions"]]
    assert verbs == ["gift.open", "question.open", "menu.open"]
    assert card["actions"][0]["title"] == "Cadeau melden"


def test_answer_card_in_english_and_without_a_flow() -> None:
    card = answer_card("en-GB", knowledge_base().get("principles"))
    assert card["body"][0]["text"]
    assert [a["verb"] for a in card["actions"]] == ["question.open", "menu.open"]


def test_the_trailer_answer_offers_its_booking() -> None:
    card = answer_card("en-GB", knowledge_base().get("trailer"))
    assert card["body"][0]["text"] == "Borrowing the trailer"
    assert any("Tenants do come first" in e.get("text", "") for e in card["body"])
    assert [a["verb"] for a in card["actions"]] == ["trailer.open", "question.open", "menu.open"]
    assert card["actions"][0]["title"] == "Book the trailer"


def test_no_match_offers_the_menu_and_the_vertrouwenspersoon() -> None:
    card = no_match_card("nl-NL")
    assert card["body"][0]["text"] == "Daar heb ik geen antwoord op"
    assert "verzin geen regels" in card["body"][1]["text"]
    assert [a["verb"] for a in card["actions"]] == ["menu.open", "concern.open", "question.open"]


def test_question_form_keeps_what_was_typed_and_names_the_error() -> None:
    card = question_card("nl-NL", "mag ik *dit*?", "Typ eerst je vraag.")
    field = next(e for e in card["body"] if e["type"] == "Input.Text")
    assert field["id"] == "question" and field["value"] == "mag ik *dit*?"
    assert any(e.get("color") == "Attention" for e in card["body"])
    assert card["actions"][0]["verb"] == "question.ask"
