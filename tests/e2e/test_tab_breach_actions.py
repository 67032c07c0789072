"""The privacy officer acts on a case from its tab page (HTTP with real sign-on tokens): the
same services and rules as the case card, the card in the chat updated as when the card is
used, refusals with what was typed kept, and nobody outside the privacy office."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse

from bot.app import SERVICES
from bot.domain.breaches import Breach, BreachStatus
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, JOOST, LOTTE, SANNE, TENANT, TeamsUser
from tests.support.flows import action
from tests.support.tab import TabBot


async def report(tab: TabBot) -> Breach:
    for user in (SANNE, FATIMA, JOOST):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "dataleak.open", {})
    data = {**(action(form, "dataleak.submit").get("data") or {}), **MAIL}
    await invoke(tab, SANNE, "dataleak.submit", data)
    [breach] = await tab.server.app[SERVICES].breaches.register(TENANT)
    return breach


async def act(tab: TabBot, user: TeamsUser, bid: str, form: dict[str, str]) -> ClientResponse:
    return await tab.session.post(
        tab.url(f"/tab/api/breaches/{bid}"),
        data=form,
        headers={"Authorization": f"Bearer {tab.sso(user)}"},
    )


async def current(tab: TabBot, bid: str) -> Breach:
    stored = await tab.server.app[SERVICES].breaches.get(TENANT, bid)
    assert stored is not None
    return stored.breach


def card_updates(tab: TabBot, user: TeamsUser) -> list[Any]:
    return [s.activity for s in tab.connector.to(user.conversation_id) if s.method == "PUT"]


async def test_the_officers_decision_on_the_page_updates_the_case_card_in_the_chat(
    tab: TabBot,
) -> None:
    breach = await report(tab)
    page = await (await tab.get(f"/tab/api/breaches/{breach.id}", tab.sso(FATIMA))).text()
    assert f'<form data-api="/tab/api/breaches/{breach.id}" class="act">' in page
    assert 'value="ap_no"' in page and '<label for="c-reason">' in page
    tab.connector.sent.clear()

    # "No" to the AP needs the reason (art. 33(5)): refused, what was typed stays.
    refused = await act(tab, FATIMA, breach.id, {"do": "ap_no", "reason": "", "question": "Wie?"})
    assert refused.status == 409
    kept = await refused.text()
    assert "Schrijf bij &#x27;nee&#x27; een toelichting" in kept
    assert ">Wie?</textarea>" in kept
    assert (await current(tab, breach.id)).ap is None
    assert card_updates(tab, FATIMA) == []

    done = await act(tab, FATIMA, breach.id, {"do": "ap_no", "reason": "Versleuteld, geen risico"})
    assert done.status == 200
    shown = await done.text()
    assert "Je besluit is vastgelegd" in shown
    assert "Melden bij de AP: nee (Fatima el Amrani" in shown
    decided = await current(tab, breach.id)
    assert decided.ap is not None and not decided.ap.yes
    assert decided.ap.by.id == FATIMA.aad_id  # from the token
    assert decided.ap.reason == "Versleuteld, geen risico"
    # Every copy of the case card in the chat follows: the officer's own and the deputy's.
    for user in (FATIMA, JOOST):
        updates = card_updates(tab, user)
        assert updates, f"{user.name}'s case card was not updated"
        assert "Melden bij de AP: nee" in str(updates[-1])


async def test_the_officer_records_the_dossier_and_asks_the_reporter_from_the_page(
    tab: TabBot,
) -> None:
    breach = await report(tab)
    bad = await act(
        tab,
        FATIMA,
        breach.id,
        {"do": "case", "awareDate": "gisteren", "awareTime": "10:00", "consequences": "Phishing"},
    )
    assert bad.status == 422
    assert ">Phishing</textarea>" in await bad.text()

    saved = await act(
        tab,
        FATIMA,
        breach.id,
        {
            "do": "case",
            "awareDate": breach.facts.discovered_at.date().isoformat(),
            "awareTime": "23:59",
            "consequences": "Kans op phishing",
            "measuresTaken": "Mail teruggehaald",
        },
    )
    assert saved.status == 200, await saved.text()
    assert "Het dossier is bijgewerkt." in await saved.text()
    assert (await current(tab, breach.id)).consequences == "Kans op phishing"

    tab.connector.sent.clear()
    asked = await act(tab, FATIMA, breach.id, {"do": "ask", "question": "Naar welk adres?"})
    assert asked.status == 200
    assert "naar de melder gestuurd" in await asked.text()
    assert [q.text for q in (await current(tab, breach.id)).questions] == ["Naar welk adres?"]
    to_reporter = [s for s in tab.connector.to(SANNE.conversation_id) if s.method == "POST"]
    assert to_reporter and "Naar welk adres?" in str(to_reporter[-1].activity)


async def test_only_the_privacy_office_acts_and_a_closed_case_takes_nothing(tab: TabBot) -> None:
    breach = await report(tab)
    for user in (SANNE, LOTTE):
        refused = await act(tab, user, breach.id, {"do": "acknowledge"})
        assert refused.status == 403
        assert "alleen voor de privacy officer" in await refused.text()
    assert (await current(tab, breach.id)).acknowledged is None

    unknown = await act(tab, FATIMA, breach.id, {"do": "delete"})
    assert unknown.status == 422

    early = await act(tab, FATIMA, breach.id, {"do": "close", "reason": "Klaar ermee"})
    assert early.status == 409
    refusal = await early.text()
    assert "Leg eerst vast of de melding naar de AP gaat" in refusal
    assert ">Klaar ermee</textarea>" in refusal  # the reason typed is kept
    await act(tab, FATIMA, breach.id, {"do": "ap_no", "reason": "Geen risico"})
    closed = await act(tab, FATIMA, breach.id, {"do": "close"})
    assert closed.status == 200
    assert (await current(tab, breach.id)).status is BreachStatus.CLOSED
    after = await closed.text()
    assert 'value="close"' not in after and 'name="reason"' not in after  # nothing to record
    assert 'value="dossier"' in after  # the dossier can still be downloaded


async def test_the_officer_assesses_the_risk_on_the_page_and_downloads_the_dossier(
    tab: TabBot,
) -> None:
    breach = await report(tab)
    page = await (await tab.get(f"/tab/api/breaches/{breach.id}", tab.sso(FATIMA))).text()
    # The first guess from the report, as on the card: names and financial data, 11-100.
    assert 'name="riskCategories" value="financial" checked' in page
    assert '<option value="11-100" selected>' in page
    assert "Voorstel: hoog risico" in page

    factors = [("riskCategories", "ordinary"), ("riskCategories", "financial")]
    factors += [("riskPeople", "11-100"), ("riskIdentifiable", "true")]
    preview = await act_with(
        tab, breach.id, [*factors, ("riskRecovered", "true"), ("do", "propose")]
    )
    assert preview.status == 200
    previewed = await preview.text()
    assert "Voorstel: risico (melden bij de AP)" in previewed
    assert 'name="riskRecovered" value="true" checked' in previewed
    assert (await current(tab, breach.id)).assessment is None

    refused = await act_with(tab, breach.id, [*factors, ("riskDecision", "risk"), ("do", "assess")])
    assert refused.status == 409
    assert "Je wijkt af van het voorstel" in await refused.text()
    reason = "Aannemer bevestigde verwijdering"
    recorded = await act_with(
        tab,
        breach.id,
        [*factors, ("riskDecision", "risk"), ("riskReason", reason), ("do", "assess")],
    )
    assert recorded.status == 200
    assert "De risicobeoordeling is vastgelegd." in await recorded.text()
    assessment = (await current(tab, breach.id)).assessment
    assert assessment is not None and assessment.by.id == FATIMA.aad_id
    assert assessment.reason == reason

    ticket = await act(tab, FATIMA, breach.id, {"do": "dossier"})
    assert ticket.status == 200
    link = await ticket.text()
    token = link.split('action="/exports/', 1)[1].split('"', 1)[0]
    pdf = await tab.session.post(tab.url(f"/exports/{token}"))
    assert pdf.status == 200
    assert pdf.headers["Content-Type"].startswith("application/pdf")
    assert (await pdf.read()).startswith(b"%PDF")


async def act_with(tab: TabBot, bid: str, fields: list[tuple[str, str]]) -> ClientResponse:
    """A post with repeated fields (ticked checkboxes), as a browser sends the form."""
    return await tab.session.post(
        tab.url(f"/tab/api/breaches/{bid}"),
        data=fields,
        headers={"Authorization": f"Bearer {tab.sso(FATIMA)}"},
    )
