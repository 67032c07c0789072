"""The yearly acknowledgement of the code: the integrity officer starts and follows the
campaign; everyone confirms from the card the bot sends them (§ Inleiding: the code applies to
everyone and is not optional)."""

from __future__ import annotations

from typing import Any

from bot.domain.people import Actor, Role
from bot.services.acknowledgements import (
    AMSTERDAM,
    confirm,
    not_confirmed,
    start_campaign,
    status,
    this_year,
)
from bot.services.context import Services
from bot.services.exports import FORMATS, ExportFile, ExportTicket, create_ticket
from bot.services.exports import link as export_link
from bot.services.roles import has_role
from bot.services.spreadsheets import CONTENT_TYPES, Column, Sheet, to_csv, to_xlsx
from cards import render, text
from dialogs.base import Card, CardAction
from dialogs.registers import export_link_card
from dialogs.registry import VerbRegistry
from dialogs.roles import requires

# Who follows the campaign and sees, by name, who has not confirmed yet; only the integrity
# officer starts it.
VIEWERS = (Role.INTEGRITY_OFFICER, Role.HR)
SHOWN = 50  # names on the card; the export has everyone


def ask_card(
    year: int, round_: int, locale: str, code_url: str = "", confirmed: bool = False
) -> dict[str, Any]:
    """The card every employee gets: confirm, or declare what is not declared yet; it links
    to the code's full text (`CODE_URL`)."""
    return render(
        "acknowledgement",
        locale,
        {
            "title": text(locale, "acknowledgement.title", year=year),
            "year": str(year),
            "reminder": round_ > 0,
            "confirmed": confirmed,
            "codeUrl": code_url,
        },
    )


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


async def status_card(actor: Actor, services: Services, note: str = "") -> Card:
    locale = actor.locale
    year = this_year(services)
    campaign, departments = await status(services, actor.tenant_id, year)
    confirmed = sum(d.confirmed for d in departments)
    total = sum(d.total for d in departments)
    undelivered = sum(d.undelivered for d in departments)
    facts = [
        {
            "title": d.department,
            "value": text(
                locale,
                "acknowledgement.department_undelivered"
                if d.undelivered
                else "acknowledgement.department_line",
                confirmed=d.confirmed,
                total=d.total,
                percent=_percent(d.confirmed, d.total),
                undelivered=d.undelivered,
            ),
        }
        for d in departments
    ]
    summary = (
        text(
            locale,
            "acknowledgement.status_summary",
            confirmed=confirmed,
            total=total,
            percent=_percent(confirmed, total),
            undelivered=undelivered,
        )
        if campaign
        else text(locale, "acknowledgement.not_started", year=year)
    )
    missing = await not_confirmed(services, actor.tenant_id, year) if campaign else []
    names = [
        {
            "title": p.name or "?",
            "value": p.department or "-"
            if not p.undelivered
            else f"{p.department or '-'} ({text(locale, 'acknowledgement.not_reached')})",
        }
        for p in missing[:SHOWN]
    ]
    return render(
        "acknowledgement_status",
        locale,
        {
            "title": text(locale, "acknowledgement.status_title", year=year),
            "note": note,
            "summary": summary,
            "departments": facts,
            "canStart": campaign is None,
            "canExport": campaign is not None,
            "start": text(locale, "acknowledgement.start", year=year),
            "missingTitle": text(locale, "acknowledgement.not_confirmed_title", count=len(missing))
            if campaign
            else "",
            "missing": names,
            "missingNone": text(locale, "acknowledgement.not_confirmed_none")
            if campaign and not missing
            else "",
            "missingMore": text(
                locale, "acknowledgement.not_confirmed_more", more=len(missing) - SHOWN
            )
            if len(missing) > SHOWN
            else "",
            "year": str(year),
            "codeUrl": services.settings.code_url,
        },
    )


@requires((Role.INTEGRITY_OFFICER,), "acknowledgement.not_allowed")
async def start(action: CardAction, services: Services) -> Card:
    added = await start_campaign(services, action.actor)
    note = text(
        action.actor.locale,
        "acknowledgement.started",
        added=added,
        days=services.settings.ack_reminder_days,
    )
    return await status_card(action.actor, services, note)


@requires(VIEWERS, "acknowledgement.not_allowed")
async def show_status(action: CardAction, services: Services) -> Card:
    return await status_card(action.actor, services)


def file_name(locale: str, year: int, fmt: str) -> str:
    return f"{text(locale, 'acknowledgement.file_name', year=year)}.{fmt}"


@requires(VIEWERS, "acknowledgement.not_allowed")
async def export(action: CardAction, services: Services) -> Card:
    """A one-time download link for the list of who has not confirmed yet (CSV or Excel)."""
    actor = action.actor
    fmt = action.data.get("format")
    fmt = fmt if fmt in FORMATS else "xlsx"
    now = services.clock()
    year = this_year(services)
    ticket = await create_ticket(
        services.tickets,
        actor.tenant_id,
        actor.user_id,
        str(fmt),
        year,
        actor.locale,
        now,
        subject="acknowledgements",
    )
    url = export_link(services.settings.public_url, ticket)
    return export_link_card(
        actor.locale, file_name(actor.locale, year, ticket.format), url, "ack.status", {}
    )


async def export_file(services: Services, ticket: ExportTicket) -> ExportFile | None:
    """The list for a redeemed ticket; the role is checked again now."""
    if not await has_role(services, ticket.tenant_id, ticket.user_id, VIEWERS):
        return None
    year = ticket.year or services.clock().astimezone(AMSTERDAM).year
    missing = await not_confirmed(services, ticket.tenant_id, year)
    emails = {p.id: p.email for p in await services.directory.people(ticket.tenant_id)}
    locale = ticket.locale

    def column(key: str, width: int = 18) -> Column:
        return Column(text(locale, f"acknowledgement.columns.{key}"), width=width)

    sheet = Sheet(
        text(locale, "acknowledgement.sheet"),
        [
            column("name", 28),
            column("email", 32),
            column("department", 22),
            column("status"),
            column("round"),
            column("undelivered"),
        ],
        [
            [
                p.name,
                emails.get(p.person_id, ""),
                p.department,
                text(locale, "acknowledgement.statuses.open"),
                str(p.round + 1) if p.round >= 0 else "",
                text(locale, "acknowledgement.not_reached") if p.undelivered else "",
            ]
            for p in missing
        ],
    )
    content = to_csv(sheet) if ticket.format == "csv" else to_xlsx([sheet])
    return file_name(locale, year, ticket.format), CONTENT_TYPES[ticket.format], content


async def confirm_code(action: CardAction, services: Services) -> Card:
    """Anyone confirms for themselves; the year on the card is used only if it is this year or
    last year (a card that arrived late in December)."""
    actor = action.actor
    if not actor.user_id or not actor.tenant_id:
        return render(
            "error", actor.locale, {"message": text(actor.locale, "requests.no_identity")}
        )
    current = this_year(services)
    raw = str(action.data.get("year", ""))
    year = int(raw) if raw.isdigit() and int(raw) in (current, current - 1) else current
    await confirm(services, actor, year)
    return ask_card(year, 0, actor.locale, services.settings.code_url, confirmed=True)


def register(registry: VerbRegistry) -> None:
    registry.add("ack.start", start)
    registry.add("ack.status", show_status)
    registry.add("ack.confirm", confirm_code)
    registry.add("ack.export", export)
