"""`make run`'s tab sign-on (TAB_LOCAL_SIGN_ON): the loopback identity provider of
infra/local/identity.py (the tests' fake Entra ID plus a sign-in page) issues the tokens, and a
plain browser opens the tab in local mode. Never in production: refused with an app id."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, async_playwright, expect

from bot.app import READY, init_app
from bot.settings import LOCAL_SIGN_ON_AUDIENCE, Settings, SettingsError, load_settings
from infra.local.entra import FakeEntra
from infra.local.identity import demo_people, identity_app
from infra.local.services import free_port
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.test_playground_browser import CHROMIUM, CHROMIUM_FLAGS
from tests.support.activities import PIETER, TENANT
from tests.support.threaded import ThreadedServer

APP_ID = "4f1e2d3c-0000-4000-8000-00000000a11d"


def local(base: Settings, **extra: str) -> dict[str, str]:
    return {
        "AZURE_STORAGE_CONNECTION_STRING": base.storage_connection_string,
        "TABLE_PREFIX": base.table_prefix,
        "DIRECTORY_FILE": str(DEMO_DIRECTORY),
        "JOBS_INTERVAL_SECONDS": "0",
        **extra,
    }


def test_local_sign_on_is_refused_with_an_app_id(settings: Settings) -> None:
    environment = local(
        settings,
        TAB_LOCAL_SIGN_ON="1",
        TAB_SSO_AUTHORITY="http://127.0.0.1:56160",
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId=TENANT,
        BOT_PUBLIC_URL="https://integriteitsbot.woongroen.example",
        MELDREGELING_URL="https://intranet.woongroen.example/meldregeling",
    )
    with pytest.raises(SettingsError, match=r"^TAB_LOCAL_SIGN_ON is for local mode only"):
        load_settings(environment, dotenv=None)


def test_local_sign_on_takes_its_tokens_from_loopback_only(settings: Settings) -> None:
    environment = local(
        settings, TAB_LOCAL_SIGN_ON="1", TAB_SSO_AUTHORITY="https://login.microsoftonline.com"
    )
    with pytest.raises(SettingsError, match=r"^TAB_SSO_AUTHORITY must be the loopback"):
        load_settings(environment, dotenv=None)
    # Without it, local mode has no audience: the tab answers 503 as before.
    assert load_settings(local(settings), dotenv=None).sso_audiences == frozenset()


def test_an_app_id_needs_an_https_authority(settings: Settings) -> None:
    environment = local(
        settings,
        TAB_SSO_AUTHORITY="http://127.0.0.1:56160",
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId=TENANT,
        BOT_PUBLIC_URL="https://integriteitsbot.woongroen.example",
        MELDREGELING_URL="https://intranet.woongroen.example/meldregeling",
    )
    with pytest.raises(SettingsError, match=r"^TAB_SSO_AUTHORITY must be an https URL"):
        load_settings(environment, dotenv=None)


@pytest.fixture
async def local_tab(
    settings: Settings, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> AsyncIterator[str]:
    """What `make run` starts for the tab: the identity provider (in its own thread, as the bot
    fetches its keys with blocking I/O) and the bot in local mode pointed at it. The tab's
    address."""
    port = free_port()
    tab = f"http://127.0.0.1:{port}/tab"
    tenant, people = demo_people(DEMO_DIRECTORY)
    fake = FakeEntra()
    with ThreadedServer(identity_app(fake, tenant, people, tab)) as identity:
        fake.base_url = identity.url
        environment = local(settings, TAB_LOCAL_SIGN_ON="1", TAB_SSO_AUTHORITY=identity.url)
        app = init_app(load_settings(environment, dotenv=None))
        await aiohttp_server(app, port=port)
        await app[READY].wait()
        yield tab


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.mark.browser
async def test_a_plain_browser_signs_in_locally_and_opens_the_tab(
    local_tab: str, browser: Browser
) -> None:
    page = await browser.new_page(viewport={"width": 360, "height": 740})
    await page.goto(local_tab)
    # Outside Teams the page sends the browser to the loopback sign-in: pick a person.
    await expect(page.get_by_role("heading", name="Aanmelden als …")).to_be_visible()
    await page.get_by_role("link", name="Pieter Bakker").click()
    await expect(page.get_by_role("heading", name="Mijn meldingen")).to_be_visible()
    assert "token=" not in page.url  # taken out of the address
    await expect(page.get_by_role("link", name="Openstaand")).to_be_visible()
    # Pieter has no registers: the server knows him from the token, not from the page.
    await expect(page.get_by_role("link", name="Registers")).to_have_count(0)
    # Another browser tab is another person.
    lotte = await browser.new_page(viewport={"width": 360, "height": 740})
    await lotte.goto(local_tab)
    await lotte.get_by_role("link", name="Lotte Smit").click()
    await expect(lotte.get_by_role("link", name="Registers")).to_be_visible()


async def test_only_the_tabs_own_address_is_signed_in_to(local_tab: str) -> None:
    async with ClientSession() as session:
        async with session.get(local_tab) as shell:
            text = await shell.text()
        signin = text.split('data-local-signin="', 1)[1].split('"', 1)[0]
        elsewhere = f"{signin}/{PIETER.aad_id}?redirect=https://evil.example/tab"
        async with session.get(elsewhere, allow_redirects=False) as answer:
            assert answer.status == 400
        mine = f"{signin}/{PIETER.aad_id}?redirect={local_tab}"
        async with session.get(mine, allow_redirects=False) as answer:
            assert answer.status == 302
            token = answer.headers["Location"].split("#token=", 1)[1]
        # A real token of the loopback identity provider, for the local audience only.
        api = local_tab.replace("/tab", "/tab/api/mine")
        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(api, headers=headers) as answer:
            assert answer.status == 200
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        async with session.get(api, headers={"Authorization": f"Bearer {forged}"}) as answer:
            assert answer.status == 401
    assert LOCAL_SIGN_ON_AUDIENCE.startswith("api://localhost/")
