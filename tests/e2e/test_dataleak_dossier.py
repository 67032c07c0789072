"""The privacy officer's dossier end to end over HTTP (real Azurite, the loopback connector):
an honest receipt with the privacy office reachable and unreachable, the reporter told when a
retry delivers, "mijn meldingen" with status only, questions answered by the reporter, the
guided risk assessment, the AP notification, the art. 34 letter and the PDF dossier."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from pypdf import PdfReader

from bot.app import background_jobs
from bot.domain.breaches import Delivery, Risk
from bot.services.breaches import redeliver_alerts, tell_reporters
from bot.services.jobs import run_pass
from dialogs.dataleak import PRESENTER
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_dataleak_flow import (
    JOOST,
    MAIL,
    _download_url,
    _local,
    alert_of,
    install,
    only_breach,
    report,
)
from tests.support.activities import FATIMA, LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.download import download
from tests.support.flows import click, inputs, objects, open_flow, texts
from tests.support.leaks import Clock, services_of


def call_links(card: dict[str, Any]) -> list[str]:
    return [
        str(o["url"])
        for o in objects(card)
        if o.get("type") == "Action.OpenUrl" and str(o.get("url", "")).startswith("tel:")
    ]


def posted_to(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.method == "POST" and s.card]


async def test_the_receipt_names_the_privacy_officer_who_has_it(clocked_bot: BotUnderTest) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA, JOOST)
    receipt = await report(bot, MAIL)
    assert "bezorgd bij de privacy officer (Fatima el Amrani)" in texts(receipt)
    assert "Status: ontvangen" in texts(receipt)
    assert call_links(receipt) == []
    assert (await only_breach(bot)).reporter_told


async def test_the_receipt_names_the_deputy_when_only_the_deputy_has_it(
    clocked_bot: BotUnderTest,
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, JOOST)  # Fatima never opened the bot
    receipt = await report(bot, MAIL)
    assert "bezorgd bij de vervanger (Joost Visser)" in texts(receipt)
    assert "bij de privacy officer (Fatima" not in texts(receipt)


async def test_unreachable_privacy_office_the_receipt_says_so_whom_to_call_and_later_tells(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA, JOOST)
    bot.connector.fail_next(403, times=2)  # both have blocked the bot; the fallback never opened it
    receipt = await report(bot, MAIL)
    shown = texts(receipt)
    assert "nog niet bij de privacy officer aangekomen" in shown
    assert "De bot blijft het proberen en laat je weten wanneer het gelukt is" in shown
    assert "Bel nu Fatima el Amrani (privacy officer) (+31 20 555 0140)" in shown
    assert call_links(receipt) == ["tel:+31205550140"]  # tappable, from the directory
    assert "bezorgd bij de privacy officer" not in shown
    breach = await only_breach(bot)
    assert breach.delivery is Delivery.UNDELIVERED and not breach.reporter_told

    # A later pass of the redelivery job reaches the office; the reporter is told, once.
    bot.connector.sent.clear()
    clock.advance(minutes=5)
    jobs = background_jobs(services_of(bot))
    counts = await run_pass(jobs)
    assert (counts["dataleak.redeliver"], counts["dataleak.tell_reporters"]) == (1, 1)
    assert (await only_breach(bot)).delivery is Delivery.DELIVERED
    [told] = posted_to(bot, SANNE)
    assert f"Je melding {breach.id} is nu bezorgd bij de privacy officer (Fatima el Amrani)" in (
        texts(told)
    )
    assert (await run_pass(jobs))["dataleak.tell_reporters"] == 0
    assert len(posted_to(bot, SANNE)) == 1
    assert (await only_breach(bot)).reporter_told


async def test_the_reporter_is_told_later_even_when_that_message_fails_once(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    bot = clocked_bot
    await install(bot, SANNE)  # nobody in the privacy office has opened the bot yet
    receipt = await report(bot, MAIL)
    assert "nog niet bij de privacy officer aangekomen" in texts(receipt)
    await install(bot, FATIMA)
    clock.advance(minutes=5)
    services = services_of(bot)
    assert await redeliver_alerts(services, PRESENTER) == 1
    bot.connector.fail_next(403)  # Sanne cannot be reached at this moment
    assert await tell_reporters(services, PRESENTER) == 0
    assert not (await only_breach(bot)).reporter_told  # given back: tried again next pass
    assert posted_to(bot, SANNE) == []
    assert await tell_reporters(services, PRESENTER) == 1
    [told] = posted_to(bot, SANNE)
    assert "is nu bezorgd bij de privacy officer (Fatima el Amrani)" in texts(told)
    assert await tell_reporters(services, PRESENTER) == 0


async def test_mine_shows_the_report_with_status_only_never_the_officers_notes(
    clocked_bot: BotUnderTest,
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    mine = await open_flow(bot, SANNE, "mine.open")
    assert breach.id in texts(mine)
    assert "Datalek" in texts(mine) and "Ontvangen door de privacy officer" in texts(mine)

    card = alert_of(bot, FATIMA)
    message = breach.alerts[FATIMA.aad_id][0]
    secret = "Intern: aannemer eerder in de fout gegaan, HR informeren"
    await click(bot, FATIMA, card, "dataleak.ap_no", {"reason": secret}, message)
    await click(
        bot,
        FATIMA,
        card,
        "dataleak.assess",
        {**inputs(card), "riskDecision": "none", "riskReason": secret},
        message,
    )
    mine = await open_flow(bot, SANNE, "mine.open")
    assert "In behandeling bij de privacy officer" in texts(mine)
    view = await click(bot, SANNE, mine, "dataleak.mine")
    assert "Status: in behandeling" in texts(view)
    assert secret not in str(view) and secret not in str(mine)
    assert "Risicobeoordeling" not in texts(view)
    # Someone else cannot open it.
    refused = await click(bot, PIETER, mine, "dataleak.mine")
    assert breach.id not in texts(refused)


async def test_the_officer_asks_and_only_the_reporter_answers_onto_the_case(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA, JOOST, PIETER)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    card = alert_of(bot, FATIMA)
    message = breach.alerts[FATIMA.aad_id][0]
    bot.connector.sent.clear()
    empty = await click(bot, FATIMA, card, "dataleak.ask", {"question": " "}, message)
    assert "Schrijf eerst je vraag" in texts(empty)
    asked = await click(
        bot, FATIMA, card, "dataleak.ask", {"question": "Naar welk adres ging de mail?"}, message
    )
    assert "naar de melder gestuurd" in texts(asked)
    [question] = posted_to(bot, SANNE)
    assert "Naar welk adres ging de mail?" in texts(question)
    assert "answer" in inputs(question)

    # Only the reporter may answer: identity from the activity, not from the card data.
    other = await click(bot, PIETER, question, "dataleak.answer", {"answer": "vervalst"})
    assert "Alleen wie de melding deed" in texts(other)
    clock.advance(minutes=12)
    bot.connector.sent.clear()
    answered = await click(
        bot, SANNE, question, "dataleak.answer", {"answer": "info@verkeerde-aannemer.example"}
    )
    assert "Jouw antwoord (29 november 2026 om 11:12): info@verkeerde-aannemer.example" in texts(
        answered
    )
    updates = [s for s in bot.connector.sent if s.method == "PUT"]
    assert {u.conversation_id for u in updates} == {FATIMA.conversation_id, JOOST.conversation_id}
    line = "Antwoord van de melder (29 november 2026 om 11:12): info@verkeerde-aannemer.example"
    assert all(line in texts(u.card or {}) for u in updates)
    stored = await only_breach(bot)
    assert [(e.actor_id, e.action) for e in stored.audit if e.action.startswith("question")] == [
        (FATIMA.aad_id, "question_asked"),
        (SANNE.aad_id, "question_answered"),
    ]
    # The reporter also finds the question under "mijn meldingen".
    view = await click(bot, SANNE, await open_flow(bot, SANNE, "mine.open"), "dataleak.mine")
    assert "Naar welk adres ging de mail?" in texts(view)


async def test_a_question_the_reporter_cannot_receive_is_kept_and_said(
    clocked_bot: BotUnderTest,
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    card = alert_of(bot, FATIMA)
    bot.connector.fail_next(403)
    asked = await click(
        bot,
        FATIMA,
        card,
        "dataleak.ask",
        {"question": "Wie nog meer?"},
        breach.alerts[FATIMA.aad_id][0],
    )
    assert "kon niet bij de melder worden bezorgd" in texts(asked)
    assert [q.text for q in (await only_breach(bot)).questions] == ["Wie nog meer?"]


async def test_the_guided_assessment_the_ap_notification_and_the_clock_from_awareness(
    clocked_bot: BotUnderTest, clock: Clock
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    message = breach.alerts[FATIMA.aad_id][0]
    card = alert_of(bot, FATIMA)
    # The first guess from the report: names and financial data (rent arrears), 11-100 people.
    shown = inputs(card)
    assert shown["riskCategories"] == "ordinary,financial"
    assert shown["riskPeople"] == "11-100"
    assert "Voorstel: hoog risico" in texts(card)
    assert "Financiële gegevens: kans op fraude" in texts(card)

    # Preview: recovered lowers it one step; nothing is recorded.
    preview = await click(
        bot, FATIMA, card, "dataleak.propose", {**shown, "riskRecovered": "true"}, message
    )
    assert "Voorstel: risico (melden bij de AP)" in texts(preview)
    assert inputs(preview)["riskRecovered"] == "true"
    assert (await only_breach(bot)).assessment is None

    # Departing from the proposal needs a reason; what was typed stays.
    refused = await click(
        bot, FATIMA, card, "dataleak.assess", {**shown, "riskDecision": "risk"}, message
    )
    assert "Je wijkt af van het voorstel" in texts(refused)
    assert inputs(refused)["riskDecision"] == "risk"
    reason = "Aannemer bevestigde binnen het uur verwijdering"
    recorded = await click(
        bot,
        FATIMA,
        card,
        "dataleak.assess",
        {**shown, "riskDecision": "risk", "riskReason": reason},
        message,
    )
    assert "Beoordeling: risico (melden bij de AP); het voorstel was hoog risico" in texts(recorded)
    stored = await only_breach(bot)
    assert stored.assessment is not None
    assert (stored.assessment.proposed.risk, stored.assessment.decided) == (Risk.HIGH, Risk.RISK)
    assert stored.audit[-1].detail == "proposed=high decided=risk"

    # The AP section: the form's questions in order, and the time left.
    form = [f["title"] for o in objects(recorded) if o.get("type") == "FactSet" for f in o["facts"]]
    start = form.index("Over deze melding")
    assert form[start : start + 4] == [
        "Over deze melding",
        "Contactpersoon",
        "Begin van het datalek",
        "Ontdekt (Woongroen op de hoogte)",
    ]
    assert "72 uur vanaf 29 november 2026 om 10:30 (ontdekking door de melder)" in texts(recorded)
    assert "uiterlijk 2 december 2026 om 10:30" in texts(recorded)

    # Woongroen was aware earlier (the mail bounced at the front desk at 09:45): the clock
    # follows that moment, not the reporter's discovery at 10:30.
    before = await click(
        bot, FATIMA, recorded, "dataleak.case", {"awareDate": "2026-11-28", "awareTime": "17:00"}
    )
    assert "niet op de hoogte zijn geweest vóórdat het lek gebeurde" in texts(before)
    assert inputs(before)["awareDate"] == "2026-11-28"
    case = await click(
        bot,
        FATIMA,
        recorded,
        "dataleak.case",
        {
            "awareDate": "2026-11-29",
            "awareTime": "09:45",
            "consequences": "Kans op gerichte phishing",
            "measuresTaken": "Aannemer verwijderde de mail",
        },
        message,
    )
    assert "72 uur vanaf 29 november 2026 om 09:45 (Woongroen op de hoogte)" in texts(case)
    assert "uiterlijk 2 december 2026 om 09:45" in texts(case)
    assert "Kans op gerichte phishing" in texts(case)
    # Reminders follow that moment: 24 hours after 29 Nov 09:45, before 24 after 10:30.
    clock.now = clock.now.replace(day=30, hour=8, minute=46)  # 09:46 Amsterdam
    bot.connector.sent.clear()
    assert (await run_pass(background_jobs(services_of(bot))))["dataleak.reminders"] == 1
    assert "Herinnering: 24 uur" in texts(posted_to(bot, FATIMA)[-1])

    # Reported at 10:00 on 2 Dec: late from awareness (though not from the discovery), so
    # the reason for the delay is asked (art. 33(1)).
    clock.now = clock.now.replace(month=12, day=2, hour=9, minute=30)
    late = {"apDate": "2026-12-02", "apTime": "10:00", "apReference": "AP-2026-0042"}
    refused = await click(bot, FATIMA, case, "dataleak.ap_reported", late, message)
    assert "reden van de vertraging" in texts(refused)
    assert inputs(refused)["apReference"] == "AP-2026-0042"
    done = await click(
        bot,
        FATIMA,
        case,
        "dataleak.ap_reported",
        {**late, "apLateReason": "Melding lag over het weekend bij de vervanger"},
        message,
    )
    assert (
        "Gemeld bij de AP op 2 december 2026 om 10:00, na de termijn, meldnummer AP-2026-0042"
        in (texts(done))
    )
    more = await click(
        bot, FATIMA, done, "dataleak.ap_supplement", {"apUpdate": "Het zijn 14 huurders"}, message
    )
    assert "Aanvulling aan de AP" in texts(more) and "Het zijn 14 huurders" in texts(more)
    gone = await click(
        bot, FATIMA, more, "dataleak.ap_withdraw", {"apUpdate": "Toch geen datalek"}, message
    )
    assert "Melding ingetrokken" in texts(gone)
    assert "dataleak.ap_supplement" not in str(gone)
    stored = await only_breach(bot)
    assert stored.notification is not None and stored.notification.late
    assert [e.action for e in stored.audit if e.actor_id == FATIMA.aad_id][-3:] == [
        "ap_notified",
        "ap_supplement",
        "ap_withdrawal",
    ]


async def test_high_risk_needs_the_art_34_decision_the_letter_and_the_pdf_dossier(
    clocked_bot: BotUnderTest,
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA, LOTTE)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    message = breach.alerts[FATIMA.aad_id][0]
    card = alert_of(bot, FATIMA)
    high = await click(bot, FATIMA, card, "dataleak.assess", inputs(card), message)
    assert "Beoordeling: hoog risico" in texts(high)
    await click(bot, FATIMA, high, "dataleak.ap_yes", {}, message)
    refused = await click(
        bot, FATIMA, high, "dataleak.close", {"question": "Nog een vraag in concept"}, message
    )
    assert "eerst besloten zijn of de betrokkenen geïnformeerd worden" in texts(refused)
    assert inputs(refused)["question"] == "Nog een vraag in concept"  # kept, not lost

    # The letter: drafted from the case in Dutch and English, edited, saved, downloaded.
    drafts = inputs(high)
    assert MAIL["description"] in drafts["letterNl"]
    assert "Dear Sir or Madam" in drafts["letterEn"]
    too_long = "x" * 3001
    refused = await click(
        bot, FATIMA, high, "dataleak.letter", {"letterNl": too_long, "letterEn": "Dear"}
    )
    assert "De brief is te lang: ten hoogste 3000 tekens" in texts(refused)
    assert inputs(refused)["letterNl"] == too_long
    edited = drafts["letterNl"].replace("Beste heer, mevrouw", "Beste huurder")
    saved = await click(
        bot, FATIMA, high, "dataleak.letter", {"letterNl": edited, "letterEn": drafts["letterEn"]}
    )
    assert "De brief is opgeslagen" in texts(saved)
    link = await click(bot, FATIMA, saved, "dataleak.letter_download")
    response = await download(bot.session, _local(bot, _download_url(link)))
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/pdf"
    letter = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(await response.read())).pages)
    assert "Beste huurder" in letter and "Dear Sir or Madam" in letter
    assert breach.id in letter

    informed = await click(bot, FATIMA, saved, "dataleak.subjects_yes", {}, message)
    closed = await click(bot, FATIMA, informed, "dataleak.close", {}, message)
    assert "Afgesloten door Fatima el Amrani" in texts(closed)

    # The dossier PDF: facts, the assessment with its reasons, the decisions, the trail.
    link = await click(bot, FATIMA, closed, "dataleak.dossier")
    response = await download(bot.session, _local(bot, _download_url(link)))
    assert response.status == 200
    assert f"dossier-datalek-{breach.id}.pdf" in response.headers["Content-Disposition"]
    pdf = PdfReader(io.BytesIO(await response.read()))
    dossier = "\n".join(p.extract_text() for p in pdf.pages)
    for expected in (
        f"Dossier datalek {breach.id}",
        "Mail met huurachterstanden",
        "Risicobeoordeling",
        "hoog risico",
        "Financiële gegevens: kans op fraude",
        "Betrokkenen (art. 34)",
        "Afgesloten door",
        "risk_confirmed",
    ):
        assert expected in dossier, expected
    # The link works once, and only the privacy office gets one.
    assert (await bot.session.post(_local(bot, _download_url(link)))).status == 410
    outsider = await click(bot, LOTTE, closed, "dataleak.dossier")
    assert "alleen voor de privacy officer" in texts(outsider)

    # The register export carries the dossier's columns.
    register = await click(
        bot, FATIMA, await open_flow(bot, FATIMA, "menu.open"), "dataleak.register"
    )
    export = await click(bot, FATIMA, register, "dataleak.export", {"format": "xlsx"})
    response = await download(bot.session, _local(bot, _download_url(export)))
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Voorgestelde beoordeling"] == row["Beoordeling"]
    assert "Financiële gegevens" in str(row["Redenen voorstel"])
    assert row["Betrokkenen geïnformeerd"] == "Ja"


async def test_reports_from_before_the_index_appear_in_mine_after_the_migration(
    clocked_bot: BotUnderTest,
) -> None:
    bot = clocked_bot
    await install(bot, SANNE, FATIMA)
    await report(bot, MAIL)
    breach = await only_breach(bot)
    services = services_of(bot)
    # As written before the index existed: the report without its index row.
    await services.store.delete("breaches", TENANT, f"r|{SANNE.aad_id}|{breach.id}")
    assert breach.id not in texts(await open_flow(bot, SANNE, "mine.open"))
    jobs = background_jobs(services)
    assert (await run_pass(jobs))["migration.leak_index"] == 1
    assert (await run_pass(jobs))["migration.leak_index"] == 0  # once per deployment
    mine = await open_flow(bot, SANNE, "mine.open")
    assert breach.id in texts(mine) and "Ontvangen door de privacy officer" in texts(mine)
