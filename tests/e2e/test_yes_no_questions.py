"""Yes/no questions that decide a verdict are asked, not defaulted (#19, point 4): the form shows
them as a required choice with nothing picked, and a form sent without an answer comes back
with the question named, never as a silent "Nee"."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import SERVICES
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.flows import WINE, click, objects, open_flow, texts

# Per kind: its open verb, submit verb and the questions whose answer decides its verdict.
DECIDING = {
    "gift": ("gift.open", "gift.submit", ("negotiating", "everyday", "atHome")),
    "invitation": ("invitation.open", "invitation.submit", ("negotiating",)),
    "sidejob": ("sidejob.open", "sidejob.submit", ("touches",)),
    "tenant": ("tenant.open", "tenant.submit", ("sure",)),
}
# Choices that are not a bare "Ja"/"Nee" (the tenant question says what yes means).
TITLES = {"sure": ["Ja, dat weet ik zeker", "Nee, niet zeker"]}


def _input(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    [found] = [o for o in objects(card) if o.get("id") == input_id]
    return found


@pytest.mark.parametrize("kind", sorted(DECIDING))
async def test_deciding_questions_are_required_choices_with_nothing_picked(
    bot: BotUnderTest, kind: str
) -> None:
    await bot.post(SANNE.install(bot.service_url))
    open_verb, _, questions = DECIDING[kind]
    form = await open_flow(bot, SANNE, open_verb)
    assert not [o for o in objects(form) if o.get("type") == "Input.Toggle"]
    for question in questions:
        shown = _input(form, question)
        assert shown["type"] == "Input.ChoiceSet"
        assert shown["style"] == "expanded"
        assert [c["title"] for c in shown["choices"]] == TITLES.get(question, ["Ja", "Nee"])
        assert not shown.get("value")  # nothing picked for the person
        assert shown["label"].endswith(" *")


async def test_a_gift_sent_without_everyday_comes_back_and_nothing_is_recorded(
    bot: BotUnderTest,
) -> None:
    for user in (SANNE, PIETER):
        await bot.post(user.install(bot.service_url))
    form = await open_flow(bot, SANNE, "gift.open")
    unanswered = {key: value for key, value in WINE.items() if key != "everyday"}
    back = await click(bot, SANNE, form, "gift.submit", unanswered)
    assert "Kies ja of nee." in texts(back)
    # What was typed is kept; the unanswered question still has no answer.
    assert _input(back, "description")["value"] == "Fles wijn"
    assert not _input(back, "everyday").get("value")
    stored = await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    assert stored == []
    answered = await click(bot, SANNE, back, "gift.submit", WINE)
    assert "Je mag dit aannemen en houden" in texts(answered)
