"""The approver's card carries the request's sealed copy on its decision buttons only while
the card stays within what Teams takes (28 KB a message): past `CARD_BUDGET` it goes
without the copy, and the decision reads the request first."""

from __future__ import annotations

from typing import Any

import orjson

from bot.domain.amend import add_information
from dialogs.requests_view import CARD_BUDGET, request_card
from tests.support.card_samples import KINDS, _gift_request
from tests.support.flows import action

TOKEN = "S" * 3000  # the size of a sealed copy of a request with a few notes


def decision_data(card: dict[str, Any]) -> dict[str, Any]:
    return dict(action(card, "request.keep")["data"])


def test_a_usual_card_carries_the_copy_on_its_decision_buttons() -> None:
    card = request_card(KINDS, _gift_request(), "nl-NL", "u2", sealed=TOKEN)
    assert decision_data(card)["sealed"] == TOKEN
    assert len(orjson.dumps(card)) <= CARD_BUDGET


def _noted_up_to_the_budget() -> tuple[Any, dict[str, Any]]:
    """A request with notes added until its card would pass the budget with the copy on it."""
    request = _gift_request()
    bare = request_card(KINDS, request, "nl-NL", "u2")
    n = 0
    while len(orjson.dumps(bare)) + len(TOKEN) <= CARD_BUDGET:
        request = add_information(request, "u1", f"{n}: " + "é" * 990, request.created_at)
        bare = request_card(KINDS, request, "nl-NL", "u2")
        n += 1
    return request, bare


def test_a_card_that_would_be_too_big_with_the_copy_goes_without_it() -> None:
    request, bare = _noted_up_to_the_budget()
    assert len(orjson.dumps(bare)) <= CARD_BUDGET  # it fits, but not with the copy

    card = request_card(KINDS, request, "nl-NL", "u2", sealed=TOKEN)

    assert "sealed" not in decision_data(card)
    assert decision_data(card)["requestId"] == request.id  # still decidable, from storage
    assert len(orjson.dumps(card)) <= CARD_BUDGET


def test_the_budget_counts_bytes_as_sent_not_characters() -> None:
    """Letters like é are two bytes in the message Teams receives: counted in characters, this
    card would have kept the copy."""
    request, bare = _noted_up_to_the_budget()
    assert len(orjson.dumps(bare).decode()) + len(TOKEN) <= CARD_BUDGET
    card = request_card(KINDS, request, "nl-NL", "u2", sealed=TOKEN)
    assert "sealed" not in decision_data(card)
