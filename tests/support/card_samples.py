"""One sample rendering of every card template, for the schema and verb tests.

Name each sample `<template>:<variant>`; the tests check that every template has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.domain.knowledge import knowledge_base
from bot.domain.people import Contact, Role
from cards import render
from dialogs.answers import answer_card, no_match_card
from dialogs.concern import concern_card
from dialogs.kinds import request_kinds
from dialogs.menu import error_card, menu_card
from dialogs.question import question_card
from tests.support.kinds import KINDS

Builder = Callable[[str], dict[str, Any]]
KINDS_BY_NAME = request_kinds(KINDS)

VERTROUWENSPERSOON = Contact(
    name="Ingrid Mulder",
    phone="+31 6 1234 5678",
    email="vertrouwenspersoon@woongroen.example",
    teams_chat_url="https://teams.microsoft.com/l/chat/0/0?users=vertrouwenspersoon@woongroen.example",
)
MELDREGELING = "https://www.woongroen.example/meldregeling"
MIW = "https://www.ilent.nl/onderwerpen/meldingen-vragen-en-klachten-over-woningcorporaties/meldpunt-integriteit-woningcorporaties"

SAMPLES: list[tuple[str, Builder]] = [
    ("welcome:named", lambda locale: menu_card(KINDS, locale, "Sanne de Vries")),
    ("welcome:anonymous", lambda locale: menu_card(KINDS, locale, "")),
    (
        "welcome:secretariat",
        lambda locale: menu_card(KINDS, locale, "Lotte Smit", frozenset({Role.SECRETARIAT})),
    ),
    *(
        (f"error:{key}", lambda locale, k=key: error_card(locale, k))
        for key in ("unknown_action", "malformed_action", "unexpected", "storage_unavailable")
    ),
    (
        "concern:with_contact",
        lambda locale: concern_card(locale, VERTROUWENSPERSOON, MELDREGELING, MIW),
    ),
    (
        "concern:phone_only",
        lambda locale: concern_card(
            locale, Contact("Ingrid Mulder", phone="+31 6 1234 5678"), MELDREGELING, MIW
        ),
    ),
    ("concern:not_configured", lambda locale: concern_card(locale, None, MELDREGELING, MIW)),
    (
        "concern:storage_down",
        lambda locale: concern_card(locale, None, MELDREGELING, MIW, contact_unavailable=True),
    ),
    ("question:empty", lambda locale: question_card(locale)),
    ("question:error", lambda locale: question_card(locale, "x" * 600, "Je vraag is te lang.")),
    *(
        (f"answer:{g.id}", lambda locale, g=g: answer_card(locale, g))
        for g in knowledge_base().guidelines
    ),
    (
        "answer:with_concern",
        lambda locale: answer_card(locale, knowledge_base().get("housing"), True),
    ),
    ("no_match:default", no_match_card),
]


def _gift_request(status: str = "pending", verdict: str = "keep") -> Any:
    from datetime import UTC, datetime

    from bot.domain.gifts import Gift
    from bot.domain.requests import ApprovalRequest, ApproverRole, AuditEntry, Person, Status

    now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    return ApprovalRequest(
        id="CAD-ABCD-EFGH",
        kind="gift",
        tenant_id="t",
        requester=Person("u1", "Sanne de Vries"),
        approver=Person("u2", "Pieter Bakker"),
        approver_role=ApproverRole.MANAGER,
        facts=Gift.from_record(
            {
                "giverName": "Jan",
                "giverOrganisation": "Bouwbedrijf *Vos*",
                "relation": "supplier",
                "negotiating": False,
                "description": "Fles wijn",
                "giftKind": "goods",
                "everyday": True,
                "valueCents": 2500,
                "receivedOn": "2026-11-28",
                "atHome": False,
                "remarks": "",
                "earlier": ["2026-03-01: Bos bloemen (€\u00a020,00)"],
            }
        ),
        verdict=verdict,
        reasons=("everyday_under_limit", "report_to_manager"),
        created_at=now,
        status=Status(status),
        decided_at=now if status != "pending" else None,
        comment="Prima" if status != "pending" else "",
        audit=(AuditEntry(now, "u1", "submitted"),),
        watchers=("29:u1", "29:u2"),
    )


SENTENCE = "ik kreeg gisteren een fles wijn van 25 euro van Schildersbedrijf De Kwast"


def _gift_from_a_sentence(locale: str) -> dict[str, Any]:
    """The gift form filled in from a typed sentence, with what the code says about it."""
    from datetime import date

    from bot.domain.extract import extract
    from dialogs.gift import FORM, KIND, prefill

    today = date(2026, 11, 29)
    suggested = prefill(extract(SENTENCE, today), SENTENCE, today)
    values = {**KIND.initial(today), **suggested.values}
    notes = KIND.preview(values, suggested.inferred, locale)
    return FORM.card(locale, "f" * 32, values, notes=notes, prefilled=True)


def _gift_answer_with_the_facts(locale: str) -> dict[str, Any]:
    """A gift question that holds an amount: the rule applied first, the form one tap away."""
    from datetime import date

    from bot.domain.extract import extract
    from dialogs.gift import KIND, prefill

    today = date(2026, 11, 29)
    question = "Kerstpakket van 60 euro houden?"
    suggested = prefill(extract(question, today), question, today)
    lines = KIND.preview(suggested.values, suggested.inferred, locale)
    return answer_card(
        locale, knowledge_base().get("gifts"), flow_data=suggested.data(), for_you=lines
    )


def _request_samples() -> list[tuple[str, Builder]]:
    from datetime import date

    from cards import render
    from dialogs.gift import FORM, form_card
    from dialogs.requests_view import CardPresenter, request_card

    presenter = CardPresenter(KINDS)
    return [
        ("form:gift", lambda locale: form_card(locale, date(2026, 11, 29))),
        ("form:gift-from-a-sentence", _gift_from_a_sentence),
        ("answer:gift-with-the-facts", _gift_answer_with_the_facts),
        ("collection:empty", lambda locale: render("collection", locale, {"entries": []})),
        (
            "collection:entries",
            lambda locale: render(
                "collection",
                locale,
                {
                    "entries": [
                        {
                            "description": "Kerstpakket",
                            "value": "€\u00a075,00",
                            "who": "Sanne",
                            "reference": "CAD-1",
                            "status": "Verwacht",
                            "expected": True,
                        },
                        {
                            "description": "Wijn",
                            "value": "€\u00a060,00",
                            "who": "Sanne",
                            "reference": "CAD-2",
                            "status": "Ontvangen",
                            "expected": False,
                        },
                    ]
                },
            ),
        ),
        (
            "form:gift-errors",
            lambda locale: FORM.card(
                locale, "f1", {"value": "abc"}, {"value": "Dit is geen bedrag."}, "Let op"
            ),
        ),
        ("request:approver", lambda locale: presenter.approver_card(_gift_request(), locale)),
        (
            "request:decided",
            lambda locale: presenter.decision_notice(_gift_request("approved", "hand_in"), locale),
        ),
        (
            "request:requester",
            lambda locale: request_card(
                KINDS, _gift_request(verdict="refuse"), locale, "u1", note="x"
            ),
        ),
        *_register_samples(),
        *_raffle_samples(),
        *_acknowledgement_samples(),
    ]


CODE = "https://www.woongroen.example/gedragscode-integriteit"


def _acknowledgement_samples() -> list[tuple[str, Builder]]:
    from cards import render
    from dialogs.acknowledge import ask_card

    def status(locale: str, started: bool) -> dict[str, Any]:
        facts = [{"title": "Wonen", "value": "1 van 2 (50%)"}] if started else []
        return render(
            "acknowledgement_status",
            locale,
            {
                "title": "Bevestiging gedragscode 2026",
                "note": "Gestart" if started else "",
                "summary": "1 van de 2" if started else "Nog niet gestart",
                "departments": facts,
                "canStart": not started,
                "canExport": started,
                "start": "Start",
                "missingTitle": "Nog niet bevestigd (1)" if started else "",
                "missing": [{"title": "Pieter Bakker", "value": "Wonen"}] if started else [],
                "missingMore": "",
                "missingNone": "",
                "codeUrl": "https://www.woongroen.example/gedragscode-integriteit",
            },
        )

    def suppliers(locale: str, listed: bool) -> dict[str, Any]:
        return render(
            "supplier_code",
            locale,
            {
                "note": "Geïmporteerd: 1 nieuw, 0 bijgewerkt." if listed else "",
                "warning": "1 regel kon niet worden geïmporteerd." if listed else "",
                "errors": ["Regel 3: dit is geen geldig e-mailadres"] if listed else [],
                "summary": "0 van de 1 contactpersonen hebben bevestigd.",
                "contacts": [{"title": "Jan de Vos (Bouwbedrijf Vos)", "value": "nog niet gemaild"}]
                if listed
                else [],
                "more": "",
                "csv": "Piet;Schilders Jansen;piet@" if listed else "",
                "codeUrl": "https://www.woongroen.example/gedragscode-integriteit",
            },
        )

    return [
        ("supplier_code:listed", lambda locale: suppliers(locale, True)),
        ("supplier_code:empty", lambda locale: suppliers(locale, False)),
        ("acknowledgement:ask", lambda locale: ask_card(2026, 0, locale, CODE)),
        ("acknowledgement:reminder", lambda locale: ask_card(2026, 2, locale, CODE)),
        (
            "acknowledgement:confirmed",
            lambda locale: ask_card(2026, 0, locale, CODE, confirmed=True),
        ),
        ("acknowledgement_status:started", lambda locale: status(locale, True)),
        ("acknowledgement_status:not-started", lambda locale: status(locale, False)),
    ]


def _raffle_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, datetime

    from bot.storage.raffles import Excluded, Prize, RaffleRecord
    from cards import render
    from dialogs.raffle import result_card, winner_card

    told = Prize("CAD-1", "Kerstpakket", "u1", "Sanne de Vries", True)
    untold = Prize("CAD-2", "Wijn *rood*", "u2", "Pieter Bakker", False, "no_reference")
    raffle = RaffleRecord(
        id="R20261201T090000-abcdef",
        tenant_id="t",
        seed="abcdef0123456789",
        algorithm="sha256-fisher-yates-v1",
        drawn_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        drawn_by="u6",
        participants=("u1", "u2", "u3"),
        excluded=(Excluded("u5", "Joost Visser", "inactive"),),
        prizes=(told, untold),
    )
    return [
        ("raffle:result", lambda locale: result_card(raffle, locale)),
        ("raffle:nobody-excluded", lambda locale: result_card(replace_excluded(raffle), locale)),
        ("raffle_win:default", lambda locale: winner_card(told, locale)),
        (
            "collection:raffle-ready",
            lambda locale: render(
                "collection",
                locale,
                {
                    "entries": [
                        {
                            "description": "Wijn",
                            "value": "€\u00a060,00",
                            "who": "Sanne",
                            "reference": "CAD-2",
                            "status": "Ontvangen",
                            "expected": False,
                        }
                    ],
                    "canRaffle": True,
                    "announced": False,
                    "raffleButtons": True,
                },
            ),
        ),
        *_published_raffle_samples(raffle),
    ]


def _published_raffle_samples(drawn: Any) -> list[tuple[str, Builder]]:
    from dataclasses import replace
    from datetime import UTC, datetime

    from dialogs.raffle import _entry, _list, announcement_card

    drawn = replace(drawn, commitment="ab" * 32, announced_at=datetime(2026, 11, 30, tzinfo=UTC))
    announced = replace(drawn, drawn_at=None, drawn_by="")
    return [
        ("raffle_list:announcement", lambda locale: announcement_card(announced, locale)),
        (
            "raffle_list:history",
            lambda locale: _list(
                locale, "Verlotingen", ["intro"], [_entry(drawn, locale), _entry(announced, locale)]
            ),
        ),
        ("raffle_list:record", lambda locale: _list(locale, "Verslag", ["x"], [], '{"id": "R1"}')),
    ]


def replace_excluded(raffle: Any) -> Any:
    from dataclasses import replace

    return replace(raffle, excluded=())


def _register_samples() -> list[tuple[str, Builder]]:
    """ "Mijn meldingen", "openstaand", and a request with added information."""
    from dataclasses import replace

    from bot.domain.amend import add_information
    from bot.storage.requests import InboxEntry, RequestSummary
    from dialogs.personal_view import mine_card, pending_card
    from dialogs.requests_view import request_card

    request = _gift_request()
    noted = add_information(request, "u1", "Het was een *verjaardag*", request.created_at)
    entry = InboxEntry(
        request.id, "u1", "gift", request.status, request.created_at, "Sanne", "Fles wijn"
    )
    decided = replace(_gift_request("declined"), id="CAD-2")
    return [
        (
            "personal_list:mine",
            lambda locale: mine_card(
                KINDS, [RequestSummary.of(noted), RequestSummary.of(decided)], locale
            ),
        ),
        ("personal_list:mine-empty", lambda locale: mine_card(KINDS, [], locale)),
        ("personal_list:pending", lambda locale: pending_card(KINDS, [entry], locale)),
        ("personal_list:pending-empty", lambda locale: pending_card(KINDS, [], locale)),
        ("request:with-notes", lambda locale: request_card(KINDS, noted, locale, "u2")),
        (
            "request:addition-refused",
            lambda locale: request_card(
                KINDS, noted, locale, "u1", addition="x" * 1001, addition_error="Te lang"
            ),
        ),
    ]


SAMPLES.extend(_request_samples())


def _flow_samples() -> list[tuple[str, Builder]]:
    """Every request kind's form, and its request card with advice and a decision."""
    from dataclasses import replace
    from datetime import date

    from bot.domain.requests import Person, Status
    from dialogs import housing, invitation, press, sidejob, social, supplier, tenant
    from dialogs.flow import blank
    from dialogs.requests_view import CardPresenter

    presenter = CardPresenter(KINDS)
    facts = {
        "invitation": {
            "summary": "Diner",
            "inviter": "Bouwbedrijf Vos",
            "relation": "supplier",
            "kind": "dinner",
            "description": "Diner",
            "eventDate": "2026-12-12",
            "valueCents": 8000,
            "negotiating": True,
            "addedValue": "Netwerk",
        },
        "sidejob": {
            "summary": "Penningmeester",
            "role": "Penningmeester",
            "organisation": "Voetbalclub",
            "paid": "unpaid",
            "hours": "6",
            "touches": False,
            "touchesHow": "",
            "start": "2026-01-01",
        },
        "supplier": {
            "summary": "Dakkapel",
            "supplier": "Bouwbedrijf Vos",
            "what": "Dakkapel",
            "reason": "Enige in de regio",
            "amountCents": 500000,
            "quotes": [
                {"provider": "A", "amountCents": 480000},
                {"provider": "B", "amountCents": 560000},
            ],
        },
        "tenant": {
            "summary": "Dorpsstraat 1",
            "tenant": "Dorpsstraat 1",
            "tie": "relative",
            "case": "Reparatieverzoek",
            "doubt": True,
        },
        "housing": {
            "summary": "Mijn zoon: De Linde 4",
            "person": "Mijn zoon",
            "tie": "relative",
            "stage": "buys",
            "space": "home",
            "address": "De Linde 4",
        },
        "press": {
            "summary": "Eva Bos (Dagblad)",
            "journalist": "Eva Bos",
            "medium": "Dagblad",
            "contact": "06 1234 0000",
            "asks": "interview",
            "question": "Over de renovatie",
        },
        "social": {"summary": "Foto", "about": "tenant", "channel": "LinkedIn", "post": "Foto"},
    }
    verdicts = {
        "invitation": ("decide_together", ("decide_together", "negotiating_warning")),
        "sidejob": ("manager_after_hr", ("known_to_manager_and_hr",)),
        "supplier": ("manager_consent", ("only_with_consent", "price_below_range")),
        "tenant": ("manager_decides_handling", ("treat_like_any_tenant",)),
        "housing": ("same_rules", ("same_rules_as_everyone", "no_discount", "kept_out_of_case")),
        "press": ("interview_needs_consent", ("interview_agreement_and_consent", "meanwhile")),
        "social": ("ask_communications", ("rules_apply_online", "privacy_and_consent")),
    }
    out: list[tuple[str, Builder]] = []
    for module in (invitation, sidejob, supplier, tenant, housing, press, social):
        kind = module.KIND.name
        out.append(
            (f"form:{kind}", lambda locale, m=module: blank(m.KIND, locale, date(2026, 11, 29)))
        )
        verdict, reasons = verdicts[kind]
        base = replace(
            _gift_request(),
            kind=kind,
            facts=KINDS[kind].from_record(facts[kind]),
            verdict=verdict,
            reasons=reasons,
            advisor=Person("hr", "Joost Visser"),
            advice="Geen bezwaar vanuit HR",
        )
        out.append(
            (f"request:{kind}-approver", lambda locale, r=base: presenter.approver_card(r, locale))
        )
        out.append(
            (f"request:{kind}-advisor", lambda locale, r=base: presenter.advisor_card(r, locale))
        )
        decided = replace(base, status=Status.DECLINED, comment="Liever een collega")
        out.append(
            (
                f"request:{kind}-decided",
                lambda locale, r=decided: presenter.decision_notice(r, locale),
            )
        )
        if kind == "tenant":
            from bot.domain.requests import Person as Colleague

            handed = replace(
                base, status=Status.APPROVED, outcome="hand_over", assignee=Colleague("u3", "L")
            )
            out.append(
                (
                    "request:tenant-picker",
                    lambda locale, r=base: presenter.picker_card(
                        r, locale, [Colleague("u3", "Lotte"), Colleague("u4", "Joost")], "x", "y"
                    ),
                )
            )
            out.append(
                (
                    "request:tenant-handover",
                    lambda locale, r=handed: presenter.handover_card(r, locale),
                )
            )
        if kind == "press":  # Communicatie's position: the director can only refuse
            against = replace(base, advice_position="disagree", advice="Niet nu")
            out.append(
                (
                    "request:press-withheld",
                    lambda locale, r=against: presenter.approver_card(r, locale),
                )
            )
            out.append(
                (
                    "request:press-position",
                    lambda locale, r=against: presenter.advisor_card(r, locale),
                )
            )
        if kind == "sidejob":
            from dialogs.flow import not_needed_card

            out.append(
                (
                    "not_needed:sidejob",
                    lambda locale: not_needed_card(
                        sidejob.KIND, locale, "f1", {"role": "Bardienst"}, "volunteer_task"
                    ),
                )
            )
            out.append(
                ("sidejob_review:open", lambda locale, r=base: sidejob.review_card(r, locale))
            )
            out.append(
                (
                    "sidejob_review:answered",
                    lambda locale, r=base: sidejob.review_card(r, locale, "Dank je"),
                )
            )
    return out


SAMPLES.extend(_flow_samples())


def _breach_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, datetime, timedelta

    from bot.domain.breaches import (
        Addition,
        Answer3,
        Breach,
        BreachAction,
        DataKind,
        LeakFacts,
        LeakKind,
        PeopleRange,
        Person,
        apply,
    )
    from dialogs.breach_register import register_card
    from dialogs.dataleak import FORM as LEAK_FORM
    from dialogs.dataleak import PRESENTER as OFFICE
    from dialogs.dataleak import form_card as leak_form
    from dialogs.dataleak import receipt_card

    now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    breach = Breach(
        id="LEK-ABCD-EFGH",
        tenant_id="t",
        reporter=Person("u1", "Sanne de Vries"),
        reported_at=now,
        facts=LeakFacts(
            description="Mail met *huurdersgegevens* naar [verkeerde](x) ontvanger",
            occurred_at=now - timedelta(hours=2),
            discovered_at=now - timedelta(hours=1),
            ongoing=Answer3.NO,
            kind=LeakKind.WRONG_RECIPIENT,
            data_kinds=(DataKind.NAME_ADDRESS, DataKind.BSN),
            people=PeopleRange.FEW,
            encrypted=Answer3.UNKNOWN,
            measures="Ontvanger gevraagd te verwijderen",
        ),
        additions=(Addition(now, "Verwijderd, bevestigd"),),
    )
    fatima = Person("u4", "Fatima el Amrani")
    decided = apply(breach, BreachAction.AP_NO, fatima, "Geen risico: versleuteld", now)
    closed = apply(decided, BreachAction.CLOSE, fatima, "", now)
    late = now + timedelta(hours=80)
    from bot.domain.breaches import (
        ApUpdateKind,
        DataCategory,
        RiskFactors,
        answer_question,
        ask_reporter,
        assess,
        record_case,
        record_notification,
        save_letter,
        update_notification,
    )
    from dialogs.dataleak import question_card

    factors = RiskFactors((DataCategory.BSN,), PeopleRange.FEW, True, False, False, False)
    worked = record_case(breach, fatima, now - timedelta(minutes=30), "Fraude", "Gebeld", now)
    worked = assess(worked, fatima, factors, None, "", now)
    worked = record_notification(worked, fatima, now, "AP-123", "", now)
    worked = update_notification(worked, fatima, ApUpdateKind.SUPPLEMENT, "Meer", now)
    worked = ask_reporter(worked, fatima, "Welk adres?", now)
    asked = ask_reporter(worked, fatima, "En wanneer?", now)
    worked = answer_question(asked, "u1", 1, "info@example.org", now)
    worked = save_letter(worked, fatima, "Beste", "Dear", now)
    call = {"title": "Bel Fatima", "url": "tel:+31612345678"}
    return [
        ("breach:dossier", lambda locale: OFFICE.office_card(worked, locale, now, notice="ok")),
        (
            "breach_receipt:undelivered",
            lambda locale: receipt_card(worked, locale, "Nog niet", call=call),
        ),
        (
            "breach_question:open",
            lambda locale: question_card(asked, asked.questions[1], locale, "Leeg", "x"),
        ),
        (
            "breach_question:answered",
            lambda locale: question_card(worked, worked.questions[0], locale),
        ),
        ("form:dataleak", lambda locale: leak_form(locale, now)),
        (
            "form:dataleak-errors",
            lambda locale: LEAK_FORM.card(
                locale, "f1", {"description": ""}, {"description": "Dit is verplicht."}, "Let op"
            ),
        ),
        ("breach:office", lambda locale: OFFICE.office_card(breach, locale, now)),
        ("breach:reminder", lambda locale: OFFICE.office_card(breach, locale, now, reminder=2)),
        ("breach:overdue", lambda locale: OFFICE.office_card(breach, locale, late, error="x")),
        ("breach:fallback", lambda locale: OFFICE.office_card(breach, locale, now, fallback=True)),
        ("breach:decided", lambda locale: OFFICE.office_card(decided, locale, now)),
        ("breach:closed", lambda locale: OFFICE.office_card(closed, locale, now)),
        ("breach_receipt:new", lambda locale: receipt_card(breach, locale, "Dank je wel")),
        (
            "breach_receipt:error",
            lambda locale: receipt_card(breach, locale, "Jouw melding", "Leeg", "concept"),
        ),
        ("breach_register:empty", lambda locale: register_card([], locale, 2026, now)),
        (
            "breach_register:entries",
            lambda locale: register_card([breach, closed], locale, None, now),
        ),
        (
            "breach_export:link",
            lambda locale: render(
                "breach_export",
                locale,
                {
                    "ready": "De link werkt 15 minuten.",
                    "download": "Download register-datalekken-2026.xlsx",
                    "url": "http://127.0.0.1:3978/exports/abc",
                    "year": "2026",
                },
            ),
        ),
        (
            "welcome:privacy_officer",
            lambda locale: menu_card(KINDS, locale, "Fatima", frozenset({Role.PRIVACY_OFFICER})),
        ),
    ]


SAMPLES.extend(_breach_samples())


def _register_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, datetime

    from dialogs.registers import chooser_card, export_link_card, register_card

    now = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    gifts = [_gift_request("approved"), _gift_request("pending", "hand_in")]
    known = {"u1": "Wonen", "u2": "Wonen", "u4": "Bedrijfsvoering"}
    return [
        ("register_open:default", lambda locale: chooser_card(KINDS, locale)),
        ("register_open:message", lambda locale: chooser_card(KINDS, locale, "Kies een register.")),
        (
            "register:gifts",
            lambda locale: register_card(
                KINDS, gifts, KINDS_BY_NAME["gift"], 2026, None, known, locale, now
            ),
        ),
        (
            "register:empty",
            lambda locale: register_card(
                KINDS, [], KINDS_BY_NAME["sidejob"], None, "Wonen", known, locale, now
            ),
        ),
        (
            "export_link:register",
            lambda locale: export_link_card(
                locale,
                "register-cadeaus-2026.xlsx",
                "http://127.0.0.1:3978/exports/abc",
                "register.show",
                {"kind": "gift", "year": "2026", "department": "all"},
            ),
        ),
        (
            "welcome:integrity_officer",
            lambda locale: menu_card(KINDS, locale, "Lotte", frozenset({Role.INTEGRITY_OFFICER})),
        ),
    ]


SAMPLES.extend(_register_samples())


def _overview_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, datetime, timedelta

    from bot.domain.overview import LeakRecord, RequestRecord, yearly_overview
    from dialogs.overview import overview_card

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    records = [
        RequestRecord("gift", "approved", "keep", (), start, start + timedelta(hours=5), 2500),
        RequestRecord("gift", "pending", "refuse", ("money",), start, None, 2000),
        RequestRecord("sidejob", "declined", "", (), start, start + timedelta(days=3)),
    ]
    leaks = [LeakRecord(start, start + timedelta(hours=30), True)]
    full = yearly_overview(KINDS, records, leaks, 2026)
    empty = yearly_overview(KINDS, [], [], 2025)
    return [
        ("overview:year", lambda locale: overview_card(KINDS, full, [2026, 2025], locale)),
        ("overview:empty", lambda locale: overview_card(KINDS, empty, [2026, 2025], locale)),
        (
            "welcome:director",
            lambda locale: menu_card(KINDS, locale, "Marieke", frozenset({Role.DIRECTOR})),
        ),
    ]


SAMPLES.extend(_overview_samples())


def _negotiation_samples() -> list[tuple[str, Builder]]:
    from datetime import date

    from bot.domain.negotiations import Party
    from dialogs.negotiations import list_card

    today = date(2026, 11, 29)
    vos = Party("t", "Bouwbedrijf Vos B.V.", date(2026, 9, 1), date(2026, 12, 31), "12345678")
    old = Party(
        "t", "Schilders & Zn", date(2025, 1, 1), date(2025, 6, 30), added_by="Fatima el Amrani"
    )
    return [
        ("negotiations:empty", lambda locale: list_card([], locale, today)),
        ("negotiations:list", lambda locale: list_card([vos, old], locale, today)),
        (
            "negotiations:errors",
            lambda locale: list_card(
                [vos],
                locale,
                today,
                "Er is niets geïmporteerd.",
                values={"name": "Vos", "csv": "Vos;1;x;y"},
                errors={"kvk": "Een KvK-nummer heeft 8 cijfers."},
                line_errors=["Regel 1: ..."],
            ),
        ),
        ("negotiations:confirm", lambda locale: list_card([vos], locale, today, confirm=vos)),
        (
            "welcome:procurement",
            lambda locale: menu_card(
                KINDS, locale, "Fatima el Amrani", frozenset({Role.PROCUREMENT})
            ),
        ),
    ]


SAMPLES.extend(_negotiation_samples())


def _trailer_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, date, datetime

    from bot.domain.trailer import Booker, Booking, Slot
    from dialogs.flow import answer_card as rule_answer
    from dialogs.kinds import request_kind
    from dialogs.trailer import DESK_FORM, FORM, booking_card, cancelled_message

    today = date(2026, 12, 2)
    mine = Booking(
        "t",
        "b1",
        date(2026, 12, 12),
        Slot.DAY,
        Booker.EMPLOYEE,
        "u1",
        "Sanne de Vries",
        "u1",
        datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    borrow = request_kind(KINDS, "borrow")
    assert borrow is not None
    from bot.domain.kinds import Outcome

    trailer_answer = Outcome("trailer_booking", ("trailer_exception",))
    return [
        ("trailer:provisional", lambda locale: booking_card(mine, locale, today, 3)),
        ("trailer:firm", lambda locale: booking_card(mine, locale, date(2026, 12, 10), 3)),
        ("trailer:cancelled", lambda locale: cancelled_message(mine, locale)),
        ("form:trailer", lambda locale: FORM.card(locale, "f1")),
        ("form:trailer_desk", lambda locale: DESK_FORM.card(locale, "f2")),
        ("answer:borrow_trailer", lambda locale: rule_answer(borrow, trailer_answer, locale)),
        (
            "welcome:trailer_desk",
            lambda locale: menu_card(
                KINDS, locale, "Pieter Bakker", frozenset({Role.TRAILER_DESK})
            ),
        ),
    ]


SAMPLES.extend(_trailer_samples())


def _violation_samples() -> list[tuple[str, Builder]]:
    from datetime import UTC, datetime

    from bot.domain.violations import Measure, TrailEntry, Violation
    from dialogs.violations import notice_card, view_card

    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    case = Violation(
        "t", "OVT-1", "u1", "Sanne de Vries", "u2", "Pieter Bakker", "§2", "Wat er *gebeurde*",
        Measure.WARNING, at, trail=(TrailEntry(at, "u2", "recorded"),),
    )  # fmt: skip
    decided = replace(case, decision=Measure.NONE, decided_by="u3", decided_at=at, message="Hoi")
    names = {"u2": "Pieter Bakker", "u3": "Marieke Jansen"}
    return [
        ("violations:open", lambda locale: view_card(case, locale, True, names)),
        ("violations:decided", lambda locale: view_card(decided, locale, False, names)),
        ("violations:notice", lambda locale: notice_card("Tekst van de directeur", locale)),
    ]


SAMPLES.extend(_violation_samples())
