"""The yearly integrity overview (`overview.open`, `overview.export`) for the directeur-bestuurder,
the chair of the Raad van Commissarissen and the integrity officer: a card with a year chooser and
a chart, and a workbook with one sheet per topic (or one long CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.money import format_euros
from bot.domain.overview import (
    REFUSAL_REASONS,
    STATUSES,
    VERDICTS,
    VIOLATION_FIGURES,
    KindFigures,
    Overview,
)
from bot.domain.registers import AMSTERDAM
from bot.services.charts import bar_chart, data_uri
from bot.services.context import Services
from bot.services.exports import FORMATS, ExportFile, ExportTicket, create_ticket
from bot.services.exports import link as export_link
from bot.services.overview import yearly
from bot.services.registers import OVERVIEW_ROLES
from bot.services.roles import has_role
from bot.services.spreadsheets import (
    CONTENT_TYPES,
    Cell,
    Column,
    Sheet,
    euros,
    to_long_csv,
    to_xlsx,
)
from cards import language_of, render, text, texts_for
from dialogs.base import Card, CardAction
from dialogs.registers import export_link_card
from dialogs.registry import VerbRegistry
from dialogs.roles import requires


def pick_year(raw: object, now: datetime) -> int:
    """The year asked for, or this year when nothing valid is given."""
    if isinstance(raw, str) and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return now.astimezone(AMSTERDAM).year


def kind_name(locale: str, kind: str) -> str:
    """A kind's line in the overview (its own text), or the total's."""
    return text(locale, "overview.kinds.all" if kind == "all" else f"{kind}.names.overview")


def number(value: float | None, locale: str) -> str:
    """One decimal, with a decimal comma in Dutch."""
    if value is None:
        return "—"
    shown = f"{value:.1f}"
    return shown if language_of(locale) == "en" else shown.replace(".", ",")


def chart(overview: Overview, locale: str) -> bytes:
    """Declarations per kind per quarter, as a PNG."""
    t = texts_for(locale)["overview"]
    return bar_chart(
        text(locale, "overview.chart_title", year=overview.year),
        t["quarters"],
        {kind_name(locale, f.kind): overview.quarters[f.kind] for f in overview.kinds},
    )


def _valued(kinds: Kinds, figures: KindFigures) -> bool:
    """Kinds with a value in euros, and the total."""
    kind = kinds.get(figures.kind)
    return figures.kind == "all" or (kind is not None and kind.valued)


def _count(kinds: Kinds, figures: KindFigures, locale: str) -> str:
    if _valued(kinds, figures):
        value = format_euros(figures.value_cents, language_of(locale))
        return text(locale, "overview.count_value", count=figures.count, value=value)
    return str(figures.count)


def _hours(figures: KindFigures, locale: str) -> str:
    if figures.median_hours is None:
        return text(locale, "overview.no_decisions")
    return text(
        locale,
        "overview.hours",
        median=number(figures.median_hours, locale),
        mean=number(figures.mean_hours, locale),
    )


def overview_card(kinds: Kinds, overview: Overview, years: Sequence[int], locale: str) -> Card:
    return render("overview", locale, overview_data(kinds, overview, years, locale))


def overview_data(
    kinds: Kinds, overview: Overview, years: Sequence[int], locale: str
) -> dict[str, Any]:
    """What the overview shows (the card and the tab): headed lists of facts and the chart."""
    t = texts_for(locale)["overview"]
    fact = dict[str, str]
    declarations: list[fact] = [
        {"title": kind_name(locale, f.kind), "value": _count(kinds, f, locale)}
        for f in (*overview.kinds, overview.total)
    ]
    decisions: list[fact] = [
        {"title": t["statuses"][s], "value": str(overview.total.statuses[s])} for s in STATUSES
    ]
    decisions.append({"title": t["time_to_decision"], "value": _hours(overview.total, locale)})
    decisions += [
        {
            "title": f"{t['time_to_decision']}: {kind_name(locale, f.kind)}",
            "value": _hours(f, locale),
        }
        for f in overview.kinds
        if f.median_hours is not None
    ]
    verdicts: list[fact] = [
        {"title": t["verdicts"][v], "value": str(overview.verdicts[v])} for v in VERDICTS
    ]
    verdicts += [
        {"title": t["refusals"][r], "value": str(overview.refusals[r])} for r in REFUSAL_REASONS
    ]
    leaks = overview.leaks
    within = text(
        locale,
        "overview.within",
        within=leaks.decided_within_72h,
        count=leaks.count,
        share=number(leaks.share_within_72h, locale),
    )
    leak_facts: list[fact] = [
        {"title": t["leaks"]["count"], "value": str(leaks.count)},
        {"title": t["leaks"]["within"], "value": within},
        {"title": t["leaks"]["notified"], "value": str(leaks.notified)},
    ]
    data: dict[str, Any] = {
        "heading": text(locale, "overview.title", year=overview.year),
        "trailer": [
            {"title": title, "value": str(n)} for title, n in trailer_rows(overview, locale)
        ],
        "violations": [
            {"title": title, "value": str(n)} for title, n in violation_rows(overview, locale)
        ],
        "year": str(overview.year),
        "years": [{"title": str(y), "value": str(y)} for y in years],
        "declarations": declarations,
        "decisions": decisions,
        "verdicts": verdicts,
        "leaks": leak_facts,
        "chart": data_uri(chart(overview, locale)),
    }
    return data


def trailer_rows(overview: Overview, locale: str) -> list[tuple[str, int]]:
    t = texts_for(locale)["overview"]["trailer"]
    counted = overview.trailer
    return [
        (t["employee"], counted.employee),
        (t["cancelled_for_tenant"], counted.cancelled_for_tenant),
        (t["tenant"], counted.tenant),
    ]


def violation_rows(overview: Overview, locale: str) -> list[tuple[str, int]]:
    """The confidential register as numbers: how many cases, how many decided, per measure."""
    t = texts_for(locale)["overview"]["violations"]
    return [(t[f], overview.violations[f]) for f in VIOLATION_FIGURES]


def overview_sheets(kinds: Kinds, overview: Overview, locale: str) -> list[Sheet]:
    """One sheet per topic; the quarters sheet carries the chart."""
    t = texts_for(locale)["overview"]
    c = t["columns"]
    everything = (*overview.kinds, overview.total)
    declarations: list[list[Cell]] = [
        [kind_name(locale, f.kind), f.count, euros(f.value_cents) if _valued(kinds, f) else None]
        for f in overview.kinds
    ]
    total = overview.total
    declarations.append([kind_name(locale, "all"), total.count, euros(total.value_cents)])
    decisions: list[list[Cell]] = [
        [
            kind_name(locale, f.kind),
            *(f.statuses[s] for s in STATUSES),
            f.median_hours,
            f.mean_hours,
        ]
        for f in everything
    ]
    leaks = overview.leaks
    return [
        Sheet(
            t["sheets"]["declarations"],
            [
                Column(c["kind"], width=24),
                Column(c["count"], "integer"),
                Column(c["value"], "euros"),
            ],
            declarations,
        ),
        Sheet(
            t["sheets"]["decisions"],
            [
                Column(c["kind"], width=24),
                *(Column(t["statuses"][s], "integer") for s in STATUSES),
                Column(c["median_hours"], "decimal", 26),
                Column(c["mean_hours"], "decimal", 26),
            ],
            decisions,
        ),
        Sheet(
            t["sheets"]["verdicts"],
            [Column(c["verdict"], width=24), Column(c["count"], "integer")],
            [[t["verdicts"][v], overview.verdicts[v]] for v in VERDICTS],
        ),
        Sheet(
            t["sheets"]["refusals"],
            [Column(c["reason"], width=40), Column(c["count"], "integer")],
            [[t["refusals"][r], overview.refusals[r]] for r in REFUSAL_REASONS],
        ),
        Sheet(
            t["sheets"]["leaks"],
            [Column(c["figure"], width=48), Column(c["amount"], "number")],
            [
                [t["leaks"]["count"], leaks.count],
                [t["leaks"]["within"], leaks.decided_within_72h],
                [t["leaks"]["share"], leaks.share_within_72h],
                [t["leaks"]["notified"], leaks.notified],
            ],
        ),
        Sheet(
            t["sheets"]["trailer"],
            [Column(c["figure"], width=48), Column(c["count"], "integer")],
            [[title, n] for title, n in trailer_rows(overview, locale)],
        ),
        Sheet(
            t["sheets"]["violations"],
            [Column(c["figure"], width=48), Column(c["count"], "integer")],
            [[title, n] for title, n in violation_rows(overview, locale)],
        ),
        Sheet(
            t["sheets"]["quarters"],
            [Column(c["kind"], width=24), *(Column(q, "integer", 8) for q in t["quarters"])],
            [[kind_name(locale, f.kind), *overview.quarters[f.kind]] for f in overview.kinds],
            image=chart(overview, locale),
        ),
    ]


@requires(OVERVIEW_ROLES, "overview.not_allowed")
async def open_overview(action: CardAction, services: Services) -> Card:
    actor = action.actor
    now = services.clock()
    year = pick_year(action.data.get("year"), now)
    this_year = now.astimezone(AMSTERDAM).year
    found = await yearly(services, actor.tenant_id, year, this_year)
    return overview_card(services.kinds, found.overview, found.years, actor.locale)


def file_name(locale: str, year: int, fmt: str) -> str:
    return f"{text(locale, 'overview.file')}-{year}.{fmt}"


@requires(OVERVIEW_ROLES, "overview.not_allowed")
async def export_overview(action: CardAction, services: Services) -> Card:
    actor = action.actor
    fmt = action.data.get("format")
    fmt = fmt if fmt in FORMATS else "xlsx"
    now = services.clock()
    year = pick_year(action.data.get("year"), now)
    ticket = await create_ticket(
        services.tickets,
        actor.tenant_id,
        actor.user_id,
        str(fmt),
        year,
        actor.locale,
        now,
        subject="overview",
    )
    url = export_link(services.settings.public_url, ticket)
    name = file_name(actor.locale, year, ticket.format)
    return export_link_card(
        actor.locale, name, url, "overview.open", {"year": str(year)}, "overview.back"
    )


async def export_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    """The overview file for a redeemed ticket; the role is checked again now."""
    if not await has_role(services, ticket.tenant_id, ticket.user_id, OVERVIEW_ROLES):
        return None
    now = services.clock()
    year = ticket.year or now.astimezone(AMSTERDAM).year
    found = await yearly(services, ticket.tenant_id, year, year)
    sheets = overview_sheets(services.kinds, found.overview, ticket.locale)
    if ticket.format == "csv":
        content = to_long_csv(sheets, texts_for(ticket.locale)["overview"]["csv_columns"])
    else:
        content = to_xlsx(sheets)
    return file_name(ticket.locale, year, ticket.format), CONTENT_TYPES[ticket.format], content


def register(registry: VerbRegistry) -> None:
    registry.add("overview.open", open_overview)
    registry.add("overview.export", export_overview)
