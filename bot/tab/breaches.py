"""The privacy office's breach register and case pages on the tab (read-only: acting on a case
stays on its card). The register is the export's own rows; a case page shows every column of
its row and the 72-hour clock, counted from awareness as on the card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.breaches import Breach
from bot.domain.registers import AMSTERDAM
from bot.services.spreadsheets import Cell
from bot.tab.pages import e
from cards import text
from dialogs.breach_register import ALL, in_year, register_rows
from dialogs.breach_view import clock_line
from dialogs.requests_view import when


def _cell(cell: Cell, locale: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return when(cell.replace(tzinfo=AMSTERDAM), locale)
    return str(cell)


def register_page(
    breaches: Sequence[Breach], year: int | None, now: datetime, locale: str, nav: str
) -> str:
    this_year = now.astimezone(AMSTERDAM).year
    years = sorted(
        {this_year, *(b.facts.discovered_at.astimezone(AMSTERDAM).year for b in breaches)},
        reverse=True,
    )
    chosen = str(year) if year is not None else ALL
    options = [(str(y), str(y)) for y in years] + [
        (ALL, text(locale, "dataleak.register.all_years"))
    ]
    select = "".join(
        f'<option value="{v}"' + (" selected" if v == chosen else "") + f">{e(t)}</option>"
        for v, t in options
    )
    shown = in_year(breaches, year)
    headers, rows = register_rows(shown, locale)
    wanted = (0, 1, 2, 3)  # reference, discovered, reported, kind ... as the export orders them
    head = "".join(f'<th scope="col">{e(headers[i])}</th>' for i in wanted if i < len(headers))
    body = "".join(
        "<tr>"
        + "".join(
            (
                f'<td><a href="#breaches" data-view="/breaches/{e(b.id)}">{e(b.id)}</a></td>'
                if i == 0
                else f"<td>{e(_cell(cells[i], locale))}</td>"
            )
            for i in wanted
            if i < len(cells)
        )
        + "</tr>"
        for b, cells in zip(shown, rows, strict=True)
    )
    table = (
        f'<div class="table" role="region" tabindex="0" aria-label="'
        f'{e(text(locale, "tab.breaches_title"))}"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
        if shown
        else f'<p class="empty">{e(text(locale, "tab.registers.none"))}</p>'
    )
    exports = (
        '<form data-api="/tab/api/breaches/export" class="exports">'
        f'<input type="hidden" name="year" value="{e(chosen)}">'
        + "".join(
            f'<button type="submit" name="format" value="{fmt}">'
            f"{e(text(locale, 'tab.registers.export', format=fmt.upper()))}</button>"
            for fmt in ("csv", "xlsx")
        )
        + "</form>"
    )
    return (
        nav
        + f"<h1>{e(text(locale, 'tab.breaches_title'))}</h1>"
        + '<form data-view="/breaches" class="filters"><div class="field">'
        + f'<label for="f-year">{e(text(locale, "tab.registers.year"))}</label>'
        + f'<select id="f-year" name="year">{select}</select></div>'
        + f'<button type="submit">{e(text(locale, "tab.registers.apply"))}</button></form>'
        + f'<p role="status">{e(text(locale, "tab.breaches_count", count=len(shown)))}</p>'
        + table
        + exports
    )


def case_page(breach: Breach, now: datetime, locale: str, nav: str) -> str:
    headers, [cells] = register_rows([breach], locale)
    facts = "".join(
        f"<dt>{e(h)}</dt><dd>{e(_cell(c, locale))}</dd>"
        for h, c in zip(headers, cells, strict=True)
        if c not in (None, "")
    )
    return (
        nav
        + f'<p><a href="#breaches" data-view="/breaches">{e(text(locale, "tab.back"))}</a></p>'
        + f"<h1>{e(text(locale, 'tab.breach_title', reference=breach.id))}</h1>"
        + f'<p class="message attention clock">{e(clock_line(breach, locale, now))}</p>'
        + f"<h2>{e(text(locale, 'tab.facts_title'))}</h2><dl>{facts}</dl>"
    )
