"""The tab's API over HTTP with real sign-on tokens: refusals that keep what was typed, and
nobody reaching another person's request."""

from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.test_request_flows import INVITATION, SIDEJOB
from tests.support.activities import JOOST, LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import action
from tests.support.tab import TabBot


async def invoke(tab: TabBot, user: TeamsUser, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await tab.post(user.invoke(tab.service_url, verb, data))
    assert response.status == 200
    card: dict[str, Any] = (await response.json())["value"]
    return card


async def invitation(tab: TabBot) -> str:
    for user in (SANNE, PIETER):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "invitation.open", {})
    # Not in negotiation: the manager may accept, accept on a condition or decline, each with a
    # reason (bot/domain/invitations.py).
    fields = {**INVITATION, "negotiating": "false"}
    data = {**(action(form, "invitation.submit").get("data") or {}), **fields}
    await invoke(tab, SANNE, "invitation.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    return summary.id


async def decide(tab: TabBot, user: TeamsUser, rid: str, form: dict[str, str]) -> Any:
    return await tab.session.post(
        tab.url(f"/tab/api/pending/{SANNE.aad_id}/{rid}"),
        data=form,
        headers={"Authorization": f"Bearer {tab.sso(user)}"},
    )


async def test_a_choice_that_needs_a_reason_is_refused_and_the_typed_text_stays(
    tab: TabBot,
) -> None:
    rid = await invitation(tab)
    answer = await decide(tab, PIETER, rid, {"choice": "accept", "comment": "   "})
    assert answer.status == 409
    page = await answer.text()
    assert "Vul bij dit besluit een toelichting in" in page
    assert '<form data-api="/tab/api/pending/' in page  # the decision form is still there
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.pending

    kept = await decide(tab, PIETER, rid, {"choice": "not-a-choice", "comment": "Zie mail"})
    assert kept.status == 409
    text = await kept.text()
    assert "Die keuze hoort niet bij deze melding" in text
    assert ">Zie mail</textarea>" in text

    done = await decide(tab, PIETER, rid, {"choice": "accept", "comment": "Goed voor de relatie"})
    assert done.status == 200
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.status is Status.APPROVED
    again = await decide(tab, PIETER, rid, {"choice": "decline", "comment": "Toch niet"})
    assert again.status in (200, 409)
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.status is Status.APPROVED  # decided once


async def test_nobody_decides_on_their_own_request_or_opens_someone_elses(tab: TabBot) -> None:
    rid = await invitation(tab)
    own = await decide(tab, SANNE, rid, {"choice": "accept", "comment": "Ik ga"})
    assert own.status == 403
    other = await tab.get(f"/tab/api/mine/{rid}", tab.sso(LOTTE))
    assert other.status == 404  # someone else's request is not found under one's own name
    mine = await tab.get(f"/tab/api/mine/{rid}", tab.sso(SANNE))
    assert mine.status == 200
    page = await mine.text()
    assert "Diner na oplevering De Linde" in page
    assert 'class="decide"' not in page  # the requester gets no decision form


async def test_hr_reads_a_side_job_it_advises_on_but_gets_no_decision_form(tab: TabBot) -> None:
    for user in (SANNE, PIETER, JOOST):
        await tab.post(user.install(tab.service_url))
    form = await invoke(tab, SANNE, "sidejob.open", {})
    data = {**(action(form, "sidejob.submit").get("data") or {}), **SIDEJOB}
    await invoke(tab, SANNE, "sidejob.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    waiting = await tab.get("/tab/api/pending", tab.sso(JOOST))
    assert summary.id in await waiting.text()
    detail = await tab.get(f"/tab/api/pending/{SANNE.aad_id}/{summary.id}", tab.sso(JOOST))
    assert detail.status == 200
    page = await detail.text()
    assert "Voetbalclub VV Groen" in page
    assert 'class="decide"' not in page  # the advice form only (test_tab_request_actions.py)
    assert 'class="advise"' in page
    refused = await decide(tab, JOOST, summary.id, {"choice": "approve", "comment": "Prima"})
    assert refused.status == 403


async def test_the_tabs_mijn_meldingen_lists_own_trailer_bookings_with_their_standing(
    tab: TabBot,
) -> None:
    from datetime import UTC, datetime, timedelta

    from cards.dates import AMSTERDAM

    await tab.post(SANNE.install(tab.service_url))
    await tab.post(PIETER.install(tab.service_url))
    day = (datetime.now(UTC).astimezone(AMSTERDAM) + timedelta(days=40)).date().isoformat()
    form = await invoke(tab, SANNE, "trailer.open", {})
    data = {**(action(form, "trailer.submit").get("data") or {}), "day": day, "slot": "morning"}
    booked = await invoke(tab, SANNE, "trailer.submit", data)
    assert booked["body"][0]["text"] == "De aanhangwagen is voor je gereserveerd"
    page = await (await tab.get("/tab/api/mine", tab.sso(SANNE))).text()
    assert "Reservering aanhangwagen" in page and "Voorlopig (een huurder gaat voor)" in page
    other = await (await tab.get("/tab/api/mine", tab.sso(PIETER))).text()
    assert "Reservering aanhangwagen" not in other


async def test_the_tabs_raffle_page_shows_a_gift_taken_out_after_the_announcement(
    tab: TabBot,
) -> None:
    """The secretariat's raffle page says which published gift went back, and that nobody
    wins it; the check of the draw still holds."""
    from tests.e2e.test_raffle import received_gifts

    services = tab.server.app[SERVICES]
    for user in (SANNE, PIETER, LOTTE):
        await tab.post(user.install(tab.service_url))
    gifts = await received_gifts(services, 3)
    register = await invoke(tab, LOTTE, "collection.open", {})
    await invoke(
        tab, LOTTE, "raffle.announce", action(register, "raffle.announce").get("data") or {}
    )
    [announced] = await services.raffles.all(TENANT)
    assert await services.collection.cancel(TENANT, gifts[0])  # given back to the employee
    from bot.services.raffle import take_out_of_announced

    assert await take_out_of_announced(services, TENANT, gifts[0]) == announced.id
    page = await (await tab.get(f"/tab/api/raffles/{announced.id}", tab.sso(LOTTE))).text()
    assert "Kerstpakket 0 · niet verloot: na de aankondiging teruggegeven" in page
    await invoke(tab, LOTTE, "raffle.run", {})
    page = await (await tab.get(f"/tab/api/raffles/{announced.id}", tab.sso(LOTTE))).text()
    assert "Niemand wint dit cadeau" in page
    assert "Klopt: de seed hoort bij de vooraf vastgelegde hash" in page
    assert "2 cadeau(s)" in page  # the two drawn
