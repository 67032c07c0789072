"""The command menu over HTTP: each command's title, sent as Teams sends it when chosen, opens
its flow's first card (a form, the question box, the vertrouwenspersoon's contact)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_questions_and_concern import _text
from tests.support.activities import EMMA_EN, SANNE
from tests.support.flows import actions

# (title, a verb the first card offers)
DUTCH = [
    ("cadeau", "gift.submit"),
    ("uitnodiging", "invitation.submit"),
    ("nevenfunctie", "sidejob.submit"),
    ("leverancier", "supplier.submit"),
    ("huurder", "tenant.submit"),
    ("datalek", "dataleak.submit"),
    ("aanhangwagen", "trailer.submit"),
    ("journalist", "press.submit"),
    ("vraag", "question.ask"),
]


@pytest.mark.parametrize(("title", "verb"), DUTCH)
async def test_each_command_opens_its_flow(bot: BotUnderTest, title: str, verb: str) -> None:
    card = await _text(bot, SANNE.message(bot.service_url, title))
    assert verb in [a["verb"] for a in actions(card)], title


async def test_an_english_command_opens_its_flow_in_english(bot: BotUnderTest) -> None:
    card = await _text(bot, EMMA_EN.message(bot.service_url, "tenant"))
    assert "tenant.submit" in [a["verb"] for a in actions(card)]
    assert card["body"][0]["text"] == "A tenant you know personally"
