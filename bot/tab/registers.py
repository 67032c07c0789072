"""The registers on the tab: one register at a time with full-text search, filters (year,
department, status, verdict), sorting and paging, and the same CSV/XLSX export as the card.

The rows are the export's rows (`dialogs.registers.register_sheet`), so what the page shows,
what it searches and what the file holds are the same; the role is checked on the server for
the person in the token on every call, and again when the file is downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bot.domain.registers import ALL, select, years
from bot.domain.requests import ApprovalRequest, Status
from bot.services.registers import offered_years
from bot.services.spreadsheets import Cell
from bot.tab.pages import e
from cards import text
from dialogs.kinds import RequestKind
from dialogs.registers import kept, narrowed, register_sheet
from dialogs.requests_view import outcome_text

PAGE_SIZE = 25
SORTS = ("newest", "oldest", "requester", "status")


@dataclass(frozen=True)
class Query:
    """What the person asked the register for (each value checked against what exists)."""

    kind: RequestKind[Any]
    year: int | None
    department: str | None
    status: str  # "" = all
    verdict: str  # "" = all
    search: str
    sort: str
    page: int

    def params(self, **changed: object) -> str:
        values: dict[str, object] = {
            "kind": self.kind.name,
            "year": self.year if self.year is not None else ALL,
            "department": self.department or ALL,
            "status": self.status or ALL,
            "verdict": self.verdict or ALL,
            "q": self.search,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changed)
        return urlencode({k: str(v) for k, v in values.items()})


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat())
    return str(cell)


def _choice(locale: str, key: str) -> str:
    try:
        return text(locale, key)
    except (KeyError, TypeError):
        return key.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Result:
    rows: list[tuple[ApprovalRequest, Sequence[Cell]]]
    total: int
    verdicts: list[str]
    year_choices: list[int]


def run(
    query: Query,
    requests: Sequence[ApprovalRequest],
    known: Mapping[str, str],
    locale: str,
    this_year: int,
) -> Result:
    """The register's entries for `query`: filtered, searched, sorted and cut to one page."""
    kind = query.kind
    of_kind = [r for r in requests if r.kind == kind.name]
    chosen = select(kind, of_kind, query.year, query.department, known)
    sheet = register_sheet(chosen, kind, locale, known, of_kind)
    rows = narrowed(
        list(zip(chosen, sheet.rows, strict=True)), query.status, query.verdict, query.search
    )
    if query.sort == "oldest":
        rows.reverse()
    elif query.sort == "requester":
        rows.sort(key=lambda row: (row[0].requester.name.casefold(), row[0].id))
    elif query.sort == "status":
        rows.sort(key=lambda row: (row[0].status.value, row[0].id))
    total = len(rows)
    start = (query.page - 1) * PAGE_SIZE
    verdicts = sorted({r.verdict for r in of_kind if r.verdict})
    offered = sorted({*years(kind, of_kind, this_year), *offered_years(this_year)}, reverse=True)
    return Result(rows[start : start + PAGE_SIZE], total, verdicts, offered)


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str) -> str:
    items = "".join(
        f'<option value="{e(value)}"' + (" selected" if value == chosen else "") + f">{e(title)}"
        "</option>"
        for value, title in options
    )
    return (
        f'<div class="field"><label for="f-{name}">{e(label)}</label>'
        f'<select id="f-{name}" name="{name}">{items}</select></div>'
    )


def page(
    query: Query,
    result: Result,
    kinds: list[RequestKind[Any]],
    known: Mapping[str, str],
    locale: str,
    nav: str,
) -> str:
    kind = query.kind

    def t(key: str, **values: object) -> str:
        return text(locale, key, **values)

    kind_options = [(k.name, t(k.register_title)) for k in kinds]
    year_options = [(str(y), str(y)) for y in result.year_choices]
    year_options.append((ALL, t("registers.all_years")))
    departments = sorted({d for d in known.values() if d})
    department_options = [(ALL, t("registers.all_departments"))] + [(d, d) for d in departments]
    status_options = [(ALL, t("tab.registers.all_statuses"))] + [
        (s.value, t(f"registers.statuses.{s.value}")) for s in Status
    ]
    verdict_options = [(ALL, t("tab.registers.all_verdicts"))] + [
        (v, _choice(locale, f"registers.verdicts.{v}")) for v in result.verdicts
    ]
    sort_options = [(s, t(f"tab.registers.sorts.{s}")) for s in SORTS]
    year = str(query.year) if query.year is not None else ALL
    filters = (
        '<form data-view="/registers" class="filters" role="search">'
        + _select("kind", t("tab.registers.kind"), kind_options, kind.name)
        + '<div class="field"><label for="f-q">'
        + e(t("tab.registers.search"))
        + '</label><input id="f-q" name="q" type="search" maxlength="100" '
        + f'value="{e(query.search)}">'
        + "</div>"
        + _select("year", t("tab.registers.year"), year_options, year)
        + _select(
            "department", t("tab.registers.department"), department_options, query.department or ALL
        )
        + _select("status", t("tab.registers.status"), status_options, query.status or ALL)
        + _select("verdict", t("tab.registers.verdict"), verdict_options, query.verdict or ALL)
        + _select("sort", t("tab.registers.sort"), sort_options, query.sort)
        + f'<button type="submit">{e(t("tab.registers.apply"))}</button></form>'
    )
    headers = [
        t("registers.columns.reference"),
        t(kind.register_date),
        t("registers.columns.requester"),
        t("registers.columns.department"),
        t("tab.registers.subject"),
        t("registers.columns.status"),
    ]
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f"<td>{e(r.id)}</td>"
        + f"<td>{e(_cell_text(cells[3]))}</td>"
        + f"<td>{e(r.requester.name)}</td>"
        + f"<td>{e(known.get(r.requester.id, ''))}</td>"
        + f"<td>{e(r.facts.summary)}</td>"
        + f"<td>{e(_status(kind, r, locale))}</td>"
        + "</tr>"
        for r, cells in result.rows
    )
    pages = max(1, -(-result.total // PAGE_SIZE))
    count = t("tab.registers.count", count=result.total, page=query.page, pages=pages)
    paging = []
    if query.page > 1:
        paging.append(
            f'<a href="#registers" data-view="/registers?{e(query.params(page=query.page - 1))}">'
            f"{e(t('tab.registers.previous'))}</a>"
        )
    if query.page < pages:
        paging.append(
            f'<a href="#registers" data-view="/registers?{e(query.params(page=query.page + 1))}">'
            f"{e(t('tab.registers.next'))}</a>"
        )
    table = (
        f'<div class="table" role="region" aria-label="{e(t(kind.register_title))}" tabindex="0">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        if result.rows
        else f'<p class="empty">{e(t("tab.registers.none"))}</p>'
    )
    exports = (
        '<form data-api="/tab/api/registers/export" class="exports">'
        + "".join(
            f'<input type="hidden" name="{k}" value="{e(v)}">'
            for k, v in (
                ("kind", kind.name),
                ("year", year),
                ("department", query.department or ALL),
                ("status", query.status or ALL),
                ("verdict", query.verdict or ALL),
                ("q", query.search),
            )
        )
        + "".join(
            f'<button type="submit" name="format" value="{fmt}">'
            f"{e(t('tab.registers.export', format=fmt.upper()))}</button>"
            for fmt in ("csv", "xlsx")
        )
        + "</form>"
    )
    return (
        nav
        + f"<h1>{e(t(kind.register_title))}</h1>"
        + filters
        + f'<p role="status">{e(count)}</p>'
        + table
        + (f'<p class="paging">{" ".join(paging)}</p>' if paging else "")
        + exports
    )


def _status(kind: RequestKind[Any], request: ApprovalRequest, locale: str) -> str:
    return outcome_text(kind, request, locale, requester=False) or text(
        locale, f"registers.statuses.{request.status.value}"
    )


def download(locale: str, file: str, token: str, nav: str) -> str:
    """The one-time download: a plain form post to the existing export route."""
    return (
        nav
        + f"<h1>{e(text(locale, 'registers.export_title'))}</h1>"
        + f'<form method="post" action="/exports/{e(token)}">'
        + '<button type="submit" class="download">'
        + f"{e(text(locale, 'registers.download', file=file))}</button></form>"
    )


def kinds_with_register(kinds: Any) -> list[RequestKind[Any]]:
    return kept(kinds)
