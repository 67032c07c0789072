"""Reporting a data leak end to end: employee -> privacy office (and deputy) -> decisions ->
breach register, over HTTP as Teams sends it, against a real Azurite."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from aiohttp import ClientSession
from openpyxl import load_workbook

from bot.app import background_jobs
from bot.domain.breaches import Breach, BreachStatus, Delivery
from bot.services.jobs import run_pass
from bot.settings import Settings
from bot.storage.tables import AzureTableStore
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import FATIMA, LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.connector import MockConnector
from tests.support.download import download, open_page
from tests.support.flows import action, click, inputs, open_flow, texts
from tests.support.leaks import Clock, FlakyStore, services_of, start_bot

JOOST = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000005", "Joost Visser")  # privacy deputy

MAIL = {
    "description": "Mail met huurachterstanden van 12 huurders naar de verkeerde aannemer gestuurd",
    "occurredDate": "2026-11-29",
    "occurredTime": "09:15",
    "discoveredDate": "2026-11-29",
    "discoveredTime": "10:30",
    "ongoing": "no",
    "kind": "wrong_recipient",
    "dataKinds": "name_address,financial",
    "people": "11-100",
    "encrypted": "no",
    "measures": "Aannemer gebeld en gevraagd de mail te verwijderen",
}


@pytest.fixture
async def leak_bot(clocked_bot: BotUnderTest) -> BotUnderTest:
    return clocked_bot


async def install(bot: BotUnderTest, *users: TeamsUser) -> None:
    for user in users:
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()


async def report(bot: BotUnderTest, fields: dict[str, str], user: TeamsUser = SANNE) -> Any:
    form = await open_flow(bot, user, "dataleak.open")
    return await click(bot, user, form, "dataleak.submit", fields)


async def only_breach(bot: BotUnderTest) -> Breach:
    services = services_of(bot)
    [summary] = await services.breaches.register(TENANT)
    stored = await services.breaches.get(TENANT, summary.id)
    assert stored is not None
    return stored.breach


def alert_of(bot: BotUnderTest, user: TeamsUser) -> dict[str, Any]:
    posted = [s for s in bot.connector.to(user.conversation_id) if s.method == "POST"]
    assert posted, f"{user.name} got nothing"
    card = posted[-1].card
    assert card is not None
    return card


async def test_report_reaches_privacy_office_not_the_manager_and_decisions_reach_the_register(
    leak_bot: BotUnderTest, clock: Clock
) -> None:
    bot = leak_bot
    await install(bot, SANNE, PIETER, FATIMA, JOOST)
    receipt = await report(bot, MAIL)
    shown = texts(receipt)
    assert "Je melding is binnen" in shown
    assert "LEK-" in shown
    assert "Je leidinggevende krijgt geen bericht" in shown
    assert bot.connector.to(PIETER.conversation_id) == []  # the manager is not told

    breach = await only_breach(bot)
    assert breach.delivery is Delivery.DELIVERED
    assert set(breach.alerts) == {FATIMA.aad_id, JOOST.aad_id}
    for user in (FATIMA, JOOST):
        card = alert_of(bot, user)
        assert "Mail met huurachterstanden" in texts(card)
        assert "Sanne de Vries" in texts(card)
        # Discovered 10:30 Amsterdam on 29 Nov (CET): the AP deadline is 2 Dec 10:30; now 11:00.
        assert "Melden bij de AP uiterlijk 2 december 2026 om 10:30 (nog 2 d 23 u)" in texts(card)

    card = alert_of(bot, FATIMA)
    fatima_msg = breach.alerts[FATIMA.aad_id][0]
    joost_msg = breach.alerts[JOOST.aad_id][0]
    bot.connector.sent.clear()

    clock.advance(minutes=20)
    seen = await click(bot, FATIMA, card, "dataleak.acknowledge", {}, fatima_msg)
    assert "Ontvangen door Fatima el Amrani op 29 november 2026 om 11:20" in texts(seen)
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert [(u.conversation_id, u.activity_id) for u in updates] == [
        (JOOST.conversation_id, joost_msg)
    ]
    assert updates[0].activity["attachments"][0]["content"] is not None

    # "No" to the AP needs a reason: the same card comes back, the error named.
    refused = await click(bot, FATIMA, seen, "dataleak.ap_no", {"reason": ""}, fatima_msg)
    assert "Schrijf bij 'nee' een toelichting" in texts(refused)
    assert (await only_breach(bot)).ap is None

    clock.advance(hours=3)
    reason = "Aannemer heeft verwijdering schriftelijk bevestigd; geen risico"
    decided = await click(bot, FATIMA, seen, "dataleak.ap_no", {"reason": reason}, fatima_msg)
    assert "Melden bij de AP: nee (Fatima el Amrani, 29 november 2026 om 14:20)" in texts(decided)
    assert "uiterlijk" not in texts(decided)  # the clock stopped
    subjects = await click(
        bot, FATIMA, decided, "dataleak.subjects_no", {"reason": "Geen hoog risico"}, fatima_msg
    )
    closed = await click(bot, FATIMA, subjects, "dataleak.close", {}, fatima_msg)
    assert "Afgesloten door Fatima el Amrani" in texts(closed)
    assert "dataleak.ap_yes" not in str(closed)
    joost_views = [s for s in bot.connector.to(JOOST.conversation_id) if s.method == "PUT"]
    assert joost_views[-1].card is not None
    assert "Afgesloten door Fatima el Amrani" in texts(joost_views[-1].card)

    stored = await only_breach(bot)
    assert stored.status is BreachStatus.CLOSED
    assert [(e.actor_id, e.action) for e in stored.audit if e.actor_id != "system"] == [
        (SANNE.aad_id, "reported"),
        (FATIMA.aad_id, "acknowledge"),
        (FATIMA.aad_id, "ap_no"),
        (FATIMA.aad_id, "subjects_no"),
        (FATIMA.aad_id, "close"),
    ]
    assert [e.action for e in stored.audit if e.actor_id == "system"] == ["alerted", "alerted"]

    # The register, and its Excel export fetched through the one-time link.
    menu = await open_flow(bot, FATIMA, "menu.open")
    assert "Register datalekken" in texts(menu)
    register = await click(bot, FATIMA, menu, "dataleak.register")
    assert stored.id in texts(register)
    assert "afgesloten · AP: niet gemeld" in texts(register)
    export = await click(
        bot, FATIMA, register, "dataleak.export", {"format": "xlsx", "year": "2026"}
    )
    url = _local(bot, _download_url(export))
    response = await download(bot.session, url)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "register-datalekken-2026.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert header[:5] == ["Kenmerk", "Gemeld op", "Gemeld door", "Gebeurd op", "Ontdekt op"]
    assert row["Kenmerk"] == stored.id
    assert row["Ontdekt op"] == datetime(2026, 11, 29, 10, 30)
    assert row["Uiterste meldtermijn AP"] == datetime(2026, 12, 2, 10, 30)
    assert row["Gemeld bij AP"] == "Nee"
    assert row["Toelichting AP-besluit"] == reason
    assert row["AP-besluit op"] == datetime(2026, 11, 29, 14, 20)
    assert row["Uren tot AP-besluit"] == 3.8
    assert row["Betrokkenen geïnformeerd"] == "Nee"
    assert row["Soorten persoonsgegevens"] == "Naam en adres, Financiële gegevens"
    assert row["Afgesloten door"] == "Fatima el Amrani"
    column = header.index("Ontdekt op") + 1
    assert sheet.cell(row=2, column=column).number_format == "dd-mm-yyyy hh:mm"
    # The link works once.
    again = await open_page(bot.session, url)
    assert again.status == 410
    assert "al gebruikt" in await again.text()
    assert (await bot.session.post(url)).status == 410


def _download_url(card: dict[str, Any]) -> str:
    [link] = [a for a in card["actions"] if a["type"] == "Action.OpenUrl"]
    return str(link["url"])


def _local(bot: BotUnderTest, url: str) -> str:
    """The link names the configured public address; the test server runs on its own port."""
    return str(bot.server.make_url("/exports/" + url.rsplit("/", 1)[1]))


async def test_the_csv_export_is_dutch_excel_csv(leak_bot: BotUnderTest, clock: Clock) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA)
    await report(bot, {**MAIL, "description": '=HYPERLINK("http://x";"klik")'})
    register = await click(
        bot, FATIMA, await open_flow(bot, FATIMA, "menu.open"), "dataleak.register"
    )
    export = await click(bot, FATIMA, register, "dataleak.export", {"format": "csv"})
    response = await download(bot.session, _local(bot, _download_url(export)))
    body = (await response.read()).decode("utf-8")
    assert body.startswith("\ufeffKenmerk;Gemeld op;Gemeld door;")
    [header, row] = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Ontdekt op"] == "29-11-2026 10:30"
    assert cells["Omschrijving"].startswith("'=HYPERLINK")  # never run as a formula
    # A link not used within its lifetime no longer works.
    stale = await click(bot, FATIMA, register, "dataleak.export", {"format": "csv"})
    clock.advance(minutes=16)
    expired = await open_page(bot.session, _local(bot, _download_url(stale)))
    assert expired.status == 410
    assert "verlopen" in await expired.text()
    assert (await bot.session.post(_local(bot, _download_url(stale)))).status == 410


async def test_the_deputy_gets_it_when_the_officer_is_unreachable_and_both_are_audited(
    leak_bot: BotUnderTest,
) -> None:
    bot = leak_bot
    await install(bot, SANNE, JOOST, LOTTE)  # Fatima never opened the bot
    await report(bot, MAIL)
    breach = await only_breach(bot)
    assert breach.delivery is Delivery.DELIVERED
    assert set(breach.alerts) == {JOOST.aad_id}
    assert bot.connector.to(LOTTE.conversation_id) == []
    assert [(e.action, e.detail) for e in breach.audit if e.actor_id == "system"] == [
        ("undelivered", f"{FATIMA.aad_id}: NoConversationReference"),
        ("alerted", JOOST.aad_id),
    ]


async def test_when_the_privacy_office_is_unreachable_the_integrity_officer_is_told(
    leak_bot: BotUnderTest, clock: Clock
) -> None:
    bot = leak_bot
    await install(bot, SANNE, LOTTE)
    receipt = await report(bot, MAIL)
    assert "LEK-" in texts(receipt)
    card = alert_of(bot, LOTTE)
    assert "kon niet bij de privacy officer" in texts(card)
    assert "dataleak.ap_yes" not in str(card)  # Lotte cannot decide
    breach = await only_breach(bot)
    assert breach.delivery is Delivery.REROUTED
    assert [e.action for e in breach.audit if e.actor_id == "system"] == [
        "undelivered",
        "undelivered",
        "rerouted",
    ]
    # Once Fatima opens the bot, the redelivery job gets it to her (and not again to Lotte).
    await install(bot, FATIMA)
    clock.advance(minutes=5)
    assert (await run_pass(background_jobs(services_of(bot))))["dataleak.redeliver"] == 1
    assert len(bot.connector.to(FATIMA.conversation_id)) == 1
    assert bot.connector.to(LOTTE.conversation_id) == []
    assert (await only_breach(bot)).delivery is Delivery.DELIVERED


async def test_an_alert_is_retried_after_a_503_from_teams(leak_bot: BotUnderTest) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA)
    bot.connector.fail_next(503)
    await report(bot, MAIL)
    assert len(bot.connector.to(FATIMA.conversation_id)) == 1
    assert (await only_breach(bot)).delivery is Delivery.DELIVERED


async def test_an_alert_is_retried_by_the_job_after_a_storage_error(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    store: AzureTableStore,
) -> None:
    flaky = FlakyStore(store)
    bot = await start_bot(settings, connector, aiohttp_server, session, clock, flaky)  # type: ignore[arg-type]
    await install(bot, SANNE, FATIMA)
    # The report is written; then storage fails while looking up where to send the alert.
    # (Fatima's reference is in this process's cache since she installed the app; forgotten
    # here, so the lookup goes to storage, as it does on an instance that has not seen her.)
    services_of(bot).conversations.forget(TENANT, FATIMA.aad_id)
    flaky.failures[("get", "conversations")] = 1
    receipt = await report(bot, MAIL)
    assert "Je melding is binnen" in texts(receipt)
    assert bot.connector.to(FATIMA.conversation_id) == []
    assert (await only_breach(bot)).delivery is Delivery.PENDING

    jobs = background_jobs(services_of(bot))
    assert (await run_pass(jobs))["dataleak.redeliver"] == 0  # the submitter's claim is fresh
    clock.advance(minutes=3)
    assert (await run_pass(jobs))["dataleak.redeliver"] == 1
    assert len(bot.connector.to(FATIMA.conversation_id)) == 1
    assert (await run_pass(jobs))["dataleak.redeliver"] == 0
    assert (await only_breach(bot)).delivery is Delivery.DELIVERED


async def test_storage_down_at_submission_keeps_what_was_typed(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    store: AzureTableStore,
) -> None:
    flaky = FlakyStore(store)
    bot = await start_bot(settings, connector, aiohttp_server, session, clock, flaky)  # type: ignore[arg-type]
    await install(bot, SANNE, FATIMA)
    flaky.failures[("get", "breaches")] = -1
    again = await report(bot, MAIL)
    assert "opslag even niet bereikbaar" in texts(again)
    assert inputs(again)["description"] == MAIL["description"]
    assert inputs(again)["dataKinds"] == MAIL["dataKinds"]
    assert bot.connector.to(FATIMA.conversation_id) == []


async def test_outsiders_cannot_read_the_register_or_act_on_a_report(
    leak_bot: BotUnderTest,
) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA, LOTTE, PIETER)
    await report(bot, MAIL)
    card = alert_of(bot, FATIMA)
    for outsider in (SANNE, LOTTE, PIETER):
        for verb in ("dataleak.ap_yes", "dataleak.acknowledge", "dataleak.close"):
            refused = await click(bot, outsider, card, verb, {"reason": "vervalst"})
            assert "alleen voor de privacy officer" in texts(refused)
            assert "Mail met huurachterstanden" not in texts(refused)
        for verb, data in (
            ("dataleak.register", {}),
            ("dataleak.export", {"format": "xlsx"}),
            ("dataleak.view", {"breachId": (await only_breach(bot)).id}),
        ):
            response = await bot.post(outsider.invoke(bot.service_url, verb, data))
            shown = texts((await response.json())["value"])
            assert "alleen voor de privacy officer" in shown
        menu = await open_flow(bot, outsider, "menu.open")
        assert "Register datalekken" not in texts(menu)
    breach = await only_breach(bot)
    assert breach.acknowledged is None and breach.ap is None
    assert [e.action for e in breach.audit if e.actor_id != "system"] == ["reported"]


async def test_the_reporter_adds_information_and_the_office_cards_follow(
    leak_bot: BotUnderTest,
) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA, JOOST)
    receipt = await report(bot, MAIL)
    bot.connector.sent.clear()
    empty = await click(bot, SANNE, receipt, "dataleak.add", {"addition": "  "})
    assert "Schrijf eerst wat je wilt toevoegen" in texts(empty)
    added = await click(
        bot, SANNE, receipt, "dataleak.add", {"addition": "Aannemer bevestigt verwijdering"}
    )
    assert "Je aanvulling is toegevoegd" in texts(added)
    assert "Aannemer bevestigt verwijdering" in texts(added)
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert {u.conversation_id for u in updates} == {FATIMA.conversation_id, JOOST.conversation_id}
    assert all("Aannemer bevestigt verwijdering" in texts(u.card or {}) for u in updates)
    # Nobody else can add to Sanne's report.
    other = await click(bot, PIETER, receipt, "dataleak.add", {"addition": "ik ook"})
    assert "Alleen wie de melding deed" in texts(other)
    assert [a.text for a in (await only_breach(bot)).additions] == [
        "Aannemer bevestigt verwijdering"
    ]


async def test_the_same_form_sent_twice_is_one_report(leak_bot: BotUnderTest) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA)
    form = await open_flow(bot, SANNE, "dataleak.open")
    first, second = await asyncio.gather(
        click(bot, SANNE, form, "dataleak.submit", MAIL),
        click(bot, SANNE, form, "dataleak.submit", MAIL),
    )
    reference = (await only_breach(bot)).id
    assert reference in texts(first) and reference in texts(second)
    assert len(bot.connector.to(FATIMA.conversation_id)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"description": "   "}, "description", "Dit is verplicht"),
        (
            {"discoveredDate": "2026-11-28", "discoveredTime": "08:00"},
            "discoveredDate",
            "niet ontdekt hebben vóórdat het gebeurde",
        ),
        ({"occurredDate": "2026-12-24"}, "occurredDate", "ligt in de toekomst"),
        ({"discoveredTime": "11:30"}, "discoveredDate", "ligt in de toekomst"),
        ({"discoveredTime": "half elf"}, "discoveredTime", "geen geldige tijd"),
        ({"ongoing": "misschien"}, "ongoing", "Kies een van de mogelijkheden"),
    ],
)
async def test_bad_input_returns_the_form_with_values_kept_and_the_error_named(
    leak_bot: BotUnderTest, changes: dict[str, str], field: str, message: str
) -> None:
    bot = leak_bot
    await install(bot, SANNE, FATIMA)
    fields = {**MAIL, **changes}
    again = await report(bot, fields)
    assert message in texts(again)
    shown = inputs(again)
    for key in ("description", "occurredDate", "discoveredTime", "dataKinds", "measures"):
        assert shown[key] == fields[key]
    assert _error_after(again, field) is not None
    assert await services_of(bot).breaches.register(TENANT) == []
    assert bot.connector.to(FATIMA.conversation_id) == []


def _error_after(card: dict[str, Any], field_id: str) -> str | None:
    """The error text shown right under input `field_id`."""
    for container in card["body"]:
        items = container.get("items") or []
        ids = [i.get("id") for i in items]
        if field_id in ids:
            after = items[ids.index(field_id) + 1 :]
            if after and after[0].get("type") == "TextBlock" and after[0].get("color"):
                return str(after[0]["text"])
    return None


@pytest.mark.parametrize(
    "typed", ["ik heb een mail naar de verkeerde persoon gestuurd", "laptop gestolen"]
)
async def test_free_text_about_a_leak_opens_the_form(leak_bot: BotUnderTest, typed: str) -> None:
    bot = leak_bot
    await install(bot, SANNE)
    await bot.post(SANNE.message(bot.service_url, typed))
    [reply] = bot.connector.to(SANNE.conversation_id)
    assert reply.card is not None
    assert "Datalek melden" in texts(reply.card)
    assert action(reply.card, "dataleak.submit")


async def test_closed_reports_leave_the_breach_register_after_their_own_retention_period(
    leak_bot: BotUnderTest, clock: Clock
) -> None:
    from dataclasses import replace as with_clock
    from datetime import timedelta

    from bot.services.retention import retention_policies, run_retention
    from bot.storage.removals import RemovalLog

    bot = leak_bot
    await install(bot, SANNE, FATIMA, JOOST)
    await report(bot, MAIL)
    closed = await only_breach(bot)
    card = alert_of(bot, FATIMA)
    message = closed.alerts[FATIMA.aad_id][0]
    reason = {"reason": "Geen risico"}
    card = await click(bot, FATIMA, card, "dataleak.ap_no", reason, message)
    card = await click(bot, FATIMA, card, "dataleak.subjects_no", reason, message)
    await click(bot, FATIMA, card, "dataleak.close", {}, message)
    await report(bot, {**MAIL, "description": "Laptop gestolen uit de auto"})  # stays open

    services = services_of(bot)
    days = services.settings.retention_breaches_days
    assert ("breaches", days) in [(p.name, p.days) for p in retention_policies(services.settings)]
    almost = with_clock(services, clock=lambda: clock.now + timedelta(days=days - 1))
    assert await run_retention(almost) == 0
    later = with_clock(services, clock=lambda: clock.now + timedelta(days=days + 1))
    assert await run_retention(later) == 1

    [left] = await services.breaches.register(TENANT)
    assert left.id != closed.id  # the open report is never removed
    assert await services.breaches.get(TENANT, closed.id) is None
    trail = await services.store.query("breaches", TENANT, f"t|{closed.id}|", f"t|{closed.id}}}")
    assert trail == []
    [removal] = await RemovalLog(services.store).for_tenant(TENANT)
    assert (removal.record_id, removal.kind, removal.policy) == (closed.id, "breach", "breaches")
