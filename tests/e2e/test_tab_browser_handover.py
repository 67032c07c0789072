"""Handing a tenant's case over to a colleague on the decision page (§2), in headless Chromium
at 360 px (as tests/e2e/test_tab_browser.py: the real page, script and server, TeamsJS stood in
for with a real token): the manager searches the directory by name, picks from the matches,
and the same engine as the card records it, tells the colleague and updates the card; the
server checks the pick against the directory."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.test_request_flows import TENANT_TIE
from tests.e2e.test_tab_browser import browser, invoke, no_sideways_scroll, open_tab
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.flows import action
from tests.support.tab import TabBot

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


async def tenant_tie(tab: TabBot) -> str:
    """Sanne is not sure she can treat a tenant she knows like any other: it must go over."""
    for user in (SANNE, PIETER, LOTTE):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "tenant.open", {})
    data = {**(action(form, "tenant.submit").get("data") or {}), **TENANT_TIE}
    await invoke(tab, SANNE, "tenant.submit", data)
    [summary] = await tab.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id)
    tab.connector.sent.clear()
    return summary.id


async def test_the_manager_hands_a_tenant_case_over_to_a_colleague_found_by_name(
    tab: TabBot, browser: Browser
) -> None:
    rid = await tenant_tie(tab)
    page = await open_tab(browser, tab, PIETER)
    await page.get_by_role("link", name="Openstaand (1)").click()
    await page.get_by_role("link", name="Dorpsstraat 12").first.click()
    picker = page.get_by_role("group", name="Aan welke collega draag je de zaak over?")
    await expect(picker).to_be_visible()
    await expect(picker.get_by_role("radio")).to_have_count(0)  # no list of everyone
    await no_sideways_scroll(page)

    # Handing over without a colleague: refused, the comment kept.
    await page.get_by_label("Toelichting").fill("Lotte kent de wijk")
    await page.get_by_role("button", name="Overdragen aan een collega").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "Kies de collega die de zaak overneemt."
    )
    await expect(page.get_by_label("Toelichting")).to_have_value("Lotte kent de wijk")

    # The requester and the manager are not among the matches.
    search = page.get_by_label("Zoek een collega op naam")
    await search.fill("sanne")
    await search.press("Enter")  # Enter in the search field searches, it does not decide
    await expect(page.get_by_role("status")).to_contain_text("Niemand gevonden met ‘sanne’")
    await expect(page.get_by_label("Toelichting")).to_have_value("Lotte kent de wijk")

    # By keyboard: search, pick, decide.
    await page.get_by_label("Zoek een collega op naam").fill("SMIT lot")
    await page.get_by_role("button", name="Zoeken").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("1 gevonden")
    lotte = page.get_by_role("radio", name="Lotte Smit")
    await lotte.focus()
    await page.keyboard.press("Space")
    await expect(lotte).to_be_checked()
    await no_sideways_scroll(page)
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.pending  # searching decides nothing
    await page.get_by_role("button", name="Overdragen aan een collega").click()
    await expect(page.get_by_role("status").first).to_contain_text("Je besluit is vastgelegd")

    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None
    request = stored.request
    assert (request.status, request.outcome) == (Status.APPROVED, "hand_over")
    assert request.assignee is not None and request.assignee.id == LOTTE.aad_id
    assert request.comment == "Lotte kent de wijk"
    # The card's engine: Lotte is told with the reference, the manager's card follows.
    told = [s for s in tab.connector.to(LOTTE.conversation_id) if s.card]
    assert told and "Overgedragen aan jou" in str(told[-1].card) and rid in str(told[-1].card)
    updates = [s for s in tab.connector.to(PIETER.conversation_id) if s.method == "PUT"]
    assert updates and "Lotte Smit" in str(updates[-1].activity)


async def test_the_server_checks_the_colleague_and_the_search_in_english(
    tab: TabBot, browser: Browser
) -> None:
    rid = await tenant_tie(tab)
    path = f"/tab/api/pending/{SANNE.aad_id}/{rid}"
    headers = {"Authorization": f"Bearer {tab.sso(PIETER)}"}
    # A forged pick (the requester herself, or nobody the directory knows) is refused.
    for forged in (SANNE.aad_id, "not-a-person"):
        answer = await tab.session.post(
            tab.url(path),
            data={"choice": "hand_over", "colleague": forged, "colleague_q": "x"},
            headers=headers,
        )
        assert answer.status == 409
        assert "Kies iemand uit de lijst" in await answer.text()
    stored = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert stored is not None and stored.request.pending
    # Only the approver may search the directory here.
    other = await tab.session.post(
        tab.url(path),
        data={"find": "1", "colleague_q": "lotte"},
        headers={"Authorization": f"Bearer {tab.sso(LOTTE)}"},
    )
    assert other.status == 403

    page = await open_tab(browser, tab, PIETER, lang="en-us")
    await page.get_by_role("link", name="Pending (1)").click()
    await page.get_by_role("link", name="Dorpsstraat 12").first.click()
    await page.get_by_label("Search for a colleague by name").fill("lotte")
    await page.get_by_role("button", name="Search", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("1 found")
    await expect(page.get_by_role("radio", name="Lotte Smit")).to_be_visible()
