"""The yearly integrity overview end to end: a small year of requests and data leaks made
through the real flows over HTTP, then the card's numbers and the exported files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_dataleak_flow import MAIL, alert_of, report
from tests.e2e.test_registers import decide, submit
from tests.e2e.test_request_flows import INVITATION, SIDEJOB, TENANT_TIE
from tests.support.activities import (
    FATIMA,
    JOOST,
    LOTTE,
    MARIEKE,
    PIETER,
    SANNE,
    TENANT,
    TeamsUser,
)
from tests.support.download import download as fetch_export
from tests.support.flows import WINE, click, inputs, objects, open_flow, texts
from tests.support.leaks import Clock

HENK = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000007", "Henk de Boer")  # chair of the RvC


@pytest.fixture
async def year_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    bot = clocked_bot
    for user in (SANNE, PIETER, MARIEKE, FATIMA, JOOST, LOTTE, HENK):
        await bot.post(user.install(bot.service_url))
    return bot


async def build_year(bot: BotUnderTest, clock: Clock) -> None:
    """2026: three gifts (keep, refuse, hand in), an invitation, a side job, a withdrawn tenant
    tie and two data leaks; one gift in 2025."""
    clock.now = datetime(2025, 12, 15, 10, tzinfo=UTC)
    await submit(bot, SANNE, "gift", {**WINE, "receivedOn": "2025-12-12"})

    clock.now = datetime(2026, 2, 10, 9, tzinfo=UTC)
    await submit(bot, SANNE, "gift", {**WINE, "receivedOn": "2026-02-09"})
    clock.advance(hours=3)
    await decide(bot, PIETER, "request.decline")  # 3 hours: stricter than the code

    clock.now = datetime(2026, 5, 4, 8, tzinfo=UTC)
    await submit(
        bot, SANNE, "gift", {**WINE, "kind": "money", "value": "20", "receivedOn": "2026-05-03"}
    )
    clock.advance(hours=24)
    await decide(bot, PIETER)  # 24 hours: the only choice, "give it back"

    clock.now = datetime(2026, 5, 20, 10, tzinfo=UTC)
    await submit(bot, SANNE, "gift", {**WINE, "value": "1.250,00", "receivedOn": "2026-05-19"})

    clock.now = datetime(2026, 8, 3, 10, tzinfo=UTC)
    await submit(bot, SANNE, "invitation", INVITATION)
    clock.advance(hours=6)
    await decide(bot, PIETER)  # 6 hours

    clock.now = datetime(2026, 11, 2, 10, tzinfo=UTC)
    await submit(bot, SANNE, "sidejob", SIDEJOB)
    tie = await submit(bot, SANNE, "tenant", TENANT_TIE)
    clock.advance(hours=1)
    withdrawn = await bot.post(
        SANNE.invoke(
            bot.service_url, "request.withdraw", {"requestId": tie, "requesterId": SANNE.aad_id}
        )
    )
    assert "Ingetrokken" in texts((await withdrawn.json())["value"])

    # Leak 1: discovered 20 Nov, told to the AP on 29 Nov (late); leak 2: decided in 3 hours.
    clock.now = datetime(2026, 11, 29, 10, tzinfo=UTC)
    await report(bot, {**MAIL, "discoveredDate": "2026-11-20", "occurredDate": "2026-11-20"})
    late = alert_of(bot, FATIMA)
    await click(bot, FATIMA, late, "dataleak.ap_yes", {"reason": "Pas later duidelijk"})
    await report(bot, {**MAIL, "discoveredTime": "10:30"})
    clock.advance(hours=3)
    await click(bot, FATIMA, alert_of(bot, FATIMA), "dataleak.ap_no", {"reason": "Geen risico"})


async def download(bot: BotUnderTest, user: Any, card: dict[str, Any], fmt: str) -> Any:
    export = await click(bot, user, card, "overview.export", {**inputs(card), "format": fmt})
    [link] = [a for a in export["actions"] if a["type"] == "Action.OpenUrl"]
    url = str(bot.server.make_url("/exports/" + link["url"].rsplit("/", 1)[1]))
    response = await fetch_export(bot.session, url)
    assert response.status == 200
    return response


def facts(card: dict[str, Any]) -> dict[str, str]:
    """Every FactSet row on the card, title -> value (the last one wins)."""
    return {
        f["title"]: f["value"]
        for o in objects(card)
        if o.get("type") == "FactSet"
        for f in o["facts"]
    }


async def test_the_yearly_overview_counts_a_year_built_through_the_flows(
    year_bot: BotUnderTest, clock: Clock
) -> None:
    bot = year_bot
    await build_year(bot, clock)
    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)

    menu = await open_flow(bot, MARIEKE, "menu.open")
    assert "Integriteitsoverzicht per jaar" in texts(menu)
    card = await click(bot, MARIEKE, menu, "overview.open")
    assert "Integriteitsoverzicht 2026" in texts(card)
    shown = facts(card)
    assert shown["Cadeaus"] == "3 · waarde €\u00a01.295,00"
    assert shown["Uitnodigingen"] == "1 · waarde €\u00a080,00"
    assert shown["Nevenfuncties"] == "1"
    assert shown["Banden met huurders"] == "1"
    assert shown["Totaal"] == "6 · waarde €\u00a01.375,00"
    assert (shown["Akkoord"], shown["Niet akkoord"]) == ("2", "1")
    assert (shown["In behandeling"], shown["Ingetrokken"]) == ("2", "1")
    assert shown["Tijd tot besluit"] == "mediaan 6,0 uur · gemiddeld 11,0 uur"  # 3, 6, 24
    assert shown["Tijd tot besluit: Cadeaus"] == "mediaan 13,5 uur · gemiddeld 13,5 uur"
    assert (shown["Houden"], shown["Inleveren"], shown["Niet aannemen"]) == ("1", "1", "1")
    assert shown["Niet aannemen: geld"] == "1"
    assert shown["Gemelde datalekken"] == "2"
    assert shown["AP-besluit binnen 72 uur na ontdekken"] == "1 van 2 (50,0%)"
    assert shown["Gemeld bij de Autoriteit Persoonsgegevens"] == "1"
    [image] = [n for n in card["body"] if n.get("type") == "Image"]
    assert image["url"].startswith("data:image/png;base64,")
    assert [c["value"] for c in inputs_choices(card, "year")] == ["2026", "2025"]

    earlier = await click(bot, HENK, card, "overview.open", {"year": "2025"})  # the RvC chair
    assert facts(earlier)["Cadeaus"] == "1 · waarde €\u00a025,00"
    assert facts(earlier)["Gemelde datalekken"] == "0"

    response = await download(bot, MARIEKE, card, "xlsx")
    assert "integriteitsoverzicht-2026.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == [
        "Meldingen",
        "Besluiten",
        "Oordelen cadeaus",
        "Weigeringen",
        "Datalekken",
        "Aanhangwagen",
        "Overtredingen",
        "Per kwartaal",
    ]
    declarations = rows(book["Meldingen"])
    assert declarations["Cadeaus"] == {"Aantal": 3, "Waarde (€)": 1295}
    assert declarations["Totaal"] == {"Aantal": 6, "Waarde (€)": 1375}
    assert book["Meldingen"].cell(row=2, column=3).number_format == '"€" #,##0.00'
    decisions = rows(book["Besluiten"])
    assert decisions["Totaal"]["Mediaan uren tot besluit"] == 6.0
    assert decisions["Totaal"]["Gemiddelde uren tot besluit"] == 11.0
    assert decisions["Banden met huurders"]["Ingetrokken"] == 1
    assert rows(book["Datalekken"])["Aandeel AP-besluit binnen 72 uur (%)"] == {"Waarde": 50}
    quarters = rows(book["Per kwartaal"])
    assert quarters["Cadeaus"] == {"K1": 1, "K2": 2, "K3": 0, "K4": 0}
    assert quarters["Uitnodigingen"] == {"K1": 0, "K2": 0, "K3": 1, "K4": 0}
    assert len(book["Per kwartaal"]._images) == 1  # the chart

    response = await download(bot, LOTTE, card, "csv")  # the integrity officer too
    body = (await response.read()).decode("utf-8")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == ["Onderwerp", "Regel", "Cijfer", "Waarde"]
    assert ["Meldingen", "Cadeaus", "Waarde (€)", "1295,00"] in lines
    assert ["Besluiten", "Totaal", "Gemiddelde uren tot besluit", "11,0"] in lines
    assert ["Datalekken", "Aandeel AP-besluit binnen 72 uur (%)", "Waarde", "50,0"] in lines


async def test_only_the_director_the_rvc_chair_and_the_integrity_officer_see_the_overview(
    year_bot: BotUnderTest,
) -> None:
    bot = year_bot
    for outsider in (SANNE, PIETER, FATIMA, JOOST):
        menu = await open_flow(bot, outsider, "menu.open")
        assert "Integriteitsoverzicht" not in texts(menu)
        for verb in ("overview.open", "overview.export"):
            response = await bot.post(outsider.invoke(bot.service_url, verb, {"format": "csv"}))
            shown = texts((await response.json())["value"])
            assert "alleen voor de directeur-bestuurder" in shown, (outsider, verb)
    for insider in (MARIEKE, HENK, LOTTE):
        response = await bot.post(insider.invoke(bot.service_url, "overview.open"))
        assert "Integriteitsoverzicht" in texts((await response.json())["value"])


async def test_trailer_bookings_and_violations_are_counted_as_numbers_only(
    year_bot: BotUnderTest, clock: Clock
) -> None:
    """The trailer's bookings (by the year of the day booked) and the confidential violations
    register (by the year recorded) are on the overview, card and files, as counts: no name,
    no fact of a case. The trailer's counts outlive the bookings' own retention."""
    from bot.app import SERVICES
    from bot.services.retention import run_retention
    from tests.e2e.test_property_and_trailer import book, desk
    from tests.e2e.test_violations import WHAT, record

    bot = year_bot
    clock.now = datetime(2026, 11, 30, 9, tzinfo=UTC)
    await book(bot, SANNE, "2026-12-12", "day")
    await book(bot, JOOST, "2026-12-19", "morning")
    await desk(bot, "2026-12-12", "morning", "Mevr. Jansen, Dorpsstraat 1")  # Sanne's goes
    await desk(bot, "2026-12-22", "afternoon", "Dhr. Bos")
    await book(bot, SANNE, "2027-01-05", "afternoon")  # another year
    reference = await record(bot)  # Pieter records a case about Sanne
    case = await click(
        bot, MARIEKE, await open_flow(bot, MARIEKE, "violation.register"), "violation.view"
    )
    await click(bot, MARIEKE, case, "violation.decide", {"measure": "warning", "message": ""})

    async def shown(year: str) -> tuple[dict[str, str], str]:
        menu = await open_flow(bot, MARIEKE, "menu.open")
        card = await click(bot, MARIEKE, menu, "overview.open", {"year": year})
        return facts(card), texts(card)

    figures, everything = await shown("2026")
    assert figures["Reserveringen van medewerkers"] == "2"
    assert figures["Daarvan vervallen omdat een huurder voorging"] == "1"
    assert figures["Boekingen van huurders"] == "2"
    assert figures["Vastgelegde vermoedelijke overtredingen"] == "1"
    assert figures["Waarover de directeur-bestuurder besliste"] == "1"
    assert figures["Besluit: waarschuwing"] == "1"
    assert figures["Besluit: beëindiging van het dienstverband"] == "0"
    for secret in (WHAT, reference, "Sanne", "Jansen", "Joost", "Pieter"):
        assert secret not in everything
    menu = await open_flow(bot, MARIEKE, "menu.open")
    card = await click(bot, MARIEKE, menu, "overview.open", {"year": "2026"})
    response = await download(bot, MARIEKE, card, "csv")
    body = (await response.read()).decode("utf-8")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert ["Aanhangwagen", "Reserveringen van medewerkers", "Aantal", "2"] in lines
    assert ["Overtredingen", "Besluit: waarschuwing", "Aantal", "1"] in lines
    for secret in (WHAT, reference, "Sanne", "Jansen"):
        assert secret not in body
    book_ = load_workbook(io.BytesIO(await (await download(bot, MARIEKE, card, "xlsx")).read()))
    assert rows(book_["Overtredingen"])["Vastgelegde vermoedelijke overtredingen"] == {"Aantal": 1}
    assert rows(book_["Aanhangwagen"])["Boekingen van huurders"] == {"Aantal": 2}

    # Retention removes 2026's bookings 90 days after their day; the year's counts stay.
    services = bot.server.app[SERVICES]
    clock.now = datetime(2027, 4, 1, 3, tzinfo=UTC)
    assert await run_retention(services) == 4  # Sanne's (cancelled), Joost's, two tenants'
    for day in (12, 19, 22):
        assert await services.trailer.on_day(TENANT, date(2026, 12, day)) == []
    figures, _ = await shown("2026")
    assert figures["Reserveringen van medewerkers"] == "2"
    assert figures["Daarvan vervallen omdat een huurder voorging"] == "1"
    assert figures["Boekingen van huurders"] == "2"
    figures, _ = await shown("2027")
    assert figures["Reserveringen van medewerkers"] == "1"
    assert figures["Vastgelegde vermoedelijke overtredingen"] == "0"


def rows(sheet: Any) -> dict[str, dict[str, Any]]:
    header = [c.value for c in sheet[1]]
    return {
        str(r[0].value): {h: c.value for h, c in zip(header[1:], r[1:], strict=True)}
        for r in sheet.iter_rows(min_row=2)
    }


def inputs_choices(card: dict[str, Any], input_id: str) -> list[dict[str, str]]:
    return [c for o in objects(card) if o.get("id") == input_id for c in o["choices"]]
