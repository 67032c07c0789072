"""A typed sentence that has the facts gets them applied (#19, points 2 and 3): a question gets the
rule's answer for those facts with the form one tap away, a statement opens its form filled in
with what the code says about it, everything editable and nothing sent without the button."""

from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import EMMA_EN, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import action, click, inputs, objects, texts


async def _typed(bot: BotUnderTest, user: TeamsUser, sentence: str) -> dict[str, Any]:
    before = len(bot.connector.sent)
    response = await bot.post(user.message(bot.service_url, sentence))
    assert response.status == 200
    sent = await bot.connector.wait_for(before + 1)
    card = sent[-1].card
    assert card is not None
    return card


async def _nothing_recorded(bot: BotUnderTest, user: TeamsUser) -> None:
    stored = await bot.server.app[SERVICES].requests.for_requester(TENANT, user.aad_id)
    assert stored == []


async def test_a_question_with_an_amount_gets_the_rule_applied(bot: BotUnderTest) -> None:
    await bot.post(SANNE.install(bot.service_url))
    card = await _typed(bot, SANNE, "Kerstpakket van 60 euro houden?")
    shown = texts(card)
    assert "Nee, niet houden: vanaf €\u00a050 lever je het in" in shown
    # It comes before the guideline's general points.
    assert shown.index("Nee, niet houden") < shown.index("•")
    # One tap to the form, filled in with what was said.
    form = await click(bot, SANNE, card, "gift.open", {})
    assert inputs(form)["description"] == "Kerstpakket"
    assert inputs(form)["value"] == "60"
    assert "Nee, niet houden: vanaf €\u00a050" in texts(form)
    await _nothing_recorded(bot, SANNE)


async def test_money_is_refused_whatever_else(bot: BotUnderTest) -> None:
    card = await _typed(bot, SANNE, "mag ik een envelop met geld van een huurder aannemen?")
    assert "Nee, niet aannemen: geld neem je nooit aan" in texts(card)


async def test_a_gift_statement_opens_the_form_filled_in_and_sends_only_on_the_button(
    bot: BotUnderTest,
) -> None:
    for user in (SANNE, PIETER):
        await bot.post(user.install(bot.service_url))
    form = await _typed(
        bot, SANNE, "ik kreeg gisteren een fles wijn van 25 euro van Schildersbedrijf De Kwast"
    )
    assert action(form, "gift.submit")
    values = inputs(form)
    assert values["description"] == "Fles wijn"
    assert values["value"] == "25"
    assert values["giverOrganisation"] == "Schildersbedrijf De Kwast"
    assert values["relation"] == "supplier"
    assert values["kind"] == "goods"
    assert values["everyday"] == "true"  # inferred, and said so
    assert not values["negotiating"] and not values["atHome"]  # only she knows those
    shown = texts(form)
    assert "Ingevuld uit je bericht" in shown
    assert "Alledaags: ja, afgeleid uit \u201eFles wijn\u201d onder €\u00a050. Klopt dit?" in shown
    assert "Ja, dat mag" in shown
    assert "geen onderhandelingen" in shown
    # Every field stays an input she can change; nothing is recorded yet.
    assert {o["id"] for o in objects(form) if o.get("id") == "value"} == {"value"}
    await _nothing_recorded(bot, SANNE)
    sent = await click(
        bot, SANNE, form, "gift.submit", {**values, "negotiating": "false", "atHome": "false"}
    )
    assert "Je mag dit aannemen en houden" in texts(sent)


async def test_an_english_statement_fills_the_english_form(bot: BotUnderTest) -> None:
    form = await _typed(
        bot, EMMA_EN, "I received a bottle of wine worth 30 euros from Acme Ltd at the office"
    )
    values = inputs(form)
    assert values["description"] == "Bottle of wine"
    assert values["value"] == "30"
    assert values["giverOrganisation"] == "Acme Ltd"
    assert values["atHome"] == "false"
    assert "Filled in from your message" in texts(form)


async def test_an_invitation_statement_fills_who_what_and_when(bot: BotUnderTest) -> None:
    form = await _typed(
        bot, SANNE, "ik ben uitgenodigd voor een voetbalwedstrijd door Bouwbedrijf Vos"
    )
    assert action(form, "invitation.submit")
    values = inputs(form)
    assert values["inviter"] == "Bouwbedrijf Vos"
    assert values["kind"] == "event"
    assert values["description"] == "Voetbalwedstrijd"
    assert values["relation"] == "supplier"
    assert not values["negotiating"]
    assert "samen" in texts(form)


async def test_a_side_job_statement_fills_the_role_and_where(bot: BotUnderTest) -> None:
    form = await _typed(
        bot, SANNE, "ik word penningmeester bij de Voetbalclub Groen Wit, onbetaald, 4 uur per week"
    )
    assert action(form, "sidejob.submit")
    values = inputs(form)
    assert values["role"] == "Penningmeester"
    assert values["organisation"] == "Voetbalclub Groen Wit"
    assert values["paid"] == "unpaid"
    assert values["hours"] == "17,3"


async def test_a_data_leak_statement_fills_what_happened(bot: BotUnderTest) -> None:
    sentence = "ik heb gisteren een mail met huurdersgegevens naar de verkeerde persoon gestuurd"
    form = await _typed(bot, SANNE, sentence)
    assert action(form, "dataleak.submit")
    values = inputs(form)
    assert values["description"] == sentence
    clock = bot.server.app[SERVICES].clock()
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    yesterday = clock.astimezone(ZoneInfo("Europe/Amsterdam")).date() - timedelta(days=1)
    assert values["occurredDate"] == yesterday.isoformat()
    assert "72 uur" in texts(form)
