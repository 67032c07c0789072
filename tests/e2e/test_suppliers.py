"""Suppliers confirm they know the code, over HTTP: the integrity officer imports the contact
list (bad lines kept with why), sends the summary through Microsoft Graph sendMail (a loopback
Graph speaking the real protocol, with app tokens from a loopback Entra ID), each contact
confirms on their own link without a login (once; a link scanner's GET changes nothing;
expired and forged links refused), the officer's card shows who confirmed, a reminder reaches
only the others. The rules: tests/unit/test_supplier_contacts_rules.py; the repository:
tests/integration/test_supplier_contacts.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.domain.supplier_contacts import contact_key, link_token
from bot.mail import GraphMailer
from bot.settings import Settings, load_settings
from bot.tokens import AppTokens
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import LOTTE, SANNE, TENANT
from tests.support.entra import FakeEntra
from tests.support.flows import click, inputs, open_flow, texts
from tests.support.graph import FakeGraph, served

APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
SECRET = "test-only-client-secret"
MAILBOX = "integriteit@woongroen.example"
LINK_SECRET = "test-only-link-secret-of-at-least-32-characters"
CSV = (
    "naam;organisatie;e-mail\n"
    "Jan de Vos;Bouwbedrijf Vos;jan@bouwbedrijfvos.nl\n"
    "Anna Smit;Aannemer Smit;anna@smit.nl\n"
    "Piet Jansen;Schilders Jansen;piet@\n"
    ";Installatie BV;kees@installatie.nl\n"
)


@pytest.fixture
def settings(azurite_connection: str, table_prefix: str) -> Settings:
    return load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection,
            "TABLE_PREFIX": table_prefix,
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            "JOBS_INTERVAL_SECONDS": "0",
            "SUPPLIER_LINK_SECRET": LINK_SECRET,
        },
        dotenv=None,
    )


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    return await served(entra, aiohttp_server, (APP_ID, SECRET), (MAILBOX,))


@pytest.fixture
async def mailing(
    bot: BotUnderTest, entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> AsyncIterator[FakeGraph]:
    """The running bot with its mailer on the loopback Graph (the app's one Services)."""
    fake, url = graph
    mailer = GraphMailer(AppTokens(APP_ID, SECRET, f"{entra.base_url}/{TENANT}"), MAILBOX, url)
    services = bot.server.app[SERVICES]
    object.__setattr__(services, "mailer", mailer)  # what init_app does with MAIL_SENDER set
    yield fake
    await mailer.close()


async def officer_screen(bot: BotUnderTest) -> dict[str, Any]:
    menu = await open_flow(bot, LOTTE, "menu.open")
    return await click(bot, LOTTE, menu, "supplier_code.open")


def link_path(message: dict[str, Any]) -> str:
    [url] = re.findall(r'href="([^"]*/gedragscode/bevestigen/[^"]+)"', message["body"]["content"])
    return url.split("://", 1)[1].split("/", 1)[1]


async def test_import_send_confirm_once_and_remind_only_the_others(
    bot: BotUnderTest, mailing: FakeGraph
) -> None:
    screen = await officer_screen(bot)
    assert "Er staan nog geen contactpersonen op de lijst" in texts(screen)
    imported = await click(bot, LOTTE, screen, "supplier_code.import", {"csv": CSV})
    shown = texts(imported)
    assert "Geïmporteerd: 2 nieuw, 0 bijgewerkt." in shown
    assert "2 regels konden niet worden geïmporteerd" in shown
    assert "Regel 4: dit is geen geldig e-mailadres" in shown
    assert "Regel 5: de naam ontbreekt" in shown
    # Nothing typed is lost: the bad lines wait in the box for correction.
    assert (
        inputs(imported)["csv"]
        == "Piet Jansen;Schilders Jansen;piet@\n;Installatie BV;kees@installatie.nl"
    )
    assert "Jan de Vos (Bouwbedrijf Vos)" in shown and "nog niet gemaild" in shown
    corrected = await click(
        bot, LOTTE, imported, "supplier_code.import",
        {"csv": "Piet Jansen;Schilders Jansen;piet@jansen.nl"},
    )  # fmt: skip
    assert "Geïmporteerd: 1 nieuw" in texts(corrected) and inputs(corrected)["csv"] == ""

    sent = await click(bot, LOTTE, corrected, "supplier_code.send")
    assert "Verstuurd: 3. Mislukt: 0" in texts(sent)
    assert len(mailing.mails) == 3
    by_address = {m["toRecipients"][0]["emailAddress"]["address"]: m for _, m in mailing.mails}
    jan = by_address["jan@bouwbedrijfvos.nl"]
    assert {box for box, _ in mailing.mails} == {MAILBOX}
    assert jan["subject"].startswith("Woongroen: onze gedragscode")
    content = jan["body"]["content"]
    assert jan["body"]["contentType"] == "HTML"
    assert "Beste Jan de Vos" in content and "Bouwbedrijf Vos" in content
    for section in ("§1", "§2", "§3", "§5"):
        assert section in content
    assert bot.server.app[SERVICES].settings.code_url in content
    # Each contact has a link of their own.
    assert len({link_path(m) for m in by_address.values()}) == 3
    again = await click(bot, LOTTE, sent, "supplier_code.send")
    assert "niemand aan wie dit nog verstuurd moet worden" in texts(again)
    assert len(mailing.mails) == 3

    # Jan opens the link (a scanner would too): nothing is recorded yet.
    path = "/" + link_path(jan)
    page = await bot.session.get(bot.server.make_url(path), headers={"Accept-Language": "nl"})
    assert page.status == 200 and '<form method="post">' in await page.text()
    assert page.headers["Cache-Control"] == "no-store"
    contacts = bot.server.app[SERVICES].supplier_contacts
    stored = await contacts.get(TENANT, contact_key("jan@bouwbedrijfvos.nl"))
    assert stored is not None and not stored.confirmed
    done = await bot.session.post(bot.server.make_url(path), headers={"Accept-Language": "nl"})
    assert done.status == 200 and "Uw bevestiging is vastgelegd" in await done.text()
    twice = await bot.session.post(bot.server.make_url(path), headers={"Accept-Language": "en"})
    assert "had been recorded already" in await twice.text()
    stored = await contacts.get(TENANT, contact_key("jan@bouwbedrijfvos.nl"))
    assert stored is not None and stored.confirmed

    status = texts(await click(bot, LOTTE, again, "supplier_code.open"))
    assert "1 van de 3 contactpersonen hebben bevestigd" in status
    assert "bevestigd op" in status

    reminded = await click(bot, LOTTE, again, "supplier_code.remind")
    assert "Verstuurd: 2" in texts(reminded)
    later = [m["toRecipients"][0]["emailAddress"]["address"] for _, m in mailing.mails[3:]]
    assert sorted(later) == ["anna@smit.nl", "piet@jansen.nl"]
    assert all("Herinnering" in m["body"]["content"] for _, m in mailing.mails[3:])


async def test_a_contact_listed_in_english_is_mailed_in_english(
    bot: BotUnderTest, mailing: FakeGraph
) -> None:
    screen = await officer_screen(bot)
    csv = (
        "Jan de Vos;Bouwbedrijf Vos;jan@bouwbedrijfvos.nl\nJohn Smith;Smith Ltd;john@smith.co.uk;en"
    )
    imported = await click(bot, LOTTE, screen, "supplier_code.import", {"csv": csv})
    assert "Geïmporteerd: 2 nieuw" in texts(imported)
    await click(bot, LOTTE, imported, "supplier_code.send")
    by_address = {m["toRecipients"][0]["emailAddress"]["address"]: m for _, m in mailing.mails}
    assert by_address["jan@bouwbedrijfvos.nl"]["subject"].startswith("Woongroen: onze gedragscode")
    john = by_address["john@smith.co.uk"]
    assert john["subject"].startswith("Woongroen: our code of conduct"), john["subject"]
    assert "Dear John Smith" in john["body"]["content"]


async def test_expired_and_forged_links_are_refused_and_record_nothing(
    bot: BotUnderTest, mailing: FakeGraph
) -> None:
    screen = await officer_screen(bot)
    await click(bot, LOTTE, screen, "supplier_code.import", {"csv": CSV})
    services = bot.server.app[SERVICES]
    key = contact_key("anna@smit.nl")
    # Signed by this app, but longer ago than SUPPLIER_LINK_DAYS (60).
    old = link_token(LINK_SECRET, TENANT, key, services.clock() - timedelta(days=61))
    expired = await bot.session.post(bot.server.make_url(f"/gedragscode/bevestigen/{old}"))
    assert expired.status == 410 and "verlopen" in await expired.text()
    forged = link_token(
        "someone-elses-secret-of-32-characters-or-more", TENANT, key, services.clock()
    )
    refused = await bot.session.post(bot.server.make_url(f"/gedragscode/bevestigen/{forged}"))
    assert refused.status == 404 and "niet (meer) geldig" in await refused.text()
    unknown = link_token(LINK_SECRET, TENANT, contact_key("nobody@x.nl"), services.clock())
    gone = await bot.session.post(bot.server.make_url(f"/gedragscode/bevestigen/{unknown}"))
    assert gone.status == 404
    stored = await services.supplier_contacts.get(TENANT, key)
    assert stored is not None and not stored.confirmed
    # Within the period the link still works.
    jan = contact_key("jan@bouwbedrijfvos.nl")
    recent = link_token(LINK_SECRET, TENANT, jan, services.clock() - timedelta(days=59))
    works = await bot.session.post(bot.server.make_url(f"/gedragscode/bevestigen/{recent}"))
    assert works.status == 200 and "vastgelegd" in await works.text()


async def test_a_refused_address_is_kept_and_tried_again(
    bot: BotUnderTest, mailing: FakeGraph
) -> None:
    mailing.bad_recipients.add("anna@smit.nl")
    screen = await officer_screen(bot)
    imported = await click(bot, LOTTE, screen, "supplier_code.import", {"csv": CSV})
    sent = await click(bot, LOTTE, imported, "supplier_code.send")
    assert "Verstuurd: 1. Mislukt: 1" in texts(sent)
    assert "mail mislukt (ErrorInvalidRecipients)" in texts(sent)
    mailing.bad_recipients.clear()
    retried = await click(bot, LOTTE, sent, "supplier_code.send")
    assert "Verstuurd: 1. Mislukt: 0" in texts(retried)
    # Jan once, Anna once: the refused send was not counted as sent, and tried again.
    addresses = [m["toRecipients"][0]["emailAddress"]["address"] for _, m in mailing.mails]
    assert sorted(addresses) == ["anna@smit.nl", "jan@bouwbedrijfvos.nl"]


async def test_without_a_mailbox_nothing_is_sent_and_the_officer_is_told(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    screen = await officer_screen(bot)
    imported = await click(bot, LOTTE, screen, "supplier_code.import", {"csv": CSV})
    refused = await click(bot, LOTTE, imported, "supplier_code.send")
    assert "Mailen naar leveranciers is niet ingesteld (MAIL\\_SENDER)" in texts(refused)
    assert "MAIL_SENDER is not configured" in caplog.text


async def test_only_the_integrity_officer_manages_it(bot: BotUnderTest) -> None:
    for verb in ("supplier_code.open", "supplier_code.import", "supplier_code.send"):
        response = await bot.post(SANNE.invoke(bot.service_url, verb, {"csv": CSV}))
        assert "Alleen de integriteitsfunctionaris" in texts((await response.json())["value"])
    assert await bot.server.app[SERVICES].supplier_contacts.contacts(TENANT) == []
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "supplier_code.open" not in str(menu)


async def test_a_second_instance_sees_the_same_list(
    bot: BotUnderTest, settings: Settings, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    screen = await officer_screen(bot)
    await click(bot, LOTTE, screen, "supplier_code.import", {"csv": CSV})
    other = init_app(settings)
    await aiohttp_server(other)
    await other[READY].wait()
    assert len(await other[SERVICES].supplier_contacts.contacts(TENANT)) == 2
