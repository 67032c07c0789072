"""Invitations, side jobs, supplier consent and tenant ties: each from form to decision."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import JOOST, LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import action, click, decision_verbs, inputs, open_flow, texts

INVITATION = {
    "inviter": "Bouwbedrijf Vos",
    "relation": "supplier",
    "kind": "dinner",
    "description": "Diner na oplevering De Linde",
    "eventDate": "2026-12-12",
    "value": "80",
    "negotiating": "true",
    "addedValue": "Kennismaken met de nieuwe projectleider",
}
SIDEJOB = {
    "activity": "board",
    "role": "Penningmeester",
    "organisation": "Voetbalclub VV Groen",
    "paid": "unpaid",
    "hours": "6",
    "touches": "true",
    "touchesHow": "De club huurt een kantine van Woongroen",
    "start": "2026-01-01",
}
SUPPLIER = {
    "supplier": "Bouwbedrijf Vos",
    "what": "Dakkapel op mijn huis",
    "reason": "Enige aanbieder in de regio met plaatsingsruimte dit jaar",
    "amount": "5.000",
    "quote1Provider": "Dakwerken Noord",
    "quote1Amount": "4.800",
    "quote2Provider": "Kapelbouw BV",
    "quote2Amount": "5.600",
}
TENANT_TIE = {
    "tenant": "Dorpsstraat 12",
    "tie": "relative",
    "case": "Aanvraag woningaanpassing",
    "sure": "no",
}


async def install(bot: BotUnderTest, *users: TeamsUser) -> None:
    for user in users:
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()


async def submit(bot: BotUnderTest, flow: str, fields: dict[str, str]) -> dict[str, Any]:
    form = await open_flow(bot, SANNE, f"{flow}.open")
    return await click(bot, SANNE, form, f"{flow}.submit", fields)


async def stored(bot: BotUnderTest) -> Any:
    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
    full = await repository.get(TENANT, SANNE.aad_id, summary.id)
    assert full is not None
    return full.request


async def hr_advises(bot: BotUnderTest, advice: str = "Geen bezwaren") -> dict[str, Any]:
    """HR (Joost) advises on the latest side job put to him; the manager's card as updated."""
    await click(bot, JOOST, card_to(bot, JOOST, -1), "request.advise", {"advice": advice}, "m-2")
    updates = [s for s in bot.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert updates and updates[-1].card is not None
    return updates[-1].card


def card_to(bot: BotUnderTest, user: TeamsUser, index: int = 0) -> dict[str, Any]:
    card = [s for s in bot.connector.to(user.conversation_id) if s.method == "POST"][index].card
    assert card is not None
    return card


async def test_an_invitation_from_a_party_in_negotiation_is_refused_with_no_way_to_approve(
    bot: BotUnderTest,
) -> None:
    """§2: nothing from a party one is negotiating with, so the manager can only take note."""
    await install(bot, SANNE, PIETER)
    receipt = await submit(bot, "invitation", INVITATION)
    assert "Niet op ingaan: met deze partij wordt nu onderhandeld" in texts(receipt)
    card = card_to(bot, PIETER)
    assert decision_verbs(card) == ["request.refused"]
    assert "Gezien, wordt afgeslagen" in texts(card)
    for verb in ("request.accept", "request.accept_on_condition"):
        response = await bot.post(
            PIETER.invoke(bot.service_url, verb, action(card, "request.refused")["data"], "msg-1")
        )
        refused = (await response.json())["value"]
        assert "Die keuze hoort niet bij deze melding" in texts(refused)
        assert (await stored(bot)).status is Status.PENDING
    # An old card's "approve" can only mean going along with the code: declined, noted.
    response = await bot.post(
        PIETER.invoke(bot.service_url, "request.approve", action(card, "request.refused")["data"])
    )
    assert "Slaat de uitnodiging af" in texts((await response.json())["value"])
    request = await stored(bot)
    assert (request.status, request.outcome) == (Status.APPROVED, "refused")
    notice = card_to(bot, SANNE)
    assert "Sla de uitnodiging af" in texts(notice)


async def test_an_invitation_is_decided_together_with_a_reason_or_a_condition(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER)
    receipt = await submit(bot, "invitation", {**INVITATION, "negotiating": "false"})
    assert "Je leidinggevende en jij beslissen samen" in texts(receipt)
    card = card_to(bot, PIETER)
    assert decision_verbs(card) == [
        "request.accept",
        "request.accept_on_condition",
        "request.decline",
    ]
    assert "Reden van je besluit, of de voorwaarde (verplicht)" in texts(card)
    bare = await click(bot, PIETER, card, "request.accept", {"comment": "  "}, "msg-1")
    assert "toelichting in; die is hier verplicht" in texts(bare)
    assert (await stored(bot)).status is Status.PENDING

    decided = await click(
        bot,
        PIETER,
        card,
        "request.accept_on_condition",
        {"comment": "We betalen zelf de reis"},
        "msg-1",
    )
    assert "Mag erop ingaan, onder voorwaarde" in texts(decided)
    request = await stored(bot)
    assert (request.status, request.outcome) == (Status.APPROVED, "accept_on_condition")
    notice = card_to(bot, SANNE)
    assert "Je mag erop ingaan, onder de voorwaarde hieronder" in texts(notice)
    assert "We betalen zelf de reis" in texts(notice)
    assert "vindt het goed onder voorwaarde" in texts(notice)


async def test_a_side_job_gets_hr_advice_then_the_managers_decision_each_seeing_the_other(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER, JOOST)
    receipt = await submit(bot, "sidejob", SIDEJOB)
    assert "na advies van HR" in texts(receipt)
    manager_card = card_to(bot, PIETER)
    hr_card = card_to(bot, JOOST)
    assert "Om advies gevraagd" in texts(hr_card)
    # §4: the manager decides after HR's advice: no buttons yet, and says until when.
    assert decision_verbs(manager_card) == []
    assert "Wacht op het advies van HR: gevraagd op " in texts(manager_card)
    assert "HR adviseert uiterlijk " in texts(manager_card)
    early = await bot.post(
        PIETER.invoke(
            bot.service_url, "request.approve", action(manager_card, "request.refresh")["data"]
        )
    )
    assert "eerst geeft HR advies" in texts((await early.json())["value"])
    assert (await stored(bot)).status is Status.PENDING

    advised = await click(
        bot, JOOST, hr_card, "request.advise", {"advice": "Past binnen de regels"}, "msg-2"
    )
    assert "Past binnen de regels" in texts(advised)
    [update] = [s for s in bot.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert update.card is not None and "Advies van Joost Visser" in texts(update.card)
    assert "Past binnen de regels" in texts(update.card)
    assert decision_verbs(update.card) == ["request.approve", "request.decline"]
    assert "Geen bezwaar" in texts(update.card)  # the manager's decision button

    await click(bot, PIETER, update.card, "request.approve", {}, "msg-1")
    hr_updates = [s for s in bot.connector.to(JOOST.conversation_id) if s.method == "PUT"]
    assert hr_updates and hr_updates[-1].card is not None
    assert "heeft geen bezwaar" in texts(hr_updates[-1].card)
    request = await stored(bot)
    assert request.status is Status.APPROVED
    assert [e.action for e in request.audit] == ["submitted", "advised", "approved"]


async def test_a_withdrawn_side_job_leaves_the_advisors_list_too(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER, JOOST)
    await submit(bot, "sidejob", SIDEJOB)
    assert "Sanne" in texts(await open_flow(bot, JOOST, "pending.open"))
    opened = await click(bot, SANNE, await open_flow(bot, SANNE, "mine.open"), "mine.show")
    assert "Ingetrokken op" in texts(await click(bot, SANNE, opened, "request.withdraw"))
    for person in (PIETER, JOOST):
        waiting = await open_flow(bot, person, "pending.open")
        assert "Sanne" not in texts(waiting), person.name
    hr_updates = [s for s in bot.connector.to(JOOST.conversation_id) if s.method == "PUT"]
    assert hr_updates and "Ingetrokken" in texts(hr_updates[-1].card or {})


async def test_only_the_hr_advisor_can_advise(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER, JOOST)
    await submit(bot, "sidejob", SIDEJOB)
    hr_card = card_to(bot, JOOST)
    refused = await click(bot, LOTTE, hr_card, "request.advise", {"advice": "Ik vind er iets van"})
    assert "Alleen de gevraagde adviseur" in texts(refused)
    assert (await stored(bot)).advice == ""


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("veel", "Vul een getal in"),
        ("500", "tussen 0 en 200"),
        ("-3", "tussen 0 en 200"),
        ("", "verplicht"),
    ],
)
async def test_side_job_hours_must_be_a_plausible_number(
    bot: BotUnderTest, hours: str, message: str
) -> None:
    await install(bot, SANNE, PIETER)
    again = await submit(bot, "sidejob", {**SIDEJOB, "hours": hours})
    assert message in texts(again)
    assert inputs(again)["organisation"] == SIDEJOB["organisation"]
    assert inputs(again)["hours"] == hours


async def test_supplier_consent_shows_where_the_price_sits(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    within = await submit(bot, "supplier", SUPPLIER)
    assert "binnen de bandbreedte" in texts(within)
    assert "Korting die je krijgt omdat je bij Woongroen werkt" in texts(within)
    below = await submit(bot, "supplier", {**SUPPLIER, "amount": "3.000"})
    assert "onder alle andere offertes" in texts(below)
    above = await submit(bot, "supplier", {**SUPPLIER, "amount": "9.999"})
    assert "boven alle andere offertes" in texts(above)
    card = card_to(bot, PIETER)
    assert "Toestemming geven" in texts(card)
    assert "Dakwerken Noord" in texts(card)


async def test_supplier_with_fewer_than_two_quotes_comes_back_with_values_kept(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER)
    fields = {**SUPPLIER, "quote2Provider": "", "quote2Amount": ""}
    again = await submit(bot, "supplier", fields)
    assert "Dit is verplicht" in texts(again)
    shown = inputs(again)
    assert shown["supplier"] == "Bouwbedrijf Vos" and shown["quote1Amount"] == "4.800"
    half = await submit(bot, "supplier", {**SUPPLIER, "quote3Provider": "Derde partij"})
    assert "zowel de aanbieder als het bedrag" in texts(half)
    assert bot.connector.to(PIETER.conversation_id) == []


async def test_a_tenant_tie_when_not_sure_can_only_be_handed_to_a_named_colleague(
    bot: BotUnderTest,
) -> None:
    """§2: not sure you can treat the tenant like any other: the case goes to a colleague the
    manager picks from the directory, who is told with the reference; the employee sees who."""
    await install(bot, SANNE, PIETER, LOTTE)
    receipt = await submit(bot, "tenant", TENANT_TIE)
    assert "Draag de zaak over aan een collega" in texts(receipt)
    card = card_to(bot, PIETER)
    assert decision_verbs(card) == ["request.hand_over"]  # keeping it is not offered
    pointer = action(card, "request.hand_over")["data"]
    response = await bot.post(PIETER.invoke(bot.service_url, "request.keep_self", pointer))
    assert "Die keuze hoort niet bij deze melding" in texts((await response.json())["value"])
    # An old card's "approve" goes along with the code: handing over, so a colleague is asked.
    response = await bot.post(PIETER.invoke(bot.service_url, "request.approve", pointer))
    assert "Aan welke collega draag je de zaak over?" in texts((await response.json())["value"])
    assert (await stored(bot)).status is Status.PENDING

    picker = await click(bot, PIETER, card, "request.hand_over", {"comment": "Lotte kent de wijk"})
    [choices] = [o for o in _objects(picker) if o.get("id") == "colleague"]
    offered = {c["value"]: c["title"] for c in choices["choices"]}
    assert LOTTE.aad_id in offered and offered[LOTTE.aad_id] == "Lotte Smit"
    assert SANNE.aad_id not in offered and PIETER.aad_id not in offered
    assert inputs(picker)["comment"] == "Lotte kent de wijk"  # kept
    assert (await stored(bot)).status is Status.PENDING

    # The id comes from the card: one the directory does not know, or the requester, is refused.
    for forged in ("not-a-person", SANNE.aad_id, PIETER.aad_id):
        again = await click(bot, PIETER, picker, "request.hand_over", {"colleague": forged})
        assert "Kies iemand uit de lijst" in texts(again)
        assert (await stored(bot)).status is Status.PENDING

    decided = await click(
        bot,
        PIETER,
        picker,
        "request.hand_over",
        {"colleague": LOTTE.aad_id, "comment": "Lotte kent de wijk"},
        "msg-1",
    )
    assert "Overgedragen aan Lotte Smit" in texts(decided)
    request = await stored(bot)
    assert (request.status, request.outcome) == (Status.APPROVED, "hand_over")
    assert request.assignee is not None and request.assignee.id == LOTTE.aad_id
    assert [e.action for e in request.audit][-2:] == ["handed_over", "approved"]
    assert request.audit[-2].detail == LOTTE.aad_id

    [told] = [s.card for s in bot.connector.to(LOTTE.conversation_id) if s.card]
    assert told is not None
    assert "Overgedragen aan jou" in texts(told) and request.id in texts(told)
    assert "Deze zaak is aan jou overgedragen" in texts(told)
    assert "Aanvraag woningaanpassing" in texts(told)  # the case itself
    notice = card_to(bot, SANNE)
    assert "De zaak is nu in handen van Lotte Smit" in texts(notice)
    # Lotte can open the case's card herself (refresh), as the person who has it now.
    view = await click(bot, LOTTE, told, "request.refresh")
    assert "Deze zaak is aan jou overgedragen" in texts(view)


async def test_a_tenant_tie_when_sure_the_manager_lets_the_employee_keep_it_or_hands_over(
    bot: BotUnderTest,
) -> None:
    await install(bot, SANNE, PIETER)
    await submit(bot, "tenant", {**TENANT_TIE, "sure": "yes"})
    card = card_to(bot, PIETER)
    assert decision_verbs(card) == ["request.keep_self", "request.hand_over"]
    decided = await click(bot, PIETER, card, "request.keep_self", {}, "msg-1")
    assert "Handelt de zaak zelf af" in texts(decided)
    request = await stored(bot)
    assert (request.status, request.outcome, request.assignee) == (
        Status.APPROVED,
        "keep_self",
        None,
    )
    assert "Je handelt de zaak zelf af" in texts(card_to(bot, SANNE))


def _objects(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.support.flows import objects

    return list(objects(card))


@pytest.mark.parametrize(
    ("flow", "fields", "field", "typed", "message"),
    [
        ("invitation", INVITATION, "inviter", "", "Dit is verplicht"),
        ("invitation", INVITATION, "value", "tachtig", "Dit is geen bedrag"),
        ("invitation", INVITATION, "eventDate", "12-12", "geen geldige datum"),
        ("invitation", INVITATION, "addedValue", "", "Dit is verplicht"),
        ("sidejob", SIDEJOB, "role", "", "Dit is verplicht"),
        ("sidejob", SIDEJOB, "paid", "soms", "Kies een van de mogelijkheden"),
        ("sidejob", SIDEJOB, "activity", "", "Kies een van de mogelijkheden"),
        ("supplier", SUPPLIER, "amount", "abc", "Dit is geen bedrag"),
        ("supplier", SUPPLIER, "quote1Amount", "2.000.000", "onwaarschijnlijk hoog"),
        ("tenant", TENANT_TIE, "case", "", "Dit is verplicht"),
        ("tenant", TENANT_TIE, "tie", "buurman", "Kies een van de mogelijkheden"),
        ("tenant", TENANT_TIE, "sure", "", "Kies een van de mogelijkheden"),
    ],
)
async def test_bad_input_returns_the_form_with_values_kept_and_the_error_named(
    bot: BotUnderTest,
    flow: str,
    fields: dict[str, str],
    field: str,
    typed: str,
    message: str,
) -> None:
    await install(bot, SANNE, PIETER)
    typed_fields = {**fields, field: typed}
    again = await submit(bot, flow, typed_fields)
    assert message in texts(again)
    shown = inputs(again)
    for key, value in typed_fields.items():
        if key not in ("negotiating", "touches", "doubt"):
            assert shown[key] == value, key
    assert await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id) == []


async def test_once_a_year_each_side_job_is_checked_and_can_be_ended(bot: BotUnderTest) -> None:
    from dataclasses import replace as with_clock
    from datetime import timedelta

    from bot.services.sidejob_review import ask_yearly
    from dialogs.sidejob import review_card

    await install(bot, SANNE, PIETER, JOOST)
    await submit(bot, "sidejob", SIDEJOB)
    await click(bot, PIETER, await hr_advises(bot), "request.approve", {}, "msg-1")
    services = bot.server.app[SERVICES]
    decided_at = (await stored(bot)).decided_at
    assert decided_at is not None
    soon = with_clock(services, clock=lambda: decided_at + timedelta(days=300))
    assert await ask_yearly(soon, review_card) == 0
    next_year = with_clock(services, clock=lambda: decided_at + timedelta(days=366))
    assert await ask_yearly(next_year, review_card) == 1
    assert await ask_yearly(next_year, review_card) == 0  # asked once
    question = [s.card for s in bot.connector.to(SANNE.conversation_id) if s.card][-1]
    assert question is not None and "nog actueel" in texts(question)

    refused = await click(bot, PIETER, question, "sidejob.ended")
    assert "Alleen wie de melding deed" in texts(refused)
    answered = await click(bot, SANNE, question, "sidejob.ended")
    assert "beëindigd" in texts(answered)
    request = await stored(bot)
    assert request.facts.ended_on
    assert request.audit[-1].action == "ended"
    two_years = with_clock(services, clock=lambda: decided_at + timedelta(days=800))
    assert await ask_yearly(two_years, review_card) == 0  # ended side jobs are not asked again
