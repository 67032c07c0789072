"""The registers for the integrity officer and HR: gifts, invitations, current side jobs,
supplier consents and tenant ties, filtered by year and department, exported to CSV and Excel.

`register.open` shows the kind chooser; `register.show` one register with its filters;
`register.export` a one-time download link (see bot.services.exports). The role is checked for
the authenticated person on every action and again at download.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.money import format_euros
from bot.domain.registers import ALL, AMSTERDAM, select, years
from bot.domain.requests import ApprovalRequest, lacking_advice
from bot.domain.suppliers import quotes_text
from bot.services.context import Services
from bot.services.exports import FORMATS, LIFETIME, ExportFile, ExportTicket, create_ticket
from bot.services.exports import link as export_link
from bot.services.registers import REGISTER_ROLES, departments, offered_years, requests_of
from bot.services.roles import has_role
from bot.services.spreadsheets import (
    CONTENT_TYPES,
    Cell,
    Column,
    Format,
    Sheet,
    euros,
    to_csv,
    to_xlsx,
)
from cards import language_of, render, text
from cards.dates import day_text
from dialogs.base import Card, CardAction
from dialogs.kinds import (
    RegisterColumn,
    RequestKind,
    register_file,
    request_kind,
    request_kinds,
)
from dialogs.registry import VerbRegistry
from dialogs.requests_view import outcome_text
from dialogs.roles import requires

CAP = 25  # entries on the card; the export holds them all

_TAIL: tuple[tuple[str, Format], ...] = (
    ("submitted_at", "datetime"),
    ("status", "text"),
    ("outcome", "text"),
    ("approver", "text"),
    ("decided_at", "datetime"),
    ("comment", "text"),
)
_WIDE = frozenset({"description", "added_value", "touches_how", "reason", "case", "quotes"})


# --- Filters ----------------------------------------------------------------------------------


def years_to_read(year: int | None, now: datetime) -> list[int]:
    """The register partitions a screen reads: the year asked for, or every year offered."""
    return [year] if year is not None else offered_years(now.astimezone(AMSTERDAM).year)


def pick_year(raw: object, now: datetime) -> int | None:
    """A year asked for, `all` (None), or this year when nothing valid is given."""
    if raw == ALL:
        return None
    if isinstance(raw, str) and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return now.astimezone(AMSTERDAM).year


def pick_department(raw: object, known: Mapping[str, str]) -> str | None:
    """A department of the directory, or None (all) for anything else."""
    return raw if isinstance(raw, str) and raw and raw in set(known.values()) else None


def pick_kind(kinds: Kinds, raw: object) -> RequestKind[Any] | None:
    """One of the app's kinds with a register, or None for anything else."""
    kind = request_kind(kinds, raw) if isinstance(raw, str) else None
    return kind if kind is not None and kind.has_register else None


def kept(kinds: Kinds) -> list[RequestKind[Any]]:
    """The kinds with a register, in their order."""
    return [k for k in request_kinds(kinds).values() if k.has_register]


# --- Rows -------------------------------------------------------------------------------------


def _choice(locale: str, prefix: str, value: object) -> str:
    try:
        return text(locale, f"{prefix}.{value}")
    except KeyError:
        return str(value)


def resolved(
    columns: Sequence[RegisterColumn[Any]], everyone: Sequence[ApprovalRequest], locale: str
) -> list[Callable[[Any], object]]:
    """Each column's value per entry's facts; a column computed `across` the entries is given
    every entry read (not only those the filters show)."""
    return [c.across(everyone, locale) if c.across is not None else c.value for c in columns]


def _cell(
    kind: RequestKind[Any],
    request: ApprovalRequest,
    column: RegisterColumn[Any],
    locale: str,
    value_of: Callable[[Any], object] | None = None,
) -> Cell:
    fmt = column.fmt
    value = (value_of or column.value)(kind.facts_of(request))
    if fmt == "verdict":
        return _choice(locale, "registers.verdicts", request.verdict) if request.verdict else ""
    if fmt == "advice":
        return kind.advice_text(request, locale)
    if fmt == "assignee":
        return request.assignee.name if request.assignee else ""
    if fmt == "without_advice":
        lacking = lacking_advice(request)
        return text(locale, f"registers.without_advice.{lacking}") if lacking else ""
    if fmt == "yesno":
        return text(locale, "common.yes" if value else "common.no")
    if value in (None, ""):
        return None
    if fmt == "euros":
        return euros(int(str(value)))
    if fmt == "number":
        return float(str(value))
    if fmt.startswith("choice:"):
        return _choice(locale, fmt[7:], value)
    if fmt == "quotes":
        return quotes_text(value, language_of(locale))
    return str(value)


def _local(moment: datetime | None) -> datetime | None:
    """Amsterdam wall-clock time without zone (spreadsheets have no time zones)."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None) if moment else None


def register_sheet(
    requests: Sequence[ApprovalRequest],
    kind: RequestKind[Any],
    locale: str,
    known: Mapping[str, str],
    everyone: Sequence[ApprovalRequest] | None = None,
) -> Sheet:
    """One register as a sheet: Dutch headers, dates as dates, amounts in euros. `everyone`:
    every entry read (the filters may show fewer), for columns computed across entries."""
    values = resolved(kind.columns, requests if everyone is None else everyone, locale)
    formats: dict[str, Format] = {"euros": "euros", "number": "decimal"}
    columns = [
        Column(text(locale, "registers.columns.reference")),
        Column(text(locale, "registers.columns.department")),
        Column(text(locale, "registers.columns.requester")),
        Column(text(locale, kind.register_date), "date"),
        *(
            Column(
                text(locale, c.header_key),
                formats.get(c.fmt, "text"),
                40 if c.key in _WIDE else 18,
            )
            for c in kind.columns
        ),
        *(Column(text(locale, f"registers.columns.{key}"), fmt) for key, fmt in _TAIL),
    ]
    rows: list[list[Cell]] = []
    for r in requests:
        decided = r.decided_at is not None
        rows.append(
            [
                r.id,
                known.get(r.requester.id, ""),
                r.requester.name,
                kind.register_day(r),
                *(_cell(kind, r, c, locale, v) for c, v in zip(kind.columns, values, strict=True)),
                _local(r.created_at),
                text(locale, f"registers.statuses.{r.status.value}"),
                outcome_text(kind, r, locale, requester=False),
                r.approver.name if decided else "",
                _local(r.decided_at),
                r.comment,
            ]
        )
    title = text(locale, kind.register_title)
    return Sheet(title, columns, rows)


# --- Cards ------------------------------------------------------------------------------------


def _day(day: date, locale: str) -> str:
    return day_text(day, locale)


def _entry(
    kind: RequestKind[Any],
    r: ApprovalRequest,
    locale: str,
    known: Mapping[str, str],
    columns: Sequence[Callable[[Any], object]] = (),
) -> dict[str, str]:
    values: dict[str, Any] = {
        "reference": r.id,
        "requester": r.requester.name,
        "department": known.get(r.requester.id) or text(locale, "registers.no_department"),
        "date": _day(kind.register_day(r), locale),
        "status": outcome_text(kind, r, locale, requester=False)
        or text(locale, f"registers.statuses.{r.status.value}"),
    }
    cents = kind.amount_of(r)
    if cents is not None:
        values["value"] = format_euros(cents, language_of(locale))
        line = text(locale, "registers.line_value", **values)
    else:
        line = text(locale, "registers.line", **values)
    extra = [
        f"{text(locale, c.header_key)}: {cell}"
        for c, value_of in zip(kind.columns, columns, strict=False)
        if c.on_card and (cell := _cell(kind, r, c, locale, value_of))
    ]
    return {"title": r.facts.summary or r.id, "line": line, "extra": "\n\n".join(extra)}


def _kind_choices(kinds: Kinds, locale: str) -> list[dict[str, str]]:
    return [{"title": text(locale, k.register_title), "value": k.name} for k in kept(kinds)]


def chooser_card(kinds: Kinds, locale: str, message: str = "") -> Card:
    """`register.open`: which register."""
    return render(
        "register_open",
        locale,
        {"kinds": _kind_choices(kinds, locale), "kind": kept(kinds)[0].name, "message": message},
    )


def register_card(
    kinds: Kinds,
    requests: Sequence[ApprovalRequest],
    kind: RequestKind[Any],
    year: int | None,
    department: str | None,
    known: Mapping[str, str],
    locale: str,
    now: datetime,
) -> Card:
    """One register with its filters, the newest `CAP` entries and the count."""
    of_kind = [r for r in requests if r.kind == kind.name]
    shown = select(kind, of_kind, year, department, known)
    values = resolved(kind.columns, of_kind, locale)
    this_year = now.astimezone(AMSTERDAM).year
    offered = sorted({*years(kind, of_kind, this_year), *offered_years(this_year)}, reverse=True)
    year_choices = [{"title": str(y), "value": str(y)} for y in offered]
    year_choices.append({"title": text(locale, "registers.all_years"), "value": ALL})
    names = sorted({d for d in known.values() if d})
    department_choices = [{"title": text(locale, "registers.all_departments"), "value": ALL}]
    department_choices += [{"title": d, "value": d} for d in names]
    if len(shown) > CAP:
        count = text(locale, "registers.capped", count=len(shown), shown=CAP)
    else:
        count = text(locale, "registers.count", count=len(shown))
    return render(
        "register",
        locale,
        {
            "heading": text(locale, kind.register_title),
            "intro": text(locale, kind.register_intro),
            "kind": kind.name,
            "kinds": _kind_choices(kinds, locale),
            "year": str(year) if year is not None else ALL,
            "years": year_choices,
            "department": department or ALL,
            "departments": department_choices,
            "count": count if shown else "",
            "entries": [_entry(kind, r, locale, known, values) for r in shown[:CAP]],
        },
    )


@requires(REGISTER_ROLES, "registers.not_allowed")
async def open_registers(action: CardAction, services: Services) -> Card:
    actor = action.actor
    return chooser_card(services.kinds, actor.locale)


@requires(REGISTER_ROLES, "registers.not_allowed")
async def show_register(action: CardAction, services: Services) -> Card:
    actor = action.actor
    kind = pick_kind(services.kinds, action.data.get("kind"))
    if kind is None:
        return chooser_card(
            services.kinds, actor.locale, text(actor.locale, "registers.choose_kind")
        )
    now = services.clock()
    known = await departments(services, actor.tenant_id)
    year = pick_year(action.data.get("year"), now)
    requests = await requests_of(services, actor.tenant_id, kind.name, years_to_read(year, now))
    department = pick_department(action.data.get("department"), known)
    return register_card(services.kinds, requests, kind, year, department, known, actor.locale, now)


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date | datetime):
        return cell.isoformat()
    return str(cell)


def narrowed(
    rows: list[tuple[ApprovalRequest, Sequence[Cell]]], status: str, verdict: str, search: str
) -> list[tuple[ApprovalRequest, Sequence[Cell]]]:
    """Register rows (request, its sheet cells) with the given status and verdict ("" = any)
    holding every word of `search` in the summary or a cell, case-insensitive."""
    words = search.casefold().split()
    return [
        (r, cells)
        for r, cells in rows
        if (not status or r.status.value == status)
        and (not verdict or r.verdict == verdict)
        and all(w in " ".join([r.facts.summary, *map(_cell_text, cells)]).casefold() for w in words)
    ]


def file_name(locale: str, kind: str, year: int | None, department: str, fmt: str) -> str:
    parts = [register_file(locale, kind), str(year) if year is not None else ALL]
    if department:
        parts.append("".join(c if c.isalnum() else "-" for c in department.lower()))
    return f"{'-'.join(parts)}.{fmt}"


def export_link_card(
    locale: str,
    file: str,
    url: str,
    back: str,
    data: Mapping[str, str],
    back_title: str = "registers.back",
) -> Card:
    """A download link that works once, for `LIFETIME`, and the way back."""
    minutes = int(LIFETIME.total_seconds() // 60)
    return render(
        "export_link",
        locale,
        {
            "title": text(locale, "registers.export_title"),
            "ready": text(locale, "registers.export_ready", minutes=minutes),
            "download": text(locale, "registers.download", file=file),
            "url": url,
            "backTitle": text(locale, back_title),
            "backVerb": back,
            "backData": dict(data),
        },
    )


@requires(REGISTER_ROLES, "registers.not_allowed")
async def export_register(action: CardAction, services: Services) -> Card:
    actor = action.actor
    kind = pick_kind(services.kinds, action.data.get("kind"))
    if kind is None:
        return chooser_card(
            services.kinds, actor.locale, text(actor.locale, "registers.choose_kind")
        )
    fmt = action.data.get("format")
    fmt = fmt if fmt in FORMATS else "xlsx"
    now = services.clock()
    year = pick_year(action.data.get("year"), now)
    known = await departments(services, actor.tenant_id)
    department = pick_department(action.data.get("department"), known) or ""
    ticket = await create_ticket(
        services.tickets,
        actor.tenant_id,
        actor.user_id,
        str(fmt),
        year,
        actor.locale,
        now,
        subject="register",
        params={"kind": kind.name, "department": department},
    )
    name = file_name(actor.locale, kind.name, year, department, ticket.format)
    url = export_link(services.settings.public_url, ticket)
    filters = {
        "kind": kind.name,
        "year": str(year) if year else ALL,
        "department": department or ALL,
    }
    return export_link_card(actor.locale, name, url, "register.show", filters)


async def export_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    """The register file for a redeemed ticket; the role is checked again now."""
    if not await has_role(services, ticket.tenant_id, ticket.user_id, REGISTER_ROLES):
        return None
    kind = pick_kind(services.kinds, ticket.params.get("kind"))
    if kind is None:
        return None
    known = await departments(services, ticket.tenant_id)
    department = pick_department(ticket.params.get("department"), known)
    requests = await requests_of(
        services, ticket.tenant_id, kind.name, years_to_read(ticket.year, services.clock())
    )
    chosen = select(kind, requests, ticket.year, department, known)
    sheet = register_sheet(chosen, kind, ticket.locale, known, requests)
    # The tab's export also carries its search and its status and verdict filters.
    status, verdict = ticket.params.get("status", ""), ticket.params.get("verdict", "")
    search = ticket.params.get("q", "")
    if status or verdict or search:
        rows = narrowed(list(zip(chosen, sheet.rows, strict=True)), status, verdict, search)
        sheet = replace(sheet, rows=[cells for _, cells in rows])
    name = file_name(ticket.locale, kind.name, ticket.year, department or "", ticket.format)
    content = to_csv(sheet) if ticket.format == "csv" else to_xlsx([sheet])
    return name, CONTENT_TYPES[ticket.format], content


def register(registry: VerbRegistry) -> None:
    registry.add("register.open", open_registers)
    registry.add("register.show", show_register)
    registry.add("register.export", export_register)
