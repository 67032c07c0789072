"""Which requests each register holds, and how a register becomes a Dutch spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from bot.domain import registers
from bot.domain.requests import ApprovalRequest, ApproverRole, Person, Status
from bot.services.spreadsheets import Column, Sheet, csv_cell, to_csv, to_long_csv, to_xlsx
from dialogs.kinds import request_kinds
from dialogs.registers import file_name, pick_department, pick_year, register_sheet
from tests.support.kinds import KINDS

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
DEPARTMENTS = {"sanne": "Wonen", "fatima": "Bedrijfsvoering"}
BY_NAME = request_kinds(KINDS)


# The register rules, through each request's own kind.
def register_day(r: ApprovalRequest) -> date:
    return KINDS[r.kind].register_day(r)


def in_year(r: ApprovalRequest, year: int | None) -> bool:
    return KINDS[r.kind].in_year(r, year)


def on_register(r: ApprovalRequest) -> bool:
    return KINDS[r.kind].on_register(r)


def select(
    requests: list[ApprovalRequest],
    kind: str,
    year: int | None,
    department: str | None,
    departments: dict[str, str],
) -> list[ApprovalRequest]:
    return registers.select(KINDS[kind], requests, year, department, departments)


def years(requests: list[ApprovalRequest], this_year: int, kind: str = "gift") -> list[int]:
    return registers.years(KINDS[kind], requests, this_year)


def request(
    kind: str,
    rid: str,
    facts: dict[str, Any],
    requester: str = "sanne",
    status: Status = Status.PENDING,
    created: datetime = NOW,
) -> ApprovalRequest:
    return ApprovalRequest(
        id=rid,
        kind=kind,
        tenant_id="t",
        requester=Person(requester, requester.title()),
        approver=Person("pieter", "Pieter Bakker"),
        approver_role=ApproverRole.MANAGER,
        facts=KINDS[kind].from_record(facts),
        verdict="keep" if kind == "gift" else "",
        reasons=(),
        created_at=created,
        status=status,
    )


def gift(rid: str, received: str, requester: str = "sanne", **changes: Any) -> ApprovalRequest:
    facts = {"summary": "Wijn", "receivedOn": received, "valueCents": 3550, "giverName": "Jan"}
    return replace(request("gift", rid, facts, requester), **changes)


def test_a_gift_is_dated_by_the_day_it_was_received_not_submitted() -> None:
    late = gift("CAD-1", "2025-12-30", created_at=datetime(2026, 1, 3, tzinfo=UTC))
    assert register_day(late) == date(2025, 12, 30)
    assert in_year(late, 2025) and not in_year(late, 2026)


def test_a_supplier_consent_is_dated_by_its_submission_in_amsterdam() -> None:
    # 23:30 UTC on New Year's Eve is already 1 January in Amsterdam.
    consent = request("supplier", "LEV-1", {}, created=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert register_day(consent) == date(2026, 1, 1)


def test_withdrawn_requests_are_not_on_a_register() -> None:
    assert on_register(gift("CAD-1", "2026-01-01", status=Status.DECLINED))
    assert not on_register(gift("CAD-1", "2026-01-01", status=Status.WITHDRAWN))


def test_only_approved_side_jobs_that_have_not_ended_are_current() -> None:
    facts = {"start": "2024-05-01"}
    approved = request("sidejob", "NEV-1", facts, status=Status.APPROVED)
    assert on_register(approved)
    assert not on_register(replace(approved, status=Status.PENDING))
    ended = KINDS["sidejob"].from_record({**facts, "endedOn": "2026-06-01"})
    assert not on_register(replace(approved, facts=ended))
    # A current side job counts for every year from its start on.
    assert in_year(approved, 2024) and in_year(approved, 2026) and not in_year(approved, 2023)


def test_select_filters_by_kind_year_and_department_newest_first() -> None:
    requests = [
        gift("CAD-A", "2026-03-01"),
        gift("CAD-B", "2026-09-01", requester="fatima"),
        gift("CAD-C", "2025-09-01"),
        gift("CAD-D", "2026-10-01", status=Status.WITHDRAWN),
        request("tenant", "HUU-A", {}),
    ]
    assert [r.id for r in select(requests, "gift", 2026, None, DEPARTMENTS)] == ["CAD-B", "CAD-A"]
    assert [r.id for r in select(requests, "gift", 2026, "Wonen", DEPARTMENTS)] == ["CAD-A"]
    assert [r.id for r in select(requests, "gift", None, "Wonen", DEPARTMENTS)] == [
        "CAD-A",
        "CAD-C",
    ]
    assert years(requests, 2026) == [2026, 2025]


def test_filters_from_card_data_fall_back_safely() -> None:
    assert pick_year("2025", NOW) == 2025
    assert pick_year("all", NOW) is None
    assert pick_year("'; drop", NOW) == 2026
    assert pick_department("Wonen", DEPARTMENTS) == "Wonen"
    assert pick_department("Geheim", DEPARTMENTS) is None
    assert file_name("nl-NL", "gift", 2026, "Wonen & Zorg", "csv") == (
        "register-cadeaus-2026-wonen---zorg.csv"
    )


def test_the_gift_register_sheet_has_dutch_headers_and_typed_cells() -> None:
    sheet = register_sheet([gift("CAD-A", "2026-03-01")], BY_NAME["gift"], "nl-NL", DEPARTMENTS)
    headers = [c.header for c in sheet.columns]
    assert headers[:4] == ["Kenmerk", "Afdeling", "Medewerker", "Ontvangen op"]
    row = dict(zip(headers, sheet.rows[0], strict=True))
    assert row["Ontvangen op"] == date(2026, 3, 1)
    assert row["Waarde (€)"] == Decimal("35.50")
    assert row["Oordeel volgens de code"] == "Houden"
    assert row["Status"] == "In behandeling"
    assert row["Ingediend op"] == datetime(2026, 11, 29, 11, 0)  # Amsterdam wall clock


def test_csv_cells_use_the_decimal_comma_and_dutch_dates() -> None:
    assert csv_cell(Decimal("1250.5"), "euros") == "1250,50"
    assert csv_cell(3.75, "decimal") == "3,8"
    assert csv_cell(7, "integer") == "7"
    assert csv_cell(date(2026, 3, 1), "date") == "01-03-2026"
    assert csv_cell(datetime(2026, 3, 1, 9, 5), "datetime") == "01-03-2026 09:05"
    assert csv_cell("=1+1") == "'=1+1"


def test_a_sheet_round_trips_through_csv_and_xlsx() -> None:
    sheet = Sheet(
        "Test",
        [Column("Naam"), Column("Bedrag", "euros"), Column("Op", "date")],
        [["@kwaad", Decimal("12.5"), date(2026, 1, 2)]],
    )
    [header, row] = list(csv.reader(io.StringIO(to_csv(sheet).decode("utf-8-sig")), delimiter=";"))
    assert header == ["Naam", "Bedrag", "Op"] and row == ["'@kwaad", "12,50", "02-01-2026"]
    book = load_workbook(io.BytesIO(to_xlsx([sheet, replace(sheet, title="Twee")])))
    assert book.sheetnames == ["Test", "Twee"]
    ws = book["Test"]
    assert [c.value for c in ws[2]] == ["'@kwaad", 12.5, datetime(2026, 1, 2)]
    assert ws.cell(row=2, column=2).number_format == '"€" #,##0.00'
    assert ws.cell(row=2, column=3).number_format == "dd-mm-yyyy"
    long = to_long_csv([sheet], ["Onderwerp", "Regel", "Cijfer", "Waarde"]).decode("utf-8-sig")
    assert long.splitlines() == [
        "Onderwerp;Regel;Cijfer;Waarde",
        "Test;'@kwaad;Bedrag;12,50",
        "Test;'@kwaad;Op;02-01-2026",
    ]
