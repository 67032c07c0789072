"""The actions a person has on a request's card, on its tab page (HTTP with real sign-on
tokens): the requester adds information and withdraws (after a confirmation), HR advises on a
side job, Communicatie gives its position on an interview; each through the card's engine,
refused for anyone else in the user's language."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import ClientResponse

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.test_code_kinds import INTERVIEW
from tests.e2e.test_request_flows import INVITATION, SIDEJOB
from tests.e2e.test_tab_pages import decide, invitation, invoke
from tests.support.activities import (
    EMMA_EN,
    FATIMA,
    JOOST,
    MARIEKE,
    PIETER,
    SANNE,
    TENANT,
    TeamsUser,
)
from tests.support.flows import action, texts
from tests.support.tab import TabBot


async def post(tab: TabBot, user: TeamsUser, path: str, form: dict[str, str]) -> ClientResponse:
    return await tab.session.post(
        tab.url(path), data=form, headers={"Authorization": f"Bearer {tab.sso(user)}"}
    )


async def stored(tab: TabBot, rid: str) -> Any:
    found = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert found is not None
    return found.request


async def sidejob(tab: TabBot) -> str:
    for user in (SANNE, PIETER, JOOST):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "sidejob.open", {})
    data = {**(action(form, "sidejob.submit").get("data") or {}), **SIDEJOB}
    await invoke(tab, SANNE, "sidejob.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    return summary.id


async def test_the_requester_adds_information_on_the_page(tab: TabBot) -> None:
    rid = await invitation(tab)
    page = await (await tab.get(f"/tab/api/mine/{rid}", tab.sso(SANNE))).text()
    assert f'data-api="/tab/api/mine/{rid}/add"' in page
    assert '<label for="addition">Informatie toevoegen (niet verplicht)</label>' in page

    empty = await post(tab, SANNE, f"/tab/api/mine/{rid}/add", {"addition": "   "})
    assert empty.status == 422
    assert "Typ eerst wat je wilt toevoegen." in await empty.text()

    long = "x" * 1001
    too_long = await post(tab, SANNE, f"/tab/api/mine/{rid}/add", {"addition": long})
    assert too_long.status == 422
    kept = await too_long.text()
    assert "maximaal 1000 tekens" in kept and f">{long}</textarea>" in kept  # nothing lost

    tab.connector.sent.clear()
    done = await post(tab, SANNE, f"/tab/api/mine/{rid}/add", {"addition": "Ook de partner"})
    assert done.status == 200
    shown = await done.text()
    assert "Je aanvulling is toegevoegd" in shown and "Ook de partner" in shown
    assert [n.text for n in (await stored(tab, rid)).notes] == ["Ook de partner"]
    # the approver's card in the chat follows the page (Sanne's receipt: see the test below)
    updated = [
        s
        for s in tab.connector.sent
        if s.method == "PUT" and s.card and "Ook de partner" in texts(s.card)
    ]
    assert [s.conversation_id for s in updated] == [PIETER.conversation_id]

    # Someone else cannot add to it: under their name it does not exist.
    other = await post(tab, PIETER, f"/tab/api/mine/{rid}/add", {"addition": "Van mij"})
    assert other.status == 404
    assert len((await stored(tab, rid)).notes) == 1


async def test_withdrawing_on_the_page_asks_first_and_the_approvers_card_follows(
    tab: TabBot,
) -> None:
    rid = await invitation(tab)
    tab.connector.sent.clear()
    ask = await tab.get(f"/tab/api/mine/{rid}/withdraw", tab.sso(SANNE))
    assert ask.status == 200
    question = await ask.text()
    assert "Weet je zeker dat je deze melding wilt intrekken?" in question
    assert f'data-api="/tab/api/mine/{rid}/withdraw"' in question

    # Without the confirmation's "yes" nothing happens: the question again.
    unconfirmed = await post(tab, SANNE, f"/tab/api/mine/{rid}/withdraw", {})
    assert "Weet je zeker" in await unconfirmed.text()
    assert (await stored(tab, rid)).pending

    # The approver cannot withdraw it (it is not under their name).
    other = await post(tab, PIETER, f"/tab/api/mine/{rid}/withdraw", {"confirm": "yes"})
    assert other.status == 404
    assert (await stored(tab, rid)).pending

    done = await post(tab, SANNE, f"/tab/api/mine/{rid}/withdraw", {"confirm": "yes"})
    assert done.status == 200
    assert "Je melding is ingetrokken." in await done.text()
    assert (await stored(tab, rid)).status is Status.WITHDRAWN
    # The engine's follow-up, as for the card's button: the approver's card updated in place.
    updates = [s for s in tab.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert updates, "the approver's card in the chat was not updated"
    assert "ingetrokken" in str(updates[-1].activity).lower()

    again = await tab.get(f"/tab/api/mine/{rid}/withdraw", tab.sso(SANNE))
    assert again.status == 409
    assert "Intrekken kan daarom niet meer" in await again.text()


async def test_a_refusal_is_in_the_users_language(tab: TabBot) -> None:
    rid = await invitation(tab)
    empty = await tab.session.post(
        tab.url(f"/tab/api/mine/{rid}/add?lang=en-us"),
        data={"addition": ""},
        headers={"Authorization": f"Bearer {tab.sso(EMMA_EN)}"},
    )
    assert empty.status == 422
    page = await empty.text()
    assert "Typ eerst" not in page
    assert "<textarea" in page and "Add information" in page


async def test_hr_advises_on_the_page_and_the_managers_card_shows_it(tab: TabBot) -> None:
    rid = await sidejob(tab)
    path = f"/tab/api/pending/{SANNE.aad_id}/{rid}/advise"
    detail = await tab.get(f"/tab/api/pending/{SANNE.aad_id}/{rid}", tab.sso(JOOST))
    page = await detail.text()
    assert f'data-api="{path}"' in page
    assert '<label for="advice">Je advies aan de leidinggevende</label>' in page

    empty = await post(tab, JOOST, path, {"advice": "  "})
    assert empty.status == 409
    assert "Vul je advies in voordat je het verstuurt." in await empty.text()

    # The manager and the requester are not the advisor.
    for user in (PIETER, SANNE):
        refused = await post(tab, user, path, {"advice": "Akkoord"})
        assert refused.status == 403
        assert "Alleen de gevraagde adviseur kan hier advies geven." in await refused.text()
    assert (await stored(tab, rid)).advice == ""

    tab.connector.sent.clear()
    done = await post(tab, JOOST, path, {"advice": "Geen bezwaar, wel melden bij huurcontract"})
    assert done.status == 200
    assert "Je advies is vastgelegd" in await done.text()
    request = await stored(tab, rid)
    assert request.advice == "Geen bezwaar, wel melden bij huurcontract"
    assert request.audit[-1].action == "advised" and request.audit[-1].actor_id == JOOST.aad_id
    manager = [s for s in tab.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert manager and "Geen bezwaar, wel melden" in str(manager[-1].activity)
    hr = [s for s in tab.connector.to(JOOST.conversation_id) if s.method == "PUT"]
    assert hr and "Geen bezwaar, wel melden" in str(hr[-1].activity)


async def test_withdrawing_on_the_page_updates_the_requesters_own_receipt_card(
    tab: TabBot,
) -> None:
    """The form Sanne submitted in her chat became her receipt; a withdrawal on the tab puts
    that message right too (a withdrawal on the card itself does so with the card's answer)."""
    for user in (SANNE, PIETER):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "invitation.open", {})
    data = {**(action(form, "invitation.submit").get("data") or {}), **INVITATION}
    data["negotiating"] = "false"
    submitted = await tab.post(
        SANNE.invoke(tab.service_url, "invitation.submit", data, reply_to="form-card-7")
    )
    assert submitted.status == 200
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    rid = summary.id
    assert (await stored(tab, rid)).receipt_message == "form-card-7"

    # information added on the page shows on the receipt in the chat too
    tab.connector.sent.clear()
    added = await post(tab, SANNE, f"/tab/api/mine/{rid}/add", {"addition": "Met partner"})
    assert added.status == 200
    receipt = [s for s in tab.connector.to(SANNE.conversation_id) if s.method == "PUT"]
    assert [s.activity_id for s in receipt] == ["form-card-7"]
    assert receipt[0].card is not None and "Met partner" in texts(receipt[0].card)

    tab.connector.sent.clear()
    done = await post(tab, SANNE, f"/tab/api/mine/{rid}/withdraw", {"confirm": "yes"})
    assert done.status == 200
    mine = [s for s in tab.connector.to(SANNE.conversation_id) if s.method == "PUT"]
    assert [s.activity_id for s in mine] == ["form-card-7"], "the receipt card was not updated"
    card = mine[0].card
    assert card is not None
    shown = str(card)
    assert "Je melding is ingetrokken." in shown
    assert "personal.withdraw" not in shown and "request.withdraw" not in shown  # no button left


async def test_withdrawing_on_the_card_leaves_the_card_to_its_own_answer(tab: TabBot) -> None:
    """On the card the withdrawal's answer replaces the card: no second update of it."""
    for user in (SANNE, PIETER):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "invitation.open", {})
    data = {**(action(form, "invitation.submit").get("data") or {}), **INVITATION}
    data["negotiating"] = "false"
    await tab.post(SANNE.invoke(tab.service_url, "invitation.submit", data, reply_to="form-card-8"))
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    tab.connector.sent.clear()
    pointer = {"requestId": summary.id, "requesterId": SANNE.aad_id}
    answer = await tab.post(
        SANNE.invoke(tab.service_url, "request.withdraw", pointer, reply_to="form-card-8")
    )
    assert "ingetrokken" in str(await answer.json())
    assert (await stored(tab, summary.id)).status is Status.WITHDRAWN
    assert not [s for s in tab.connector.to(SANNE.conversation_id) if s.method == "PUT"]
    assert [s for s in tab.connector.to(PIETER.conversation_id) if s.method == "PUT"]


async def interview(tab: TabBot) -> str:
    for user in (SANNE, FATIMA, MARIEKE):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "press.open", {})
    data = {**(action(form, "press.submit").get("data") or {}), **INTERVIEW}
    await invoke(tab, SANNE, "press.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    return summary.id


async def test_communicatie_gives_its_position_on_the_page_and_the_director_can_only_refuse(
    tab: TabBot, caplog: pytest.LogCaptureFixture
) -> None:
    rid = await interview(tab)
    path = f"/tab/api/pending/{SANNE.aad_id}/{rid}/advise"
    detail = f"/tab/api/pending/{SANNE.aad_id}/{rid}"

    # Before Communicatie: the director's page says why there is nothing to decide yet.
    waiting = await (await tab.get(detail, tab.sso(MARIEKE))).text()
    assert "Communicatie heeft nog niet laten weten of zij akkoord is" in waiting
    assert 'name="choice"' not in waiting

    page = await (await tab.get(detail, tab.sso(FATIMA))).text()
    assert f'data-api="{path}"' in page
    assert "<legend>Is Communicatie akkoord met dit interview?</legend>" in page
    assert 'name="position" value="agree" required>' in page
    assert 'name="position" value="disagree" required>' in page

    words = await post(tab, FATIMA, path, {"advice": "Liever niet"})  # no position
    assert words.status == 409
    kept = await words.text()
    assert "Kies eerst je standpunt" in kept and ">Liever niet</textarea>" in kept
    no_reason = await post(tab, FATIMA, path, {"position": "disagree", "advice": ""})
    assert no_reason.status == 409
    assert "Geef bij niet akkoord de reden" in await no_reason.text()
    assert 'value="disagree" required checked>' in await no_reason.text()
    refused = await post(tab, MARIEKE, path, {"position": "agree"})  # not the advisor
    assert refused.status == 403
    assert not (await stored(tab, rid)).advised

    tab.connector.sent.clear()
    reason = "Eerst de bewoners informeren"
    done = await post(tab, FATIMA, path, {"position": "disagree", "advice": reason})
    assert done.status == 200
    shown = await done.text()
    assert "Communicatie (Fatima el Amrani) is niet akkoord" in shown
    assert "Standpunt van Fatima el Amrani: Niet akkoord" in shown  # the trail: who, and when
    request = await stored(tab, rid)
    assert (request.advice_position, request.advice) == ("disagree", reason)
    director_card = [s for s in tab.connector.to(MARIEKE.conversation_id) if s.method == "PUT"]
    assert director_card and "request.consent" not in str(director_card[-1].activity)
    assert "request.no_consent" in str(director_card[-1].activity)

    decision = await (await tab.get(detail, tab.sso(MARIEKE))).text()
    assert 'value="no_consent"' in decision and 'value="consent"' not in decision
    assert "Communicatie (Fatima el Amrani) is niet akkoord met dit interview" in decision
    assert reason in decision

    with caplog.at_level(logging.WARNING):
        forged = await decide(tab, MARIEKE, rid, {"choice": "consent", "comment": ""})
    assert forged.status == 409
    assert "Die keuze hoort niet bij deze melding" in await forged.text()
    assert f"tab: decision on {rid} refused (choice_not_offered)" in caplog.text
    assert (await stored(tab, rid)).pending

    # Revised on the page: agreement opens consent again.
    again = await post(tab, FATIMA, path, {"position": "agree", "advice": ""})
    assert again.status == 200
    decision = await (await tab.get(detail, tab.sso(MARIEKE))).text()
    assert 'value="consent"' in decision and 'value="no_consent"' in decision
    consented = await decide(tab, MARIEKE, rid, {"choice": "consent", "comment": ""})
    assert consented.status == 200
    assert (await stored(tab, rid)).outcome == "consent"
