"""The registers for the integrity officer and HR, end to end over HTTP: requests made through
the real flows show up per register, filtered by year and department, and export to Excel and
CSV through the one-time link; nobody else can open or export them."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.domain.people import Role
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_request_flows import (
    INVITATION,
    SIDEJOB,
    SUPPLIER,
    TENANT_TIE,
    hr_advises,
)
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
from tests.support.flows import WINE, action, click, decision_verbs, inputs, open_flow, texts
from tests.support.leaks import services_of


@pytest.fixture
async def reg_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    bot = clocked_bot
    for user in (SANNE, PIETER, MARIEKE, FATIMA, JOOST, LOTTE):
        await bot.post(user.install(bot.service_url))
    return bot


async def submit(bot: BotUnderTest, user: TeamsUser, flow: str, fields: dict[str, str]) -> str:
    """Submit a form through the flow; the request's reference."""
    form = await open_flow(bot, user, f"{flow}.open")
    receipt = await click(bot, user, form, f"{flow}.submit", fields)
    [reference] = [
        word
        for word in texts(receipt).split()
        if word[:4] in ("CAD-", "UIT-", "NEV-", "LEV-", "HUU-")
    ]
    return reference


async def decide(bot: BotUnderTest, approver: TeamsUser, verb: str = "") -> None:
    """The approver decides the latest card they were sent: with `verb`, or the first button
    (going along with the code); "request.decline" means the last (the strictest)."""
    posted = [s for s in bot.connector.to(approver.conversation_id) if s.method == "POST"]
    card = posted[-1].card
    assert card is not None
    offered = decision_verbs(card)
    verb = {"": offered[0], "request.decline": offered[-1]}.get(verb, verb)
    await click(bot, approver, card, verb, {"comment": "Prima"}, "msg-1")


async def show(
    bot: BotUnderTest, user: TeamsUser, kind: str, year: str = "2026", department: str = "all"
) -> dict[str, Any]:
    menu = await open_flow(bot, user, "menu.open")
    chooser = await click(bot, user, menu, "register.open")
    return await click(
        bot, user, chooser, "register.show", {"kind": kind, "year": year, "department": department}
    )


async def download(bot: BotUnderTest, user: TeamsUser, card: dict[str, Any], fmt: str) -> Any:
    # Teams sends the card's inputs (the filters as shown) with the button's data.
    export = await click(bot, user, card, "register.export", {**inputs(card), "format": fmt})
    [link] = [a for a in export["actions"] if a["type"] == "Action.OpenUrl"]
    return await fetch_export(
        bot.session, str(bot.server.make_url("/exports/" + link["url"].rsplit("/", 1)[1]))
    )


def xlsx_rows(content: bytes) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    return [
        dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)
    ]


async def test_the_gift_register_filters_by_year_and_department_and_exports_dutch_files(
    reg_bot: BotUnderTest,
) -> None:
    bot = reg_bot
    wine = await submit(bot, SANNE, "gift", WINE)  # received 20-11-2026, Wonen
    await decide(bot, PIETER)
    old = await submit(bot, SANNE, "gift", {**WINE, "receivedOn": "2025-12-18"})
    flowers = await submit(
        bot,
        FATIMA,
        "gift",
        {**WINE, "description": "Bos bloemen", "value": "19,95", "receivedOn": "2026-03-02"},
    )

    card = await show(bot, LOTTE, "gift")
    shown = texts(card)
    assert "2 in dit register." in shown
    assert wine in shown and flowers in shown and old not in shown
    line = f"{wine} · Sanne de Vries (Wonen) · 20 november 2026 · €\u00a025,00"
    assert f"{line} · Mag het cadeau houden" in shown
    wonen = await show(bot, LOTTE, "gift", department="Wonen")
    assert wine in texts(wonen) and flowers not in texts(wonen)
    every_year = await show(bot, LOTTE, "gift", year="all", department="Wonen")
    assert "2 in dit register." in texts(every_year) and old in texts(every_year)

    response = await download(bot, LOTTE, card, "xlsx")
    assert response.status == 200
    assert "register-cadeaus-2026.xlsx" in response.headers["Content-Disposition"]
    content = await response.read()
    rows = xlsx_rows(content)
    assert [r["Kenmerk"] for r in rows] == [wine, flowers]  # newest first
    first = rows[0]
    assert list(first)[:4] == ["Kenmerk", "Afdeling", "Medewerker", "Ontvangen op"]
    assert first["Afdeling"] == "Wonen"
    assert first["Ontvangen op"] == datetime(2026, 11, 20)
    assert first["Waarde (€)"] == 25
    assert first["Oordeel volgens de code"] == "Houden"
    assert first["Status"] == "Akkoord"
    assert first["Beoordelaar"] == "Pieter Bakker"
    assert first["Toelichting besluit"] == "Prima"
    assert rows[1]["Waarde (€)"] == 19.95 and rows[1]["Afdeling"] == "Bedrijfsvoering"
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=4).number_format == "dd-mm-yyyy"
    value_column = [c.value for c in sheet[1]].index("Waarde (€)") + 1
    assert sheet.cell(row=2, column=value_column).number_format == '"€" #,##0.00'

    wonen_csv = await download(bot, LOTTE, wonen, "csv")
    assert "register-cadeaus-2026-wonen.csv" in wonen_csv.headers["Content-Disposition"]
    body = (await wonen_csv.read()).decode("utf-8")
    assert body.startswith("\ufeffKenmerk;Afdeling;Medewerker;Ontvangen op;")
    [header, row] = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Kenmerk"] == wine
    assert cells["Ontvangen op"] == "20-11-2026"
    assert cells["Waarde (€)"] == "25,00"
    assert cells["Ingediend op"] == "29-11-2026 11:00"
    assert (cells["Status"], cells["Besluit"]) == ("Akkoord", "Mag het cadeau houden")


async def test_each_register_holds_its_kind_and_exports_it(
    reg_bot: BotUnderTest,
) -> None:
    bot = reg_bot
    invitation = await submit(bot, SANNE, "invitation", INVITATION)
    current = await submit(bot, SANNE, "sidejob", SIDEJOB)
    await click(bot, PIETER, await hr_advises(bot), "request.approve", {}, "msg-1")
    pending = await submit(bot, SANNE, "sidejob", {**SIDEJOB, "role": "Voorzitter"})
    supplier = await submit(bot, SANNE, "supplier", SUPPLIER)
    tenant = await submit(bot, SANNE, "tenant", TENANT_TIE)

    expected: dict[str, tuple[str, dict[str, Any]]] = {
        "invitation": (
            invitation,
            {"Uitnodiger": "Bouwbedrijf Vos", "Waarde (€)": 80, "In onderhandeling": "Ja"},
        ),
        "sidejob": (
            current,
            {"Functie": "Penningmeester", "Uren per maand": 6, "Begonnen op": datetime(2026, 1, 1)},
        ),
        "supplier": (
            supplier,
            {"Bedrag (€)": 5000, "Prijs t.o.v. offertes": "Binnen de offertes"},
        ),
        "tenant": (tenant, {"Huurder": "Dorpsstraat 12", "Band": "Familielid", "Twijfel": "Ja"}),
    }
    for kind, (reference, cells) in expected.items():
        card = await show(bot, JOOST, kind)  # HR reads the registers too
        assert reference in texts(card), kind
        response = await download(bot, JOOST, card, "xlsx")
        [row] = xlsx_rows(await response.read())
        assert row["Kenmerk"] == reference
        for header, value in cells.items():
            assert row[header] == value, (kind, header)
    sidejobs = await show(bot, LOTTE, "sidejob")
    assert pending not in texts(sidejobs)  # not approved: not a current side job
    assert "1 in dit register." in texts(sidejobs)


async def test_only_the_integrity_officer_and_hr_can_open_or_export_a_register(
    reg_bot: BotUnderTest,
) -> None:
    bot = reg_bot
    await submit(bot, SANNE, "gift", WINE)
    lotte_card = await show(bot, LOTTE, "gift")
    for outsider in (SANNE, PIETER, FATIMA, MARIEKE):
        menu = await open_flow(bot, outsider, "menu.open")
        assert "register.open" not in [a["verb"] for a in _executes(menu)]
        for verb, data in (
            ("register.open", {}),
            ("register.show", {"kind": "gift", "year": "2026", "department": "all"}),
            ("register.export", {"kind": "gift", "year": "2026", "format": "xlsx"}),
        ):
            response = await bot.post(outsider.invoke(bot.service_url, verb, data))
            shown = texts((await response.json())["value"])
            assert "alleen voor de integriteitsfunctionaris en HR" in shown, (outsider, verb)
            assert "Fles wijn" not in shown
    # A link made while Lotte had the role gives nothing once the role is gone.
    export = await click(
        bot, LOTTE, lotte_card, "register.export", {**inputs(lotte_card), "format": "csv"}
    )
    [link] = [a for a in export["actions"] if a["type"] == "Action.OpenUrl"]
    services = services_of(bot)
    lotte = await services.directory.get_person(TENANT, LOTTE.aad_id)
    assert lotte is not None
    await services.directory.put_person(TENANT, replace(lotte, roles=frozenset({Role.SECRETARIAT})))
    url = str(bot.server.make_url("/exports/" + link["url"].rsplit("/", 1)[1]))
    refusal = await fetch_export(bot.session, url)  # the page opens; the download is refused
    assert refusal.status == 403
    assert "je rol is veranderd" in await refusal.text()
    refused = await click(bot, LOTTE, lotte_card, "register.show")
    assert "alleen voor de integriteitsfunctionaris en HR" in texts(refused)


async def test_an_unknown_register_kind_asks_to_choose_one(reg_bot: BotUnderTest) -> None:
    response = await reg_bot.post(
        LOTTE.invoke(reg_bot.service_url, "register.show", {"kind": "breaches"})
    )
    card = (await response.json())["value"]
    assert "Kies een van de registers." in texts(card)
    assert action(card, "register.show")


def _executes(card: dict[str, Any]) -> list[dict[str, Any]]:
    from tests.support.flows import actions

    return actions(card)
