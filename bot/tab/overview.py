"""The yearly overview on the tab: the card's figures as headed lists, its chart (with the same
numbers as a table, for those who cannot see it) and the same CSV/XLSX export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.overview import Overview
from bot.tab.pages import e
from cards import text, texts_for
from dialogs.overview import kind_name, overview_data


def _facts(title: str, facts: Sequence[dict[str, str]]) -> str:
    rows = "".join(f"<dt>{e(f['title'])}</dt><dd>{e(f['value'])}</dd>" for f in facts)
    return f"<h2>{e(title)}</h2><dl>{rows}</dl>"


def page(kinds: Kinds, overview: Overview, years: Sequence[int], locale: str, nav: str) -> str:
    data: dict[str, Any] = overview_data(kinds, overview, years, locale)
    t = texts_for(locale)["overview"]
    options = "".join(
        f'<option value="{y}"' + (" selected" if y == overview.year else "") + f">{y}</option>"
        for y in years
    )
    chooser = (
        '<form data-view="/overview" class="filters">'
        f'<div class="field"><label for="f-year">{e(text(locale, "tab.registers.year"))}</label>'
        f'<select id="f-year" name="year">{options}</select></div>'
        f'<button type="submit">{e(text(locale, "tab.registers.apply"))}</button></form>'
    )
    quarters = "".join(f'<th scope="col">{e(q)}</th>' for q in t["quarters"])
    rows = "".join(
        f'<tr><th scope="row">{e(kind_name(locale, f.kind))}</th>'
        + "".join(f"<td>{n}</td>" for n in overview.quarters[f.kind])
        + "</tr>"
        for f in overview.kinds
    )
    chart = (
        f'<figure><img src="{e(data["chart"])}" alt="{e(t["chart_alt"])}" class="chart">'
        f"<figcaption>{e(text(locale, 'overview.chart_title', year=overview.year))}"
        "</figcaption></figure>"
        f'<div class="table" role="region" tabindex="0" aria-label="{e(t["chart_alt"])}">'
        f"<table><thead><tr><td></td>{quarters}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    exports = (
        '<form data-api="/tab/api/overview/export" class="exports">'
        f'<input type="hidden" name="year" value="{overview.year}">'
        + "".join(
            f'<button type="submit" name="format" value="{fmt}">'
            f"{e(text(locale, 'tab.registers.export', format=fmt.upper()))}</button>"
            for fmt in ("csv", "xlsx")
        )
        + "</form>"
    )
    return (
        nav
        + f"<h1>{e(data['heading'])}</h1>"
        + chooser
        + _facts(t["declarations"], data["declarations"])
        + _facts(t["decisions"], data["decisions"])
        + _facts(t["verdicts_title"], data["verdicts"])
        + _facts(t["leaks_title"], data["leaks"])
        + _facts(t["trailer_title"], data["trailer"])
        + _facts(t["violations_title"], data["violations"])
        + chart
        + exports
    )
