"""The personal tab in headless Chromium: the real page, its real script and the real server,
with only TeamsJS stood in for (outside Teams there is no host to hand out a token).

The stand-in is injected by the test (Playwright answers the page's request for
/tab/static/teams-js.js with a few lines defining `microsoftTeams.app.initialize` and
`microsoftTeams.authentication.getAuthToken`); the token it hands out is a real RS256 JWT from
the loopback Entra ID, validated by the server exactly as in production. The product has no
test hook of its own (docs/tab.md)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.test_playground_browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.activities import FATIMA, LOTTE, MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import WINE, action
from tests.support.tab import TabBot

pytestmark = pytest.mark.browser
# The pages are server-rendered (the overview draws its chart per request): on a busy shared
# machine that takes longer than Playwright's default 5 s, which is not what these tests check.
expect.set_options(timeout=20_000)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def open_tab(browser: Browser, tab: TabBot, user: TeamsUser, lang: str = "nl-nl") -> Page:
    """The tab as Teams opens it for `user`, at phone width."""
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    token = tab.sso(user)
    stub = (
        "window.microsoftTeams = {app: {initialize: function () { return Promise.resolve(); }},"
        " authentication: {getAuthToken: function () { return Promise.resolve("
        + json.dumps(token)
        + "); }}};"
    )
    await page.route(
        "**/tab/static/teams-js.js",
        lambda route: route.fulfill(body=stub, content_type="text/javascript"),
    )
    await page.goto(tab.url(f"/tab?lang={lang}"))
    return page


async def invoke(tab: TabBot, user: TeamsUser, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await tab.post(user.invoke(tab.service_url, verb, data))
    assert response.status == 200, await response.text()
    card: dict[str, Any] = (await response.json())["value"]
    return card


async def declare_wine(tab: TabBot) -> str:
    """Sanne declares a bottle of wine in the chat; Pieter gets the card. Its reference."""
    rid, _ = await declare_wine_with_card(tab)
    return rid


def action_titles(card: Any) -> list[str]:
    """The titles of every button anywhere in a card."""
    if isinstance(card, dict):
        button = str(card.get("type", "")).startswith("Action.")
        found = [str(card.get("title", ""))] if button else []
        return found + [t for value in card.values() for t in action_titles(value)]
    if isinstance(card, list):
        return [t for value in card for t in action_titles(value)]
    return []


async def declare_wine_with_card(tab: TabBot) -> tuple[str, str]:
    """`declare_wine`, and the id of the message that holds Pieter's card: the loopback
    connector answers the n-th POST with "msg-n"."""
    for user in (SANNE, PIETER):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "gift.open", {})
    data = {**(action(form, "gift.submit").get("data") or {}), **WINE}
    await invoke(tab, SANNE, "gift.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    posts = [s for s in tab.connector.sent if s.method == "POST"]
    [number] = [
        n
        for n, sent in enumerate(posts, start=1)
        if sent.conversation_id == PIETER.conversation_id
        and "Gezien, mag houden" in action_titles(sent.card)
    ]
    tab.connector.sent.clear()
    return summary.id, f"msg-{number}"


async def no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"


async def test_the_approver_decides_on_the_page_and_the_card_in_the_chat_follows(
    tab: TabBot, browser: Browser
) -> None:
    rid, card_message = await declare_wine_with_card(tab)
    page = await open_tab(browser, tab, PIETER)
    await expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    await no_sideways_scroll(page)

    # By keyboard: the "Openstaand (1)" link, then the request.
    pending = page.get_by_role("link", name="Openstaand (1)")
    await pending.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Openstaand")).to_be_visible()
    await page.get_by_role("link", name="Fles wijn").click()
    await expect(page.get_by_role("heading", name="Fles wijn")).to_be_visible()
    await expect(page.get_by_text("Wacht op jouw besluit")).to_be_visible()
    await expect(page.locator("dd", has_text="Jan de Vos / Bouwbedrijf Vos")).to_be_visible()
    await no_sideways_scroll(page)

    # The kind's own choices for the verdict, as on the card; the comment field is labelled.
    choices = page.locator("form.decide button")
    await expect(choices).to_have_text(["Gezien, mag houden", "Toch inleveren", "Teruggeven"])
    await page.get_by_label("Toelichting (niet verplicht)").fill("Prima, geniet ervan")
    await page.get_by_role("button", name="Gezien, mag houden").click()
    await expect(page.get_by_role("status")).to_contain_text("Je besluit is vastgelegd")
    await expect(page.locator("form.decide")).to_have_count(0)

    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None
    assert stored.request.status is Status.APPROVED
    assert stored.request.outcome == "keep"
    assert stored.request.decided_by == PIETER.aad_id  # from the token, not from the page
    assert stored.request.comment == "Prima, geniet ervan"
    # The engine's own follow-up: Pieter's card in the chat updated in place, Sanne told.
    updates = [s for s in tab.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert len(updates) == 1 and updates[0].activity_id
    # ... the message that holds his card, now showing the decision and no decision buttons.
    [update] = updates
    assert update.activity_id == card_message
    assert update.card is not None
    shown = json.dumps(update.card, ensure_ascii=False)
    assert "Prima, geniet ervan" in shown
    assert "Mag het cadeau houden" in shown and "Gezien door jou op" in shown
    titles = action_titles(update.card)
    for choice in ("Gezien, mag houden", "Toch inleveren", "Teruggeven"):
        assert choice not in titles, titles
    assert '"request.' not in json.dumps(update.card["actions"])  # no decision verb left
    [notice] = tab.connector.to(SANNE.conversation_id)
    assert notice.card is not None and "Prima, geniet ervan" in json.dumps(notice.card)

    # Sanne sees the outcome in mijn meldingen, and the trail in its detail.
    mine = await open_tab(browser, tab, SANNE)
    await expect(mine.get_by_text("Je mag het cadeau houden")).to_be_visible()
    await mine.get_by_role("link", name="Fles wijn").click()
    trail = mine.locator("ol.trail li")
    await expect(trail).to_have_count(2)
    await expect(trail.nth(0)).to_contain_text("Gemeld")
    await expect(trail.nth(1)).to_contain_text("Besloten: akkoord")
    await no_sideways_scroll(mine)


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("nl-nl", "Aanmelden lukt niet: het onderdeel van Teams waarmee deze pagina je aanmeldt"),
        ("en-us", "Signing in does not work: the part of Teams this page signs you in with"),
    ],
)
async def test_without_teams_js_the_page_says_sign_in_fails(
    tab: TabBot, browser: Browser, lang: str, says: str
) -> None:
    """TeamsJS does not load (a deployment without it answers 404): the page says so, in the
    user's language, instead of staying on "Laden…"."""
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.route("**/tab/static/teams-js.js", lambda route: route.fulfill(status=404))
    await page.goto(tab.url(f"/tab?lang={lang}"))
    await expect(page.get_by_role("alert")).to_contain_text(says)
    await expect(page.get_by_role("status")).to_have_count(0)  # no "Laden…" left


async def test_the_page_loads_the_served_teams_js(tab: TabBot, browser: Browser) -> None:
    """Without a stand-in: the bot serves TeamsJS itself and the page loads it (outside Teams
    it then waits for a host, which is not what this checks)."""
    page = await browser.new_page()
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)))
    await page.goto(tab.url("/tab"))
    await page.wait_for_function("typeof window.microsoftTeams === 'object'")
    assert (tab.url("/tab/static/teams-js.js"), 200) in answers
    pinned = json.loads((Path(__file__).parents[2] / "package.json").read_text())
    version = await page.evaluate("window.microsoftTeams.version")
    assert version == pinned["dependencies"]["@microsoft/teams-js"]


async def test_a_decision_on_the_card_shows_on_the_page(tab: TabBot, browser: Browser) -> None:
    rid = await declare_wine(tab)
    await invoke(tab, PIETER, "request.give_back", {"requestId": rid, "requesterId": SANNE.aad_id})
    page = await open_tab(browser, tab, PIETER, lang="en-us")
    await expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    await page.get_by_role("link", name="Pending", exact=True).click()
    await expect(page.get_by_text("Nothing waits for your decision.")).to_be_visible()
    mine = await open_tab(browser, tab, SANNE, lang="en-us")
    await expect(mine.get_by_text("Give the gift back")).to_be_visible()


async def test_someone_else_is_refused_the_approvers_page_and_decision(
    tab: TabBot, browser: Browser
) -> None:
    """Lotte follows (or forges) a link to the decision on Sanne's gift: the server refuses,
    whatever the page holds, and nothing is decided."""
    rid = await declare_wine(tab)
    page = await open_tab(browser, tab, LOTTE)
    await expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    await page.evaluate(
        """([requester, rid]) => {
            const link = document.createElement('a');
            link.href = '#forged';
            link.textContent = 'forged';
            link.setAttribute('data-view', '/pending/' + requester + '/' + rid);
            document.getElementById('main').appendChild(link);
        }""",
        [SANNE.aad_id, rid],
    )
    await page.get_by_role("link", name="forged").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Alleen de aangewezen beoordelaar kan over deze melding beslissen."
    )
    # The form post itself, with Lotte's token, is refused too.
    answer = await tab.session.post(
        tab.url(f"/tab/api/pending/{SANNE.aad_id}/{rid}"),
        data={"choice": "keep"},
        headers={"Authorization": f"Bearer {tab.sso(LOTTE)}"},
    )
    assert answer.status == 403
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.status is Status.PENDING


async def declare(tab: TabBot, user: TeamsUser, fields: dict[str, str]) -> None:
    form = await invoke(tab, user, "gift.open", {})
    await invoke(
        tab, user, "gift.submit", {**(action(form, "gift.submit").get("data") or {}), **fields}
    )


async def test_the_integrity_officer_searches_filters_and_exports_a_register(
    tab: TabBot, browser: Browser
) -> None:
    await declare_wine(tab)
    flowers = {
        **WINE,
        "giverName": "Karin Mulder",
        "giverOrganisation": "Bloemisterij Mulder",
        "description": "Bos bloemen",
        "value": "€ 15,-",
    }
    await declare(tab, SANNE, flowers)
    page = await open_tab(browser, tab, LOTTE)
    await page.get_by_role("link", name="Registers").click()
    await expect(page.get_by_role("heading", name="Cadeaus")).to_be_visible()
    await page.get_by_label("Jaar").select_option("all")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_role("status")).to_contain_text("2 gevonden")
    await expect(page.get_by_label("Jaar")).to_have_value("all")  # the answer is shown
    rows = page.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await no_sideways_scroll(page)  # the table scrolls inside its own region

    await expect(page.locator("#main[aria-busy]")).to_have_count(0)  # the answer is in
    await page.get_by_label("Sorteren").select_option("oldest")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_label("Sorteren")).to_have_value("oldest")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("Fles wijn")
    await page.get_by_label("Sorteren").select_option("newest")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_label("Sorteren")).to_have_value("newest")
    await expect(rows.first).to_contain_text("Bos bloemen")

    await page.get_by_label("Zoeken").fill("bloemisterij")
    await page.get_by_label("Zoeken").press("Enter")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Bos bloemen")
    await expect(page.get_by_role("status")).to_contain_text("1 gevonden")
    await page.get_by_label("Status").select_option("approved")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_label("Status")).to_have_value("approved")
    await expect(page.get_by_text("Niets gevonden met deze filters.")).to_be_visible()
    await page.get_by_label("Status").select_option("pending")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_label("Status")).to_have_value("pending")
    await expect(rows).to_have_count(1)

    # The export holds what the page shows: the search and filters go with it.
    await page.get_by_role("button", name="Exporteren als CSV").click()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download").click()
    download = await info.value
    assert download.suggested_filename.endswith(".csv")
    saved = await download.path()
    content = await asyncio.to_thread(Path(saved).read_text, encoding="utf-8-sig")
    assert "Bos bloemen" in content
    assert "Fles wijn" not in content


async def test_an_employee_gets_no_register(tab: TabBot, browser: Browser) -> None:
    page = await open_tab(browser, tab, SANNE)
    await expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    await expect(page.get_by_role("link", name="Registers")).to_have_count(0)
    await page.evaluate(
        """() => {
            const link = document.createElement('a');
            link.href = '#forged';
            link.textContent = 'forged';
            link.setAttribute('data-view', '/registers?kind=gift&year=all');
            document.getElementById('main').appendChild(link);
        }"""
    )
    await page.get_by_role("link", name="forged").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "De registers zijn alleen voor de integriteitsfunctionaris en HR."
    )
    answer = await tab.session.post(
        tab.url("/tab/api/registers/export"),
        data={"kind": "gift", "year": "all", "format": "csv"},
        headers={"Authorization": f"Bearer {tab.sso(SANNE)}"},
    )
    assert answer.status == 403


async def test_the_director_reads_the_yearly_overview_and_downloads_it(
    tab: TabBot, browser: Browser
) -> None:
    await declare_wine(tab)
    page = await open_tab(browser, tab, MARIEKE)
    await page.get_by_role("link", name="Jaaroverzicht").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Integriteitsoverzicht")
    await expect(page.get_by_role("img")).to_have_attribute(
        "alt", "Staafdiagram van het aantal meldingen per soort per kwartaal"
    )
    gifts = page.locator("dt", has_text="Cadeaus").first
    await expect(gifts.locator("xpath=following-sibling::dd[1]")).to_contain_text("1")
    await no_sideways_scroll(page)
    await page.get_by_role("button", name="Exporteren als XLSX").click()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download").click()
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")

    refused = await tab.get("/tab/api/overview", tab.sso(SANNE))
    assert refused.status == 403
    assert "alleen voor de directeur-bestuurder" in await refused.text()


async def test_the_privacy_officer_opens_the_breach_register_and_a_case_with_its_clock(
    tab: TabBot, browser: Browser
) -> None:
    from tests.e2e.test_dataleak_flow import MAIL

    for user in (SANNE, FATIMA):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "dataleak.open", {})
    data = {**(action(form, "dataleak.submit").get("data") or {}), **MAIL}
    await invoke(tab, SANNE, "dataleak.submit", data)
    [breach] = await tab.server.app[SERVICES].breaches.register(TENANT)

    page = await open_tab(browser, tab, FATIMA)
    await page.get_by_role("link", name="Datalekken").click()
    await expect(page.get_by_role("heading", name="Register datalekken")).to_be_visible()
    await page.get_by_label("Jaar").select_option("all")
    await page.get_by_role("button", name="Toepassen").click()
    await expect(page.get_by_label("Jaar")).to_have_value("all")
    await expect(page.get_by_role("status")).to_contain_text("1 meldingen")
    await no_sideways_scroll(page)
    await page.get_by_role("link", name=breach.id).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(breach.id)
    clock = page.locator(".clock")
    await expect(clock).to_contain_text("Termijn: 72 uur vanaf")
    await expect(clock).to_contain_text("uiterlijk")
    await expect(page.locator("dd", has_text="huurachterstanden")).to_be_visible()
    await no_sideways_scroll(page)

    # Nobody else: not the reporter, not the integrity officer.
    for user in (SANNE, LOTTE):
        for path in ("/tab/api/breaches", f"/tab/api/breaches/{breach.id}"):
            answer = await tab.get(path, tab.sso(user))
            assert answer.status == 403, (user.name, path)
