"""Mijn meldingen's data-leak reports and trailer bookings in headless Chromium at 360 px (as
tests/e2e/test_tab_browser.py: the real page, script and server, TeamsJS stood in for with a
real token): each opens its page from the list, and a booking is cancelled there by keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from bot.app import SERVICES
from bot.services.trailer import today
from cards.dates import day_text
from tests.e2e.test_tab_browser import browser, no_sideways_scroll, open_tab
from tests.e2e.test_tab_own_items import assessed_report, book, own_bookings
from tests.support.activities import PIETER, SANNE
from tests.support.tab import TabBot

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared


async def test_the_employee_opens_her_report_and_booking_and_cancels_the_booking(
    tab: TabBot, browser: Browser
) -> None:
    await assessed_report(tab)
    await tab.post(PIETER.install(tab.service_url))
    later = today(tab.server.app[SERVICES]) + timedelta(days=20)
    await book(tab, SANNE, later.isoformat(), "afternoon")

    page = await open_tab(browser, tab, SANNE)
    await expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    await page.get_by_role("link", name="Datalek", exact=True).click()
    await expect(page.get_by_role("heading", name="Datalekmelding")).to_be_visible()
    await expect(page.get_by_text("Status: in behandeling")).to_be_visible()
    await expect(page.get_by_text("Naar welk adres ging de mail?")).to_be_visible()
    await expect(page.get_by_label("Je antwoord op vraag 1")).to_be_visible()
    await expect(page.get_by_text("Versleuteld, geen risico")).to_have_count(0)
    await no_sideways_scroll(page)

    await page.get_by_role("link", name="Terug naar de lijst").click()
    title = f"De aanhangwagen op {day_text(later, 'nl-NL')}, Middag (12.30-17.00 uur)"
    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()
    await expect(page.get_by_text("Voorlopig (een huurder gaat voor)")).to_be_visible()
    await expect(page.locator("ol.trail li")).to_have_count(2)
    await no_sideways_scroll(page)
    cancel = page.get_by_role("button", name="Reservering annuleren")
    await cancel.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Je reservering is geannuleerd")).to_be_visible()
    assert later not in {b.day for b, _ in await own_bookings(tab)}
