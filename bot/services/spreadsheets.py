"""CSV and Excel files as Dutch offices open them, for every register and overview export.

A `Sheet` is a title, typed columns and rows of plain cells. The writers turn it into:

- CSV: `;` between fields, decimal comma, dates `dd-mm-jjjj` (with `uu:mm` for moments), UTF-8
  with BOM and CRLF, which is what a Dutch Excel opens without an import wizard;
- XLSX (openpyxl): real date and number cells with Dutch number formats (a Dutch Excel shows
  `0.00` with a decimal comma), bold headers, optionally a PNG image beside the table.

Text that starts like a formula (`=`, `+`, `-`, `@`) is prefixed with `'` in both, so a value
someone typed into a form never runs in a spreadsheet (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | date | datetime | None
Format = Literal["text", "number", "datetime", "date", "integer", "decimal", "euros"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXCEL_FORMATS: dict[str, str] = {
    "datetime": "dd-mm-yyyy hh:mm",
    "date": "dd-mm-yyyy",
    "integer": "0",
    "decimal": "0.0",
    "euros": '"€" #,##0.00',
}


@dataclass(frozen=True)
class Column:
    header: str
    format: Format = "text"
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    """One table: a sheet in Excel, a whole file in CSV."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    image: bytes | None = field(default=None, repr=False)  # PNG, placed right of the table


def euros(cents: int | None) -> Decimal | None:
    """Whole cents as an exact euro amount for an `euros` column."""
    return None if cents is None else Decimal(cents) / 100


def safe_text(value: str) -> str:
    """Text a spreadsheet must not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_cell(value: Cell, fmt: Format = "text") -> str:
    """One value as Dutch CSV text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y" if fmt == "date" else "%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and fmt != "euros":
        return str(value)
    if isinstance(value, int | float | Decimal):
        places = 2 if fmt == "euros" else 1
        return f"{value:.{places}f}".replace(".", ",")
    return safe_text(value)


def to_csv(sheet: Sheet) -> bytes:
    """The sheet as CSV for a Dutch Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow([csv_cell(v, c.format) for v, c in zip(row, sheet.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_long_csv(sheets: Sequence[Sheet], headers: Sequence[str]) -> bytes:
    """Several sheets as one CSV, one value per line: sheet, row label, column, value.

    For an overview whose topics have different columns; `headers` names the four columns."""
    rows: list[list[str]] = []
    for sheet in sheets:
        for row in sheet.rows:
            label = row[0]
            for value, column in zip(row[1:], sheet.columns[1:], strict=True):
                shown = csv_cell(value, column.format)
                rows.append([sheet.title, str(label or ""), column.header, shown])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(headers))
    for line in rows:
        writer.writerow([safe_text(v) if i < 3 else v for i, v in enumerate(line)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([c.header for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([safe_text(v) if isinstance(v, str) else v for v in row])
        for number, column in enumerate(sheet.columns, start=1):
            number_format = _EXCEL_FORMATS.get(column.format)
            if number_format:
                for (cell,) in ws.iter_rows(min_row=2, min_col=number, max_col=number):
                    cell.number_format = number_format
            ws.column_dimensions[get_column_letter(number)].width = column.width
        ws.freeze_panes = "B2"
        if sheet.image:
            picture = Image(io.BytesIO(sheet.image))
            ws.add_image(picture, f"{get_column_letter(len(sheet.columns) + 2)}2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
