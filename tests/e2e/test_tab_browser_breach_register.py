"""The privacy office's breach register on the tab in headless Chromium at 360 px (as
tests/e2e/test_tab_browser.py: the real page, script and server, TeamsJS stood in for with a
real token): filtering on status, risk, the AP decision and the 72 hours, searching on the
reference and what happened, sorting, and the export holding what the filters show."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from bot.app import SERVICES
from bot.domain.breaches import AMSTERDAM, Breach
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_breach_actions import act, act_with
from tests.e2e.test_tab_browser import browser, invoke, no_sideways_scroll, open_tab
from tests.support.activities import FATIMA, JOOST, SANNE, TENANT
from tests.support.flows import action
from tests.support.tab import TabBot

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


async def two_reports(tab: TabBot) -> tuple[Breach, Breach]:
    """An old report whose 72 hours ran out without an AP decision, and a fresh one the
    officer assessed as a risk and decided to notify in time."""
    for user in (SANNE, FATIMA, JOOST):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "dataleak.open", {})
    await invoke(
        tab,
        SANNE,
        "dataleak.submit",
        {**(action(form, "dataleak.submit").get("data") or {}), **MAIL},
    )
    hour_ago = datetime.now(AMSTERDAM) - timedelta(hours=1)
    fresh = {
        **MAIL,
        "description": "Laptop met huurdersdossiers gestolen uit de auto",
        "kind": "lost_or_stolen",
        "occurredDate": hour_ago.date().isoformat(),
        "occurredTime": hour_ago.strftime("%H:%M"),
        "discoveredDate": hour_ago.date().isoformat(),
        "discoveredTime": hour_ago.strftime("%H:%M"),
    }
    form = await invoke(tab, SANNE, "dataleak.open", {})
    answer = await invoke(
        tab,
        SANNE,
        "dataleak.submit",
        {**(action(form, "dataleak.submit").get("data") or {}), **fresh},
    )
    assert "formHasErrors" not in str(answer), answer
    found = await tab.server.app[SERVICES].breaches.register(TENANT)
    [late] = [b for b in found if b.facts.description == MAIL["description"]]
    [recent] = [b for b in found if b.facts.description.startswith("Laptop")]
    factors = [("riskCategories", "ordinary"), ("riskCategories", "financial")]
    factors += [("riskPeople", "11-100"), ("riskIdentifiable", "true"), ("riskRecovered", "true")]
    assessed = await act_with(
        tab,
        recent.id,
        [*factors, ("riskDecision", "risk"), ("riskReason", "Versleuteling onbekend"),
         ("do", "assess")],
    )  # fmt: skip
    assert assessed.status == 200, await assessed.text()
    decided = await act(tab, FATIMA, recent.id, {"do": "ap_yes", "reason": ""})
    assert decided.status == 200, await decided.text()
    return late, recent


async def test_the_privacy_officer_filters_searches_sorts_and_exports_the_breach_register(
    tab: TabBot, browser: Browser
) -> None:
    late, recent = await two_reports(tab)
    page = await open_tab(browser, tab, FATIMA)
    await page.get_by_role("link", name="Datalekken").click()
    await expect(page.get_by_role("heading", name="Register datalekken")).to_be_visible()
    status = page.get_by_role("status")
    apply = page.get_by_role("button", name="Toepassen")
    rows = page.locator("tbody tr")

    async def applied() -> None:
        """Apply the filters and wait for the page the server answers (not the old one)."""
        async with page.expect_response(lambda r: "/tab/api/breaches?" in r.url):
            await apply.click()
        await expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")

    async def choose(label: str, value: str) -> None:
        await page.get_by_label(label, exact=True).select_option(value)
        await applied()
        await expect(page.get_by_label(label, exact=True)).to_have_value(value)

    await choose("Jaar", "all")
    await expect(status).to_contain_text("2 meldingen gevonden")
    await no_sideways_scroll(page)

    # The 72 hours: the old one is late, the fresh one was decided in time.
    await choose("Termijn 72 uur", "late")
    await expect(rows).to_have_count(1)
    await expect(page.get_by_role("link", name=late.id)).to_be_visible()
    await expect(rows.first).to_contain_text("Te laat")
    await choose("Termijn 72 uur", "on_time")
    await expect(page.get_by_role("link", name=recent.id)).to_be_visible()
    await expect(rows).to_have_count(1)
    await choose("Termijn 72 uur", "")

    # The AP decision and the risk.
    await choose("Melden bij de AP", "yes")
    await expect(rows).to_have_count(1)
    await expect(page.get_by_role("link", name=recent.id)).to_be_visible()
    await choose("Melden bij de AP", "open")
    await expect(page.get_by_role("link", name=late.id)).to_be_visible()
    await expect(rows).to_have_count(1)
    await choose("Melden bij de AP", "")
    await choose("Risico", "unassessed")
    await expect(page.get_by_role("link", name=late.id)).to_be_visible()
    await expect(rows).to_have_count(1)
    await choose("Risico", "risk")
    await expect(page.get_by_role("link", name=recent.id)).to_be_visible()
    await expect(rows).to_have_count(1)
    await choose("Risico", "")

    # Open or closed: nothing is closed yet.
    await choose("Status", "closed")
    await expect(page.get_by_text("Niets gevonden met deze filters.")).to_be_visible()
    await choose("Status", "open")
    await expect(rows).to_have_count(2)

    # Search over the reference and what happened; typed text stays in the field.
    search = page.get_by_label("Zoeken")
    await search.fill("LAPTOP gestolen")
    await applied()
    await expect(page.get_by_label("Zoeken")).to_have_value("LAPTOP gestolen")
    await expect(rows).to_have_count(1)
    await expect(page.get_by_role("link", name=recent.id)).to_be_visible()
    await page.get_by_label("Zoeken").fill(late.id)
    await applied()
    await expect(page.get_by_role("link", name=late.id)).to_be_visible()
    await expect(rows).to_have_count(1)
    await page.get_by_label("Zoeken").fill("")

    # Sorting: newest first by default, the oldest first on request.
    await choose("Sorteren", "newest")
    await expect(rows.first).to_contain_text(recent.id)
    await choose("Sorteren", "oldest")
    await expect(rows.first).to_contain_text(late.id)
    await no_sideways_scroll(page)

    # The export holds what the filters show.
    await choose("Melden bij de AP", "yes")
    await expect(rows).to_have_count(1)
    await page.get_by_role("button", name="Exporteren als CSV").click()
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download").click()
    download = await info.value
    assert download.suggested_filename.endswith(".csv")
    content = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    assert recent.id in content
    assert late.id not in content


async def test_the_breach_register_speaks_english_and_refuses_others(
    tab: TabBot, browser: Browser
) -> None:
    late, _ = await two_reports(tab)
    page = await open_tab(browser, tab, FATIMA, lang="en-us")
    await page.get_by_role("link", name="Data leaks").click()
    await page.get_by_label("Year").select_option("all")
    await page.get_by_label("72-hour deadline").select_option("late")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.get_by_role("status")).to_contain_text("1 reports found")
    await expect(page.get_by_role("link", name=late.id)).to_be_visible()
    await expect(page.locator("tbody tr").first).to_contain_text("Late")
    # The filters are not a way in for anyone outside the privacy office.
    refused = await tab.get("/tab/api/breaches?clock=late&year=all", tab.sso(SANNE))
    assert refused.status == 403
