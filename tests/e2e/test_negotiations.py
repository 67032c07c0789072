"""The list of parties in negotiation, end to end over HTTP: procurement keeps it on a card and by
CSV; a gift from a listed party is refused by the bot though the employee did not tick it, and
the manager's card says why; what one organisation gave across all staff this year shows on the
manager's card and on the integrity officer's register; nobody else sees or changes the list."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.settings import Settings
from bot.storage.tables import AzureTableStore
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_registers import download, show, submit
from tests.e2e.test_request_flows import INVITATION
from tests.support.activities import FATIMA, JOOST, LOTTE, MARIEKE, PIETER, SANNE, TeamsUser

# Fatima el Amrani does procurement (Inkoop) in the demo directory, beside privacy.
from tests.support.connector import MockConnector
from tests.support.flows import WINE, action, click, inputs, open_flow, texts
from tests.support.leaks import Clock, FlakyStore, start_bot


@pytest.fixture
async def party_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    bot = clocked_bot
    for user in (SANNE, PIETER, MARIEKE, FATIMA, JOOST, LOTTE):
        await bot.post(user.install(bot.service_url))
    return bot


async def the_list(bot: BotUnderTest, user: TeamsUser) -> dict[str, Any]:
    menu = await open_flow(bot, user, "menu.open")
    return await click(bot, user, menu, "negotiations.open")


def last_card(bot: BotUnderTest, user: TeamsUser) -> dict[str, Any]:
    posted = [s for s in bot.connector.to(user.conversation_id) if s.method == "POST"]
    card = posted[-1].card
    assert card is not None
    return card


def facts(card: dict[str, Any]) -> dict[str, str]:
    """The card's FactSet rows, title -> value."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                found.update({f["title"]: f["value"] for f in node["facts"]})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


async def test_a_normal_employee_can_neither_see_nor_change_the_list(
    party_bot: BotUnderTest,
) -> None:
    bot = party_bot
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "negotiations.open" not in [a["verb"] for a in _actions(menu)]
    for verb, data in (
        ("negotiations.open", {}),
        ("negotiations.add", {"name": "Vos", "start": "2026-09-01", "end": "2026-12-31"}),
        ("negotiations.import", {"csv": "Vos;;2026-09-01;2026-12-31"}),
        ("negotiations.remove", {"key": "vos"}),
    ):
        response = await bot.post(SANNE.invoke(bot.service_url, verb, data))
        card = (await response.json())["value"]
        assert "alleen voor Inkoop en de integriteitsfunctionaris" in texts(card), verb
    assert await the_list_names(bot, FATIMA) == []  # nothing was added by her
    # the integrity officer keeps it too
    assert "negotiations.open" in [
        a["verb"] for a in _actions(await open_flow(bot, LOTTE, "menu.open"))
    ]


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.support.flows import actions

    return actions(card)


async def the_list_names(bot: BotUnderTest, user: TeamsUser) -> list[str]:
    card = await the_list(bot, user)
    return [o["text"] for o in _containers(card)]


def _containers(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The bold name line of each party on the list card."""
    out = []
    for item in card["body"]:
        if item.get("type") == "Container" and any(
            a.get("verb") == "negotiations.remove_ask" for a in _actions(item)
        ):
            out.append(item["items"][0])
    return out


async def test_procurement_adds_changes_and_removes_a_party_on_the_card(
    party_bot: BotUnderTest,
) -> None:
    bot = party_bot
    card = await the_list(bot, FATIMA)
    assert "Er staan nog geen partijen op de lijst." in texts(card)

    typed = {
        "name": "Bouwbedrijf Vos B.V.",
        "kvk": "1234",
        "start": "2026-09-01",
        "end": "2026-08-01",
    }
    refused = await click(bot, FATIMA, card, "negotiations.add", typed)
    shown = texts(refused)
    assert "De partij is nog niet toegevoegd" in shown
    assert "Een KvK-nummer heeft 8 cijfers." in shown
    assert "De einddatum ligt voor de begindatum." in shown
    assert inputs(refused)["name"] == "Bouwbedrijf Vos B.V." and inputs(refused)["kvk"] == "1234"

    typed = {**typed, "kvk": "12345678", "end": "2026-12-31"}
    added = await click(bot, FATIMA, refused, "negotiations.add", typed)
    assert "Bouwbedrijf Vos B.V. staat nu op de lijst." in texts(added)
    assert (
        "KvK 12345678 · 01-09-2026 t/m 31-12-2026 · loopt · bijgewerkt door Fatima el Amrani"
        in texts(added)
    )
    again = await click(
        bot, FATIMA, added, "negotiations.add", {**typed, "name": "bouwbedrijf vos bv"}
    )
    assert "Bouwbedrijf Vos B.V. staat al op de lijst; wijzig daar de einddatum." in texts(again)

    change = action(again, "negotiations.end")
    field = change["data"]["field"]
    bad = await click(bot, FATIMA, again, "negotiations.end", {field: "2026-01-01"})
    assert "De einddatum van Bouwbedrijf Vos B.V. is niet gewijzigd" in texts(bad)
    changed = await click(bot, FATIMA, bad, "negotiations.end", {field: "2027-03-31"})
    assert "De einddatum van Bouwbedrijf Vos B.V. is nu 31-03-2027." in texts(changed)
    assert "01-09-2026 t/m 31-03-2027" in texts(changed)

    asked = await click(bot, FATIMA, changed, "negotiations.remove_ask")
    assert "Bouwbedrijf Vos B.V. van de lijst halen?" in texts(asked)
    back = await click(bot, FATIMA, asked, "negotiations.open")  # "Nee, terug naar de lijst"
    assert "Bouwbedrijf Vos B.V." in texts(back) and "van de lijst halen?" not in texts(back)
    asked = await click(bot, FATIMA, back, "negotiations.remove_ask")
    removed = await click(bot, FATIMA, asked, "negotiations.remove")
    assert "Bouwbedrijf Vos B.V. staat niet meer op de lijst." in texts(removed)
    assert "Er staan nog geen partijen op de lijst." in texts(removed)
    assert "menu.open" in [a["verb"] for a in _actions(removed)]  # the way back


async def test_a_csv_import_names_every_bad_line_keeps_the_text_and_imports_when_right(
    party_bot: BotUnderTest,
) -> None:
    bot = party_bot
    card = await the_list(bot, LOTTE)
    wrong = (
        "naam;kvk;start;eind\n"
        "Bouwbedrijf Vos B.V.;12345678;2026-09-01;2026-12-31\n"
        "Schilders Jansen & Zn;12;2026-05-01;2026-13-01\n"
    )
    refused = await click(bot, LOTTE, card, "negotiations.import", {"csv": wrong})
    shown = texts(refused)
    assert "Er is niets geïmporteerd." in shown
    assert "Regel 3: Een KvK-nummer heeft 8 cijfers.; De einddatum is geen geldige datum" in shown
    assert inputs(refused)["csv"] == wrong  # nothing typed is lost
    assert "Er staan nog geen partijen op de lijst." in shown

    right = wrong.replace(";12;2026-05-01;2026-13-01", ";;01-05-2026;31-12-2026")
    imported = await click(bot, LOTTE, refused, "negotiations.import", {"csv": right})
    assert "Geïmporteerd: 2 toegevoegd, 0 bijgewerkt." in texts(imported)
    assert await the_list_names(bot, FATIMA) == ["Bouwbedrijf Vos B.V.", "Schilders Jansen & Zn"]
    again = await click(bot, LOTTE, imported, "negotiations.import", {"csv": right})
    assert "Geïmporteerd: 0 toegevoegd, 2 bijgewerkt." in texts(again)

    english = TeamsUser(FATIMA.aad_id, FATIMA.name, locale="en-US")
    card = await open_flow(bot, english, "negotiations.open")
    refused = await click(bot, english, card, "negotiations.import", {"csv": "Only a name"})
    assert (
        'Line 1: expected 4 columns (name; KvK number; start date; end date) ("Only a name")'
        in (texts(refused))
    )


async def test_a_gift_from_a_listed_party_is_refused_by_the_bot_and_the_managers_card_says_why(
    party_bot: BotUnderTest,
) -> None:
    bot = party_bot
    card = await the_list(bot, FATIMA)
    await click(
        bot,
        FATIMA,
        card,
        "negotiations.import",
        {"csv": "Bouwbedrijf Vos B.V.;12345678;2026-09-01;2026-12-31"},
    )
    # Sanne does not know: she leaves "lopende onderhandelingen" unticked (WINE says false)
    form = await open_flow(bot, SANNE, "gift.open")
    receipt = await click(bot, SANNE, form, "gift.submit", WINE)
    assert "Niet aannemen: weiger het of geef het terug" in texts(receipt)
    assert "In onderhandeling volgens de lijst van Inkoop" in texts(receipt)

    manager = last_card(bot, PIETER)
    shown = texts(manager)
    assert "Niet aannemen: weiger het of geef het terug" in shown
    assert "In onderhandeling volgens de lijst van Inkoop: Woongroen voert op deze datum" in shown
    rows = facts(manager)
    assert rows["Lopende onderhandelingen"] == "Nee"  # what Sanne ticked, kept apart
    assert rows["Volgens de lijst van Inkoop"] == (
        "In onderhandeling volgens de lijst van Inkoop (Bouwbedrijf Vos B.V., "
        "01-09-2026 t/m 31-12-2026)"
    )

    # a day outside the period: the list has nothing to say
    form = await open_flow(bot, SANNE, "gift.open")
    before = await click(bot, SANNE, form, "gift.submit", {**WINE, "receivedOn": "2026-08-31"})
    assert "Je mag dit aannemen en houden" in texts(before)
    assert "Volgens de lijst van Inkoop" not in facts(last_card(bot, PIETER))

    # an invitation from the same party: the list's reason is on the manager's card too
    form = await open_flow(bot, SANNE, "invitation.open")
    await click(bot, SANNE, form, "invitation.submit", {**INVITATION, "negotiating": "false"})
    invitation = last_card(bot, PIETER)
    assert "Volgens de lijst van Inkoop voert Woongroen op de dag van de uitnodiging" in texts(
        invitation
    )
    assert facts(invitation)["Lopende onderhandelingen"] == "Nee"


async def test_gifts_of_one_organisation_to_three_colleagues_show_on_the_third_card_and_register(
    party_bot: BotUnderTest,
) -> None:
    bot = party_bot
    pen = {
        **WINE,
        "giverName": "Kees Jansen",
        "giverOrganisation": "Schilders Jansen B.V.",
        "description": "Pen met logo",
        "value": "15",
    }
    first = await submit(bot, SANNE, "gift", pen)  # manager: Pieter
    assert "Deze organisatie dit jaar" in facts(last_card(bot, PIETER))
    assert facts(last_card(bot, PIETER))["Deze organisatie dit jaar"] == (
        "1 cadeau, €\u00a015,00 in totaal, aan 1 collega"
    )
    second = await submit(bot, FATIMA, "gift", {**pen, "description": "Agenda", "value": "20"})
    third = await submit(
        bot, JOOST, "gift", {**pen, "giverOrganisation": "schilders jansen bv", "value": "25"}
    )
    assert facts(last_card(bot, MARIEKE))["Deze organisatie dit jaar"] == (
        "3 cadeaus, €\u00a060,00 in totaal, aan 3 collega's"
    )
    # another organisation, and last year, count apart
    await submit(bot, SANNE, "gift", {**WINE, "value": "10"})
    await submit(bot, FATIMA, "gift", {**pen, "receivedOn": "2025-12-20"})

    register = await show(bot, LOTTE, "gift")
    shown = texts(register)
    line = "Deze organisatie dit jaar: 3 cadeaus, €\u00a060,00 in totaal, aan 3 collega's"
    assert shown.count(line) == 3
    assert "Deze organisatie dit jaar: 1 cadeau, €\u00a010,00 in totaal, aan 1 collega" in shown
    # the same totals when the register shows one department only (all staff are counted)
    wonen = await show(bot, LOTTE, "gift", department="Wonen")
    assert line in texts(wonen)

    response = await download(bot, LOTTE, register, "csv")
    body = (await response.read()).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    by_reference = {r["Kenmerk"]: r for r in rows}
    for reference in (first, second, third):
        assert by_reference[reference]["Deze organisatie dit jaar"] == (
            "3 cadeaus, €\u00a060,00 in totaal, aan 3 collega's"
        )


async def test_when_the_list_cannot_be_read_nothing_is_recorded_and_nothing_typed_is_lost(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    store: AzureTableStore,
) -> None:
    flaky = FlakyStore(store)
    bot = await start_bot(settings, connector, aiohttp_server, session, clock, flaky)  # type: ignore[arg-type]
    for user in (SANNE, PIETER, FATIMA):
        await bot.post(user.install(bot.service_url))
    card = await the_list(bot, FATIMA)
    typed = {"name": "Bouwbedrijf Vos B.V.", "kvk": "", "start": "2026-09-01", "end": "2026-12-31"}
    flaky.failures[("insert", "negotiations")] = 1
    failed = await click(bot, FATIMA, card, "negotiations.add", typed)
    assert "de opslag even niet bereikbaar is" in texts(failed)
    assert "De lijst kan nu niet worden getoond." in texts(failed)  # not "no parties"
    assert inputs(failed)["name"] == "Bouwbedrijf Vos B.V."
    await click(bot, FATIMA, failed, "negotiations.add", typed)

    # The list does not answer while Sanne submits: the gift is not recorded as "not listed".
    form = await open_flow(bot, SANNE, "gift.open")
    sent = len(bot.connector.to(PIETER.conversation_id))  # his welcome
    flaky.failures[("get", "negotiations")] = 1
    refused = await click(bot, SANNE, form, "gift.submit", WINE)
    assert inputs(refused)["giverOrganisation"] == "Bouwbedrijf Vos"
    assert "Niet aannemen" not in texts(refused) and "Je mag dit" not in texts(refused)
    assert len(bot.connector.to(PIETER.conversation_id)) == sent  # nothing recorded
    again = await click(bot, SANNE, refused, "gift.submit", WINE)
    assert "Niet aannemen: weiger het of geef het terug" in texts(again)
    assert "Volgens de lijst van Inkoop" in facts(last_card(bot, PIETER))
