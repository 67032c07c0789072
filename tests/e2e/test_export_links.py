"""Export links survive real mail and chat: a scanner's or preview's fetch does not use them up,
the download is the page's POST, and the token never reaches a log or a storage URL."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.storage.breaches import EXPORTS
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_registers import show, submit
from tests.support.activities import LOTTE, PIETER, SANNE
from tests.support.download import download, open_page
from tests.support.flows import WINE, click, inputs
from tests.support.leaks import services_of

# Every logger that could see a URL: the Azure SDK's request logging, aiohttp's access log,
# the Bot Framework SDK and our own.
LOGGERS = (
    "",
    "azure",
    "azure.core.pipeline.policies.http_logging_policy",
    "bot.storage.wire",
    "aiohttp.access",
    "botbuilder",
    "botframework",
    "msrest",
    "bot",
    "dialogs",
)


async def _link(bot: BotUnderTest) -> tuple[str, str]:
    """(the link the card shows, the same on the test server's port) of a fresh gift export."""
    card = await show(bot, LOTTE, "gift")
    export = await click(bot, LOTTE, card, "register.export", {**inputs(card), "format": "csv"})
    [link] = [a["url"] for a in export["actions"] if a["type"] == "Action.OpenUrl"]
    token = link.rsplit("/", 1)[1]
    return token, str(bot.server.make_url("/exports/" + token))


@pytest.fixture
async def gift_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    bot = clocked_bot
    for user in (SANNE, PIETER, LOTTE):
        await bot.post(user.install(bot.service_url))
    await submit(bot, SANNE, "gift", WINE)
    return bot


async def test_a_scanner_fetching_the_link_first_does_not_use_it_up(gift_bot: BotUnderTest) -> None:
    bot = gift_bot
    _, url = await _link(bot)
    # Safe Links / a link preview: HEAD and GET, several times, without cookies or a language.
    assert (await bot.session.head(url)).status == 200
    for _ in range(3):
        scanned = await bot.session.get(url)
        assert scanned.status == 200
        page = await scanned.text()
        assert "Downloaden" in page and 'method="post"' in page  # Dutch by default
        assert scanned.headers["Referrer-Policy"] == "no-referrer"
    # Then the person: the page (in English for an English browser), the button, the file.
    english = await open_page(bot.session, url, "en-GB,en;q=0.9,nl;q=0.5")
    assert "Download</button>" in await english.text()
    response = await download(bot.session, url, "en-US")
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Fles wijn" in (await response.read()).decode("utf-8")
    # Used: the page and a second POST both say so plainly.
    page = await open_page(bot.session, url, "en")
    assert page.status == 410
    assert "already been used" in await page.text()
    second = await bot.session.post(url, headers={"Accept-Language": "nl-NL"})
    assert second.status == 410
    refusal = await second.text()
    assert "al gebruikt" in refusal and "Vraag in Teams een nieuwe export aan" in refusal
    assert "Fles wijn" not in refusal


async def test_an_unknown_link_gets_a_clear_page(gift_bot: BotUnderTest) -> None:
    url = str(gift_bot.server.make_url("/exports/" + "A" * 43))
    page = await open_page(gift_bot.session, url)
    assert page.status == 404
    assert "bestaat niet" in await page.text()
    assert (await gift_bot.session.post(url)).status == 404


async def test_the_token_never_reaches_a_log_or_a_storage_url(
    gift_bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    bot = gift_bot
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    token, url = await _link(bot)
    # New connections: aiohttp decides per connection whether its access log is on.
    async with ClientSession() as browser:
        await open_page(browser, url)  # the scanner
        response = await download(browser, url)
        assert response.status == 200
        await browser.post(url)  # and a refused second try

    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [str(v) for r in caplog.records for v in vars(r).values()]
    )
    assert token not in logged
    # The capture did see the storage requests and the access log (else this proves nothing):
    # the ticket's storage URL holds the token's SHA-256 only.
    key = hashlib.sha256(token.encode()).hexdigest()
    assert f"exports(PartitionKey='{key}'" in logged
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("POST /exports/… " in line for line in access), access
    # Storage holds the hash, not the token.
    services = services_of(bot)
    rows: list[Any] = await services.store.scan(EXPORTS, {})
    assert [row.partition for row in rows] == [key]
    assert token not in repr(rows)
