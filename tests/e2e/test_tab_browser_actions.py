"""The tab's new pages in headless Chromium at 360 px (as tests/e2e/test_tab_browser.py: the
real page, script and server, TeamsJS stood in for with a real token): the collection and the
raffle for the secretariat, the privacy officer acting on a case, the requester withdrawing and
HR advising on a request page; each with a refused role."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from bot.app import SERVICES
from bot.domain.collection import CollectionStatus
from bot.domain.requests import Status
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_browser import browser, invoke, no_sideways_scroll, open_tab
from tests.e2e.test_tab_request_actions import sidejob
from tests.support.activities import FATIMA, JOOST, LOTTE, PIETER, SANNE, TENANT
from tests.support.flows import WINE, action
from tests.support.tab import TabBot

__all__ = ["browser"]  # the fixture, shared


async def hand_in(tab: TabBot) -> str:
    """Sanne declares a Christmas hamper worth €75 (to hand in); its reference."""
    for user in (SANNE, PIETER, LOTTE):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "gift.open", {})
    fields = {**WINE, "description": "Kerstpakket", "everyday": "false", "value": "75"}
    await invoke(
        tab, SANNE, "gift.submit", {**(action(form, "gift.submit").get("data") or {}), **fields}
    )
    [entry] = await tab.server.app[SERVICES].collection.entries(TENANT)
    return entry.request_id


async def test_the_secretariat_marks_a_gift_received_and_raffles_it_on_the_page(
    tab: TabBot, browser: Browser
) -> None:
    rid = await hand_in(tab)
    page = await open_tab(browser, tab, LOTTE)
    await page.get_by_role("link", name="Inleveren en verloting").click()
    await expect(page.get_by_role("heading", name="Cadeaus om in te leveren")).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("1 verwacht · 0 ontvangen")
    await expect(page.get_by_role("cell", name="Kerstpakket", exact=True)).to_be_visible()
    await no_sideways_scroll(page)

    # The status filter: nothing received yet, then all again.
    await page.get_by_label("Status").select_option("received")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_text("Er staan geen cadeaus klaar om in te leveren.")).to_be_visible()
    await page.get_by_label("Status").select_option("")
    await page.get_by_role("button", name="Toepassen").click()

    # By keyboard: the labelled button of that one gift.
    mark = page.get_by_role("button", name="Kerstpakket: markeer als ontvangen")
    await mark.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status").first).to_contain_text("Vastgelegd als ontvangen")
    [entry] = await tab.server.app[SERVICES].collection.entries(TENANT)
    assert entry.status is CollectionStatus.RECEIVED
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None
    assert any(a.action == "received" and a.actor_id == LOTTE.aad_id for a in stored.request.audit)

    # Announce (the commitment is published), then draw: the result with seed and record.
    await page.get_by_role("button", name="Verloting aankondigen").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("nog niet getrokken")
    await expect(page.get_by_text("Vooraf vastgelegd (SHA-256 van de seed)")).to_be_visible()
    await expect(page.get_by_text("Seed (na de trekking")).to_have_count(0)
    await page.get_by_role("link", name="Terug naar de cadeaus").click()
    await page.get_by_role("button", name="Trek de winnaars").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Getrokken op")
    await expect(page.get_by_text("Klopt: de seed hoort bij")).to_be_visible()
    raffle = await tab.server.app[SERVICES].raffles.latest(TENANT)
    assert raffle is not None and raffle.drawn and raffle.drawn_by == LOTTE.aad_id
    await expect(page.locator("pre.record")).to_contain_text(raffle.seed)
    await no_sideways_scroll(page)
    [entry] = await tab.server.app[SERVICES].collection.entries(TENANT)
    assert entry.status is CollectionStatus.RAFFLED

    # An employee has neither the section nor its calls.
    sanne = await open_tab(browser, tab, SANNE)
    await expect(sanne.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    await expect(sanne.get_by_role("link", name="Inleveren en verloting")).to_have_count(0)
    refused = await tab.get("/tab/api/collection", tab.sso(SANNE))
    assert refused.status == 403
    assert "alleen voor het secretariaat" in await refused.text()
    for path in ("/tab/api/raffles/announce", "/tab/api/raffles/run"):
        answer = await tab.session.post(
            tab.url(path), headers={"Authorization": f"Bearer {tab.sso(SANNE)}"}
        )
        assert answer.status == 403, path


async def test_the_privacy_officer_decides_on_a_case_on_the_page(
    tab: TabBot, browser: Browser
) -> None:
    for user in (SANNE, FATIMA):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "dataleak.open", {})
    await invoke(
        tab,
        SANNE,
        "dataleak.submit",
        {**(action(form, "dataleak.submit").get("data") or {}), **MAIL},
    )
    [breach] = await tab.server.app[SERVICES].breaches.register(TENANT)
    tab.connector.sent.clear()

    page = await open_tab(browser, tab, FATIMA)
    await page.get_by_role("link", name="Datalekken").click()
    await page.get_by_label("Jaar").select_option("all")
    await page.get_by_role("button", name="Toepassen").click()
    await page.get_by_role("link", name=breach.id).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(breach.id)
    await no_sideways_scroll(page)

    # "No" without a reason is refused in words; with one it is recorded.
    await page.get_by_role("button", name="Melden bij AP: nee").click()
    await expect(page.get_by_role("alert")).to_contain_text("Schrijf bij 'nee' een toelichting")
    await page.get_by_label("Toelichting bij je besluit").fill("Versleutelde bijlage")
    await page.get_by_role("button", name="Melden bij AP: nee").click()
    await expect(page.get_by_role("status").first).to_contain_text("Je besluit is vastgelegd")
    await expect(page.get_by_text("Melden bij de AP: nee (Fatima el Amrani")).to_be_visible()
    stored = await tab.server.app[SERVICES].breaches.get(TENANT, breach.id)
    assert stored is not None and stored.breach.ap is not None and not stored.breach.ap.yes
    updates = [s for s in tab.connector.to(FATIMA.conversation_id) if s.method == "PUT"]
    assert updates and "Melden bij de AP: nee" in str(updates[-1].activity)

    refused = await tab.session.post(
        tab.url(f"/tab/api/breaches/{breach.id}"),
        data={"do": "close"},
        headers={"Authorization": f"Bearer {tab.sso(LOTTE)}"},
    )
    assert refused.status == 403


async def test_the_requester_withdraws_after_confirming_and_hr_advises_on_the_page(
    tab: TabBot, browser: Browser
) -> None:
    rid = await sidejob(tab)
    hr = await open_tab(browser, tab, JOOST)
    await hr.get_by_role("link", name="Openstaand (1)").click()
    await hr.get_by_role("link", name="Penningmeester").click()
    await hr.get_by_label("Je advies aan de leidinggevende").fill("Geen bezwaar")
    await hr.get_by_role("button", name="Advies geven").click()
    await expect(hr.get_by_role("status").first).to_contain_text("Je advies is vastgelegd")
    await no_sideways_scroll(hr)

    page = await open_tab(browser, tab, SANNE)
    await page.get_by_role("link", name="Penningmeester").click()
    await expect(page.get_by_text("Geen bezwaar")).to_be_visible()
    await page.get_by_role("link", name="Intrekken").click()
    await expect(
        page.get_by_text("Weet je zeker dat je deze melding wilt intrekken?")
    ).to_be_visible()
    await page.get_by_role("link", name="Annuleren").click()
    await expect(page.get_by_role("link", name="Intrekken")).to_be_visible()
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.pending  # cancelled: nothing happened
    await page.get_by_role("link", name="Intrekken").click()
    await page.get_by_role("button", name="Ja, intrekken").click()
    await expect(page.get_by_role("status").first).to_contain_text("Je melding is ingetrokken.")
    await no_sideways_scroll(page)
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.status is Status.WITHDRAWN
