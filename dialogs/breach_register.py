"""The breach register (AVG art. 33(5)): every report, notified or not, for the privacy office.

A card listing (newest first, per year) and exports to CSV and Excel with Dutch headers, Dutch
dates (dd-mm-jjjj uu:mm, Amsterdam time) and numbers (decimal comma in CSV; number formats in
Excel), fetched through a one-time link (see bot.services.exports).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.breaches import AMSTERDAM, Breach, BreachStatus, Mark, is_overdue
from bot.services.breaches import PRIVACY_OFFICE, NotPrivacyOffice, office_member
from bot.services.context import Services
from bot.services.documents import Section, to_pdf
from bot.services.exports import FORMATS, LIFETIME, ExportFile, ExportTicket, create_ticket
from bot.services.exports import link as export_link
from bot.services.roles import has_role
from bot.services.spreadsheets import CONTENT_TYPES, Column, Sheet, to_csv, to_xlsx
from cards import render, text, texts_for
from dialogs.base import Card, CardAction
from dialogs.breach_view import letter_texts
from dialogs.dataleak import office_contact, refusal
from dialogs.registry import VerbRegistry
from dialogs.requests_view import when

ALL = "all"
Cell = str | datetime | float | None
COLUMNS = (
    "reference",
    "reported_at",
    "reporter",
    "occurred_at",
    "discovered_at",
    "deadline",
    "description",
    "ongoing",
    "kind",
    "data_kinds",
    "people",
    "encrypted",
    "measures",
    "additions",
    "acknowledged_at",
    "acknowledged_by",
    "ap_decision",
    "ap_reason",
    "ap_decided_at",
    "ap_decided_by",
    "ap_late",
    "hours_to_ap_decision",
    "subjects_decision",
    "subjects_reason",
    "subjects_decided_at",
    "closed_at",
    "closed_by",
    # The dossier (art. 33(5): facts, effects, measures, assessment, reason for (not) reporting)
    "aware_at",
    "consequences",
    "office_measures",
    "risk_proposed",
    "risk_reasons",
    "risk_decided",
    "risk_reason",
    "risk_assessed_at",
    "risk_assessed_by",
    "ap_reported_at",
    "ap_reference",
    "ap_late_reason",
    "ap_updates",
    "questions",
)
_DATE_COLUMNS = frozenset(c for c in COLUMNS if c.endswith("_at") or c == "deadline")


def _dossier_cells(b: Breach, locale: str) -> dict[str, Cell]:
    t = texts_for(locale)["dataleak"]
    levels = t["risk"]["levels"]
    a, n = b.assessment, b.notification
    return {
        "aware_at": _local(b.aware.at) if b.aware else None,
        "consequences": b.consequences,
        "office_measures": b.measures,
        "risk_proposed": levels[a.proposed.risk] if a else "",
        "risk_reasons": "; ".join(t["risk"]["reasons"][r] for r in a.proposed.reasons) if a else "",
        "risk_decided": levels[a.decided] if a else "",
        "risk_reason": a.reason if a else "",
        "risk_assessed_at": _local(a.at) if a else None,
        "risk_assessed_by": a.by.name if a else "",
        "ap_reported_at": _local(n.reported_at) if n else None,
        "ap_reference": n.reference if n else "",
        "ap_late_reason": n.late_reason if n else "",
        "ap_updates": "\n".join(
            f"{when(u.at, locale)} {t['export']['update_kinds'][u.kind.value]}: {u.text}"
            for u in b.ap_updates
        ),
        "questions": "\n".join(
            f"{when(q.asked.at, locale)}: {q.text} -> "
            + (f"{when(q.answered_at, locale)}: {q.answer}" if q.answer else "-")
            for q in b.questions
        ),
    }


def _year(raw: object, now: datetime) -> int | None:
    """The year asked for: a number, 'all' (None), or this year when nothing valid is given."""
    if raw == ALL:
        return None
    if isinstance(raw, str) and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return now.astimezone(AMSTERDAM).year


pick_year = _year  # for the tab (bot/tab/http.py)


def in_year(breaches: Sequence[Breach], year: int | None) -> list[Breach]:
    """Reports discovered in `year` (Amsterdam time), or all of them."""
    if year is None:
        return list(breaches)
    return [b for b in breaches if b.facts.discovered_at.astimezone(AMSTERDAM).year == year]


# The privacy office's filters on the tab (and in the export made from it): open or closed (or
# the step it is at), the risk decided, the AP decision, and the 72 hours (art. 33(1)).
STATES = ("open", "reported", "acknowledged", "closed")
RISKS = ("unassessed", "none", "risk", "high")
AP_DECISIONS = ("yes", "no", "open")
CLOCKS = ("late", "on_time")
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class Narrowing:
    """What the register is narrowed to; "" is "all". Each value is checked against what
    exists (`of`), so a ticket's params or a query string cannot smuggle anything else in."""

    state: str = ""
    risk: str = ""
    ap: str = ""
    clock: str = ""
    search: str = ""

    @classmethod
    def of(cls, raw: Mapping[str, object]) -> Narrowing:
        def one(key: str, allowed: Sequence[str]) -> str:
            value = raw.get(key)
            return value if isinstance(value, str) and value in allowed else ""

        typed = raw.get("q")
        search = " ".join(typed.split())[:SEARCH_LIMIT] if isinstance(typed, str) else ""
        return cls(
            one("state", STATES), one("risk", RISKS), one("ap", AP_DECISIONS),
            one("clock", CLOCKS), search,
        )  # fmt: skip

    def params(self) -> dict[str, str]:
        """For an export ticket (the same keys `of` reads)."""
        return {
            "state": self.state, "risk": self.risk, "ap": self.ap, "clock": self.clock,
            "q": self.search,
        }  # fmt: skip


def late(breach: Breach, now: datetime) -> bool:
    """Past the 72 hours: still without the AP decision after them, or decided (or notified)
    after them (art. 33(1): a late notification says why)."""
    if breach.clock_running:
        return is_overdue(breach.clock_start, now)
    decided_late = breach.ap is not None and breach.ap.late
    return decided_late or (breach.notification is not None and breach.notification.late)


def _state_of(breach: Breach, state: str) -> bool:
    if state == "open":
        return breach.status is not BreachStatus.CLOSED
    return breach.status.value == state


def _risk_of(breach: Breach) -> str:
    return breach.assessment.decided.value if breach.assessment else "unassessed"


def _ap_of(breach: Breach) -> str:
    return "open" if breach.ap is None else ("yes" if breach.ap.yes else "no")


def narrowed(breaches: Sequence[Breach], narrowing: Narrowing, now: datetime) -> list[Breach]:
    """The reports that match every chosen filter and the search: each typed word, ignoring
    case, in the reference or in what happened."""
    words = narrowing.search.casefold().split()
    found = []
    for b in breaches:
        if narrowing.state and not _state_of(b, narrowing.state):
            continue
        if narrowing.risk and _risk_of(b) != narrowing.risk:
            continue
        if narrowing.ap and _ap_of(b) != narrowing.ap:
            continue
        if narrowing.clock and late(b, now) != (narrowing.clock == "late"):
            continue
        haystack = f"{b.id} {b.facts.description}".casefold()
        if any(word not in haystack for word in words):
            continue
        found.append(b)
    return found


def _line(breach: Breach, locale: str) -> str:
    t = texts_for(locale)["dataleak"]
    kind = t["kinds"][breach.facts.kind.value] if breach.facts.kind else "—"
    ap = "ap_open" if breach.ap is None else ("ap_yes" if breach.ap.yes else "ap_no")
    state = "closed" if breach.status is BreachStatus.CLOSED else "open"
    status = f"{t['register'][state]} · {t['register'][ap]}"
    return text(
        locale,
        "dataleak.register.line",
        discovered=when(breach.facts.discovered_at, locale),
        kind=kind,
        status=status,
    )


def register_card(breaches: Sequence[Breach], locale: str, year: int | None, now: datetime) -> Card:
    this_year = now.astimezone(AMSTERDAM).year
    years = {this_year, *(b.facts.discovered_at.astimezone(AMSTERDAM).year for b in breaches)}
    choices = [{"title": str(y), "value": str(y)} for y in sorted(years, reverse=True)]
    choices.append({"title": text(locale, "dataleak.register.all_years"), "value": ALL})
    shown = in_year(breaches, year)
    return render(
        "breach_register",
        locale,
        {
            "year": str(year) if year is not None else ALL,
            "years": choices,
            "entries": [{"reference": b.id, "line": _line(b, locale)} for b in shown],
        },
    )


async def open_register(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        await office_member(services, action.actor)
    except NotPrivacyOffice:
        return refusal(locale, "not_privacy_office")
    now = services.clock()
    breaches = await services.breaches.register(action.actor.tenant_id)
    return register_card(breaches, locale, _year(action.data.get("year"), now), now)


async def export_register(action: CardAction, services: Services) -> Card:
    """A one-time download link to the register as CSV or Excel."""
    locale = action.actor.locale
    try:
        await office_member(services, action.actor)
    except NotPrivacyOffice:
        return refusal(locale, "not_privacy_office")
    fmt = action.data.get("format")
    if fmt not in FORMATS:
        fmt = "xlsx"
    now = services.clock()
    year = _year(action.data.get("year"), now)
    ticket = await create_ticket(
        services.tickets,
        action.actor.tenant_id,
        action.actor.user_id,
        str(fmt),
        year,
        locale,
        now,
    )
    filename = file_name(locale, year, ticket.format)
    minutes = int(LIFETIME.total_seconds() // 60)
    return render(
        "breach_export",
        locale,
        {
            "ready": text(locale, "dataleak.register.export_ready", minutes=minutes),
            "download": text(locale, "dataleak.register.download", file=filename),
            "url": export_link(services.settings.public_url, ticket),
            "year": str(year) if year is not None else ALL,
        },
    )


def file_name(locale: str, year: int | None, fmt: str) -> str:
    base = text(locale, "dataleak.export.file")
    return f"{base}-{year if year is not None else ALL}.{fmt}"


# --- The export files ---------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    """Amsterdam wall-clock time without zone (spreadsheets have no time zones)."""
    if moment is None:
        return None
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def _mark(mark: Mark | None) -> tuple[datetime | None, str]:
    return (_local(mark.at), mark.by.name) if mark else (None, "")


def register_rows(breaches: Sequence[Breach], locale: str) -> tuple[list[str], list[list[Cell]]]:
    """Headers and one row per report: dates as local datetimes, hours as numbers."""
    t = texts_for(locale)["dataleak"]
    yes, no = text(locale, "common.yes"), text(locale, "common.no")

    def yes_no(value: bool | None) -> str:
        return "" if value is None else (yes if value else no)

    rows: list[list[Cell]] = []
    for b in breaches:
        f = b.facts
        acknowledged_at, acknowledged_by = _mark(b.acknowledged)
        closed_at, closed_by = _mark(b.closed)
        hours = None
        if b.ap is not None:
            hours = round((b.ap.at - f.discovered_at).total_seconds() / 3600, 1)
        values: dict[str, Cell] = {
            "reference": b.id,
            "reported_at": _local(b.reported_at),
            "reporter": b.reporter.name,
            "occurred_at": _local(f.occurred_at),
            "discovered_at": _local(f.discovered_at),
            "deadline": _local(b.deadline),
            "description": f.description,
            "ongoing": t["answers3"][f.ongoing.value],
            "kind": t["kinds"][f.kind.value] if f.kind else "",
            "data_kinds": ", ".join(t["data"][k.value] for k in f.data_kinds),
            "people": t["people_ranges"][f.people.value] if f.people else "",
            "encrypted": t["answers3"][f.encrypted.value] if f.encrypted else "",
            "measures": f.measures,
            "additions": "\n".join(f"{when(a.at, locale)}: {a.text}" for a in b.additions),
            "acknowledged_at": acknowledged_at,
            "acknowledged_by": acknowledged_by,
            "ap_decision": yes_no(b.ap.yes if b.ap else None),
            "ap_reason": b.ap.reason if b.ap else "",
            "ap_decided_at": _local(b.ap.at) if b.ap else None,
            "ap_decided_by": b.ap.by.name if b.ap else "",
            "ap_late": yes_no(b.ap.late if b.ap else None),
            "hours_to_ap_decision": hours,
            "subjects_decision": yes_no(b.subjects.yes if b.subjects else None),
            "subjects_reason": b.subjects.reason if b.subjects else "",
            "subjects_decided_at": _local(b.subjects.at) if b.subjects else None,
            "closed_at": closed_at,
            "closed_by": closed_by,
            **_dossier_cells(b, locale),
        }
        rows.append([values[c] for c in COLUMNS])
    return [t["export"][c] for c in COLUMNS], rows


def register_sheet(breaches: Sequence[Breach], locale: str) -> Sheet:
    """The register as one sheet: dates as date cells, hours as a number."""
    headers, rows = register_rows(breaches, locale)
    columns = [
        Column(
            header,
            "datetime"
            if key in _DATE_COLUMNS
            else ("decimal" if key == "hours_to_ap_decision" else "text"),
            40 if key == "description" else 18,
        )
        for key, header in zip(COLUMNS, headers, strict=True)
    ]
    return Sheet(text(locale, "dataleak.export.sheet"), columns, rows)


async def export_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    """The register file for a redeemed ticket, or None.

    The role is checked again now: a person who left the privacy office gets nothing."""
    if not await has_role(services, ticket.tenant_id, ticket.user_id, PRIVACY_OFFICE):
        return None
    breaches = in_year(await services.breaches.register(ticket.tenant_id), ticket.year)
    # From the tab, the file holds what its filters show (the card's export has none).
    breaches = narrowed(breaches, Narrowing.of(ticket.params), services.clock())
    sheet = register_sheet(breaches, ticket.locale)
    name = file_name(ticket.locale, ticket.year, ticket.format)
    content = to_csv(sheet) if ticket.format == "csv" else to_xlsx([sheet])
    return name, CONTENT_TYPES[ticket.format], content


def register(registry: VerbRegistry) -> None:
    registry.add("dataleak.register", open_register)
    registry.add("dataleak.export", export_register)


# --- One case's documents (PDF) -----------------------------------------------------------


async def _case_for(services: Services, ticket: ExportTicket) -> Breach | None:
    """The case named on the ticket; the role is checked again now."""
    if not await has_role(services, ticket.tenant_id, ticket.user_id, PRIVACY_OFFICE):
        return None
    stored = await services.breaches.get(ticket.tenant_id, ticket.params.get("breachId", ""))
    return stored.breach if stored is not None else None


def dossier_sections(breach: Breach, locale: str) -> list[Section]:
    """The dossier: the register's entry for this case, grouped, with the trail."""
    headers, [row] = register_rows([breach], locale)
    cells = dict(zip(COLUMNS, row, strict=True))
    titles = dict(zip(COLUMNS, headers, strict=True))

    def shown(value: Cell) -> str:
        if isinstance(value, datetime):
            return value.strftime("%d-%m-%Y %H:%M")
        if isinstance(value, float):
            return f"{value:.1f}".replace(".", ",")
        return str(value or "")

    t = texts_for(locale)["dataleak"]["dossier"]
    sections = []
    for key, columns in DOSSIER_GROUPS:
        rows = [(titles[c], shown(cells[c])) for c in columns]
        sections.append(Section(t["sections"][key], rows))
    trail = [
        f"{when(e.at, locale)}  {e.action}" + (f" ({e.detail})" if e.detail else "")
        for e in breach.audit
    ]
    sections.append(Section(t["sections"]["trail"], paragraphs=trail))
    return sections


DOSSIER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "facts",
        (
            "reference",
            "reported_at",
            "reporter",
            "occurred_at",
            "discovered_at",
            "aware_at",
            "deadline",
            "description",
            "ongoing",
            "kind",
            "data_kinds",
            "people",
            "encrypted",
            "measures",
            "additions",
            "questions",
        ),
    ),
    ("effects", ("consequences", "office_measures")),
    (
        "assessment",
        (
            "risk_proposed",
            "risk_reasons",
            "risk_decided",
            "risk_reason",
            "risk_assessed_at",
            "risk_assessed_by",
        ),
    ),
    (
        "ap",
        (
            "ap_decision",
            "ap_reason",
            "ap_decided_at",
            "ap_decided_by",
            "ap_late",
            "hours_to_ap_decision",
            "ap_reported_at",
            "ap_reference",
            "ap_late_reason",
            "ap_updates",
        ),
    ),
    ("subjects", ("subjects_decision", "subjects_reason", "subjects_decided_at")),
    ("handling", ("acknowledged_at", "acknowledged_by", "closed_at", "closed_by")),
)


async def dossier_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    breach = await _case_for(services, ticket)
    if breach is None:
        return None
    locale = ticket.locale
    title = text(locale, "dataleak.dossier.title", reference=breach.id)
    subtitle = text(locale, "dataleak.dossier.subtitle", date=when(services.clock(), locale))
    body = to_pdf(title, subtitle, dossier_sections(breach, locale))
    return f"{text(locale, 'dataleak.dossier.file')}-{breach.id}.pdf", "application/pdf", body


async def letter_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    breach = await _case_for(services, ticket)
    if breach is None:
        return None
    locale = ticket.locale
    nl, en = letter_texts(breach, office_contact(breach, locale))
    sections = [
        Section("Nederlands", paragraphs=nl.split("\n\n")),
        Section("English", paragraphs=en.split("\n\n")),
    ]
    title = text(locale, "dataleak.letter.file_title", reference=breach.id)
    body = to_pdf(title, breach.id, sections)
    return f"{text(locale, 'dataleak.letter.file')}-{breach.id}.pdf", "application/pdf", body
