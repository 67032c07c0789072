"""The yearly acknowledgement of the code: the integrity officer starts and follows the
campaign; everyone confirms from the card the bot sends them (§ Inleiding: the code applies to
everyone and is not optional)."""

from __future__ import annotations

from typing import Any

from bot.domain.people import Actor, Role
from bot.services.acknowledgements import confirm, start_campaign, status, this_year
from bot.services.context import Services
from cards import render, text
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry
from dialogs.roles import requires


def ask_card(year: int, round_: int, locale: str, confirmed: bool = False) -> dict[str, Any]:
    """The card every employee gets: confirm, or declare what is not declared yet."""
    return render(
        "acknowledgement",
        locale,
        {
            "title": text(locale, "acknowledgement.title", year=year),
            "year": str(year),
            "reminder": round_ > 0,
            "confirmed": confirmed,
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
    return render(
        "acknowledgement_status",
        locale,
        {
            "title": text(locale, "acknowledgement.status_title", year=year),
            "note": note,
            "summary": summary,
            "departments": facts,
            "canStart": campaign is None,
            "start": text(locale, "acknowledgement.start", year=year),
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


@requires((Role.INTEGRITY_OFFICER,), "acknowledgement.not_allowed")
async def show_status(action: CardAction, services: Services) -> Card:
    return await status_card(action.actor, services)


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
    return ask_card(year, 0, actor.locale, confirmed=True)


def register(registry: VerbRegistry) -> None:
    registry.add("ack.start", start)
    registry.add("ack.status", show_status)
    registry.add("ack.confirm", confirm_code)
