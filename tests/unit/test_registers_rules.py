"""Adding information to a request, and typed names of the personal registers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.amend import InvalidNote, add_information, clean_note, notes_of
from bot.domain.intents import OpenFlow, understand
from bot.domain.knowledge import knowledge_base
from bot.domain.requests import APPROVE, DecisionRefused, decide
from tests.support.card_samples import _gift_request

LATER = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_note_is_appended_with_its_date_and_audited() -> None:
    request = _gift_request()
    once = add_information(request, "u1", "eerste", LATER)
    twice = add_information(once, "u1", "tweede", LATER)
    assert notes_of(twice) == [(LATER, "eerste"), (LATER, "tweede")]
    assert [e.action for e in twice.audit] == [
        "submitted",
        "information_added",
        "information_added",
    ]
    assert twice.facts == request.facts  # the original facts are never rewritten


def test_only_the_requester_adds_and_only_while_pending() -> None:
    request = _gift_request()
    with pytest.raises(DecisionRefused) as other:
        add_information(request, "u2", "x", LATER)
    assert other.value.code == "not_requester"
    decided = decide(request, "u2", APPROVE, "", LATER)
    with pytest.raises(DecisionRefused) as late:
        add_information(decided, "u1", "x", LATER)
    assert late.value.code == "already_decided"


@pytest.mark.parametrize(
    ("typed", "code"), [("  ", "note_empty"), (None, "note_empty"), ("x" * 1001, "note_too_long")]
)
def test_a_bad_note_is_named(typed: object, code: str) -> None:
    with pytest.raises(InvalidNote) as error:
        clean_note(typed)
    assert error.value.code == code


def test_control_characters_are_dropped_from_a_note() -> None:
    assert clean_note(" regel\x00 een\nregel twee ") == "regel een\nregel twee"


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("mijn meldingen", "mine"),
        ("Mijn meldingen graag", "mine"),
        ("my requests", "mine"),
        ("openstaand", "pending"),
        ("Openstaande meldingen?", "pending"),
        ("pending requests", "pending"),
    ],
)
def test_a_register_named_in_a_short_message_opens_it(text: str, flow: str) -> None:
    assert understand(text, knowledge_base()) == OpenFlow(flow)


def test_a_long_sentence_mentioning_my_requests_is_not_a_register() -> None:
    said = "ik wil weten of mijn meldingen van cadeaus ook naar hr gaan"
    assert understand(said, knowledge_base()) != OpenFlow("mine")
