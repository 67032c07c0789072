"""Every employee's raffle page on the tab ("Doe ik mee?", §2) in headless Chromium at 360 px
(as tests/e2e/test_tab_browser.py: the real page, script and server, TeamsJS stood in for with
a real token): before the draw the gifts and the commitment and whether one takes part (or why
not); after it the seed, whether one won, the check of the draw and how to do it oneself."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from bot.app import SERVICES
from tests.e2e.test_tab_browser import browser, no_sideways_scroll, open_tab
from tests.e2e.test_tab_browser_actions import hand_in
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.tab import TabBot

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared

HENK = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000007", "Henk de Boer")  # RvC chair: not staff


async def as_secretariat(tab: TabBot, path: str, form: dict[str, str] | None = None) -> None:
    answer = await tab.session.post(
        tab.url(path), data=form or {}, headers={"Authorization": f"Bearer {tab.sso(LOTTE)}"}
    )
    assert answer.status == 200, await answer.text()


async def open_raffle(page: Page) -> None:
    await page.get_by_role("link", name="Verlotingen").click()
    await expect(page.get_by_role("heading", name="Verlotingen", level=1)).to_be_visible()
    await (
        page.get_by_role("link", name="nog niet getrokken")
        .or_(page.get_by_role("link", name="Getrokken op"))
        .first.click()
    )
    await expect(page.get_by_role("heading", name="Doe ik mee?")).to_be_visible()


async def test_every_employee_sees_whether_they_take_part_and_after_the_draw_whether_they_won(
    tab: TabBot, browser: Browser
) -> None:
    rid = await hand_in(tab)
    await as_secretariat(tab, "/tab/api/collection/received", {"requestId": rid})
    await as_secretariat(tab, "/tab/api/raffles/announce")
    raffle = await tab.server.app[SERVICES].raffles.latest(TENANT)
    assert raffle is not None and not raffle.drawn

    # Sanne, an employee without any role: the section is hers too.
    page = await open_tab(browser, tab, SANNE)
    await page.get_by_role("link", name="Verlotingen").click()
    await expect(page.get_by_role("heading", name="Verlotingen", level=1)).to_be_visible()
    await expect(page.locator(".items li").first).to_contain_text("Ja, je doet mee")
    await no_sideways_scroll(page)
    await page.get_by_role("link", name="nog niet getrokken").click()
    part = page.locator("section", has=page.get_by_role("heading", name="Doe ik mee?"))
    await expect(part).to_contain_text(f"Ja, je doet mee ({len(raffle.participants)} deelnemers)")
    await expect(page.get_by_text("Kerstpakket")).to_be_visible()
    await expect(page.get_by_text(f"SHA-256 van de seed): {raffle.commitment}")).to_be_visible()
    await expect(page.get_by_text("Seed (na de trekking")).to_have_count(0)
    # What only the keepers see is not here: who was left out, who was told.
    await expect(page.get_by_role("heading", name="Niet meegeloot")).to_have_count(0)
    await no_sideways_scroll(page)

    # The RvC chair is not staff: not in it, and told why.
    henk = await open_tab(browser, tab, HENK)
    await open_raffle(henk)
    await expect(henk.locator("section")).to_contain_text(
        "Nee, je doet niet mee: lid van de Raad van Commissarissen"
    )

    await as_secretariat(tab, "/tab/api/raffles/run")
    drawn = await tab.server.app[SERVICES].raffles.latest(TENANT)
    assert drawn is not None and drawn.drawn
    [prize] = drawn.prizes
    winner = TeamsUser(prize.winner_id, prize.winner_name)
    loser = next(u for u in (SANNE, PIETER, LOTTE) if u.aad_id != prize.winner_id)

    won = await open_tab(browser, tab, winner)
    await open_raffle(won)
    await expect(won.locator("section")).to_contain_text("Je hebt gewonnen: Kerstpakket")
    await expect(
        won.get_by_text(f"Seed (na de trekking bekendgemaakt): {drawn.seed}")
    ).to_be_visible()
    await expect(won.get_by_text("Klopt: de seed hoort bij")).to_be_visible()
    await expect(won.get_by_text("python -m bot.verify_raffle")).to_be_visible()
    await expect(won.locator("pre.record")).to_contain_text(drawn.seed)
    await no_sideways_scroll(won)

    lost = await open_tab(browser, tab, loser)
    await open_raffle(lost)
    await expect(lost.locator("section")).to_contain_text("Je hebt deze keer niets gewonnen.")
    await expect(lost.get_by_text(f"Gewonnen door {prize.winner_name}")).to_be_visible()
    # Only the keepers see whether the winner was told.
    await expect(lost.get_by_text("Winnaar heeft")).to_have_count(0)

    # In English, by the Teams locale.
    english = await open_tab(browser, tab, loser, lang="en-us")
    await english.get_by_role("link", name="Raffles").click()
    await english.get_by_role("link", name="Drawn on").first.click()
    await expect(english.get_by_role("heading", name="Am I in?")).to_be_visible()
    await expect(english.locator("section")).to_contain_text("Yes, you take part")
    await expect(english.locator("section")).to_contain_text("You did not win anything this time.")


async def test_an_unknown_raffle_is_not_found(tab: TabBot) -> None:
    answer = await tab.get("/tab/api/raffles/R-does-not-exist", tab.sso(SANNE))
    assert answer.status == 404
    assert "Deze verloting is niet te vinden" in await answer.text()
