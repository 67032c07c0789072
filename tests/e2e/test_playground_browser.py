"""The real Agents Playground in headless Chromium, talking to the real bot process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from infra.local.services import bot_args, free_port, playground, spawn, stop, wait_for_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def bot_endpoint(
    azurite_connection: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The bot as its own process, the way `make run` starts it."""
    port = free_port()
    env = {
        "AZURE_STORAGE_CONNECTION_STRING": azurite_connection,
        "TABLE_PREFIX": "browser",
        "BOT_PORT": str(port),
        "LOCALE_OVERRIDE": "nl-NL",  # as `make run` does: the Playground always sends en-US
        "DIRECTORY_FILE": str(ROOT / "infra" / "demo" / "directory.json"),
    }
    log = tmp_path_factory.mktemp("bot") / "bot.log"
    process = spawn(bot_args(), env={**os.environ, **env}, log=log)
    try:
        wait_for_port(port, 60, process)
        yield f"http://127.0.0.1:{port}/api/messages"
    finally:
        stop(process)


def _playground(bot_endpoint: str, who: str, tmp: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    config = ROOT / "infra" / "local" / "playground" / f"{who}.json"
    with playground(port, bot_endpoint, config, tmp.mktemp(f"playground-{who}")):
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def employee_playground(
    bot_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Sanne de Vries' Teams (an employee)."""
    yield from _playground(bot_endpoint, "employee", tmp_path_factory)


@pytest.fixture(scope="module")
def manager_playground(
    bot_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Pieter Bakker's Teams (her manager), a second Playground on its own port."""
    yield from _playground(bot_endpoint, "manager", tmp_path_factory)


@pytest.fixture(scope="module")
def privacy_playground(
    bot_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Fatima el Amrani's Teams (the privacy officer), a third Playground as `make run` opens."""
    yield from _playground(bot_endpoint, "privacy_officer", tmp_path_factory)


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        instance = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield instance
        await instance.close()


async def open_chat(browser: Browser, url: str, locale: str = "nl-NL") -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(url)
    await expect(page.get_by_text("Connected.")).to_be_visible(timeout=30_000)
    await page.get_by_text("Personal Chat").first.click()
    return page


async def show_menu(page: Page) -> None:
    """Ask for the menu. The bot welcomes a person once (#19): opening the page again (a new
    install in the same conversation) brings no new welcome card, so a returning user asks."""
    box = page.get_by_role("textbox").first
    await box.fill("hallo")
    await box.press("Enter")
    await expect(page.get_by_text("Hoi Sanne!").last).to_be_visible(timeout=20_000)


async def test_hallo_shows_the_welcome_card_with_its_buttons(
    browser: Browser, employee_playground: str
) -> None:
    page = await open_chat(browser, employee_playground)
    box = page.get_by_role("textbox").first
    await box.fill("hallo")
    await box.press("Enter")
    # The Playground sends no name; the greeting takes it from the directory (#19).
    await expect(page.get_by_text("Hoi Sanne!").last).to_be_visible(timeout=20_000)
    for label in ("Cadeau melden", "Datalek melden", "Vertrouwenspersoon en meldregeling"):
        await expect(page.get_by_role("button", name=label).first).to_be_visible()
    await page.get_by_role("button", name="Vraag over de gedragscode").last.click()
    await expect(page.get_by_text("Terug naar het menu").first).to_be_visible(timeout=20_000)


async def test_a_hamper_to_hand_in_that_the_manager_sends_back_shows_his_instruction_to_both(
    browser: Browser, employee_playground: str, manager_playground: str
) -> None:
    # The manager opens Teams first: that is when the bot learns how to reach him.
    manager = await open_chat(browser, manager_playground)
    employee = await open_chat(browser, employee_playground)
    await show_menu(employee)

    await employee.get_by_role("button", name="Cadeau melden").last.click()
    await employee.get_by_label("Namens welke organisatie?").fill("Bouwbedrijf Vos")
    await employee.get_by_role("combobox", name="Wat is jullie relatie met de gever?").click()
    await employee.get_by_role("option", name="Leverancier of aannemer").click()
    await employee.get_by_label("Wat is het cadeau?").fill("Kerstpakket")
    await employee.get_by_role("combobox", name="Soort cadeau").click()
    await employee.get_by_role("option", name="Een voorwerp", exact=False).click()
    # The three questions that decide the verdict are asked, not defaulted (#19, point 4):
    # negotiating, everyday and at home, in that order, each a "Ja"/"Nee" choice.
    await employee.get_by_role("radio", name="Nee").nth(0).check()
    await employee.get_by_role("radio", name="Ja").nth(1).check()
    await employee.get_by_role("radio", name="Nee").nth(2).check()
    await employee.get_by_label("Geschatte waarde in euro").fill("75")
    await employee.get_by_role("button", name="Melden").click()
    await expect(
        employee.get_by_text("Lever dit in: het is een cadeau aan Woongroen")
    ).to_be_visible(timeout=20_000)
    await expect(employee.get_by_text("Wacht op het besluit van Pieter Bakker")).to_be_visible()

    await expect(manager.get_by_text("Cadeaumelding van Sanne de Vries")).to_be_visible(
        timeout=20_000
    )
    await expect(manager.get_by_text("Wacht op jouw besluit")).to_be_visible()
    comment = manager.get_by_placeholder("Bijvoorbeeld de reden van je besluit").last
    await comment.click()
    await comment.press_sequentially("We zitten midden in de aanbesteding; geef het terug")
    await manager.get_by_role("button", name="Teruggeven", exact=True).last.click()
    await expect(manager.get_by_text("Het cadeau gaat terug naar de gever").first).to_be_visible(
        timeout=20_000
    )
    await expect(manager.get_by_text("Besloten door jou").first).to_be_visible()

    await expect(employee.get_by_text("Besluit over je melding", exact=False)).to_be_visible(
        timeout=20_000
    )
    await expect(employee.get_by_text("Geef het cadeau terug").first).to_be_visible()
    await expect(employee.get_by_text("Besloten door Pieter Bakker").first).to_be_visible()
    await expect(
        employee.get_by_text(
            "Toelichting: We zitten midden in de aanbesteding; geef het terug"
        ).first
    ).to_be_visible()
    await expect(
        employee.get_by_role("button", name="Ik heb het teruggegeven").first
    ).to_be_visible()


async def test_a_data_leak_reaches_the_privacy_officer_and_the_receipt_says_so(
    browser: Browser, employee_playground: str, privacy_playground: str
) -> None:
    # The privacy officer opens Teams first: that is when the bot learns how to reach her.
    officer = await open_chat(browser, privacy_playground)
    employee = await open_chat(browser, employee_playground)
    await show_menu(employee)

    await employee.get_by_role("button", name="Datalek melden").last.click()
    description = employee.get_by_placeholder("Bijvoorbeeld: ik heb een mail met huurdersgegevens")
    await description.last.click()
    await description.last.press_sequentially("Huurlijst naar de verkeerde aannemer gemaild")
    await employee.get_by_role("radio", name="Nee").first.check()
    await employee.get_by_role("button", name="Melden bij de privacy officer").last.click()
    await expect(
        employee.get_by_text("bezorgd bij de privacy officer (Fatima el Amrani)")
    ).to_be_visible(timeout=20_000)
    await expect(employee.get_by_text("Status: ontvangen").first).to_be_visible()

    # The alert arrives on the privacy officer's page, with the clock and the case card.
    await expect(officer.get_by_text("melding van Sanne de Vries").first).to_be_visible(
        timeout=20_000
    )
    await expect(
        officer.get_by_text("Huurlijst naar de verkeerde aannemer gemaild").first
    ).to_be_visible()
    await expect(officer.get_by_text("Melden bij de AP uiterlijk").first).to_be_visible()
    await officer.get_by_role("button", name="Ontvangen", exact=True).last.click()
    await expect(officer.get_by_text("Ontvangen door Fatima el Amrani").first).to_be_visible(
        timeout=20_000
    )
