"""Booking the trailer (§3, footnote 1). An employee books a date and a slot; the booking is
provisional until `TRAILER_FIRM_DAYS` days before, because tenants go first: the staff who take
tenants' bookings (role `trailer_desk`) enter a tenant's booking, which cancels a provisional
employee booking of that slot, and its holder gets a card saying so."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date
from typing import Any

from bot.domain.extract import extract
from bot.domain.people import Actor, Role
from bot.domain.trailer import (
    Booker,
    Booking,
    BookingRefused,
    Slot,
    Standing,
    firm_from,
    is_firm,
    standing,
)
from bot.services import trailer as service
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text
from cards.dates import AMSTERDAM, day_text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.forms import Field, Form, Prefill, Reader
from dialogs.registry import VerbRegistry
from dialogs.roles import requires

log = logging.getLogger("dialogs.trailer")
SLOTS = tuple(s.value for s in Slot)

DAY = Field("day", "date", "trailer.day", required=True)
SLOT = Field("slot", "choice", "trailer.slot", "trailer.slots", required=True, expanded=True)
TENANT = Field("tenant", "text", "trailer.tenant", max_length=120, required=True)

FORM = Form("trailer.title", "trailer.intro", (DAY, SLOT), "trailer.submit", "trailer.submit")
DESK_FORM = Form(
    "trailer.desk_title",
    "trailer.desk_intro",
    (DAY, SLOT, TENANT),
    "trailer.desk_submit",
    "trailer.desk_submit",
)
DESK = (Role.TRAILER_DESK,)


def _form_id(action: CardAction) -> str:
    raw = action.data.get("formId")
    return raw if isinstance(raw, str) and 0 < len(raw) <= 64 else uuid.uuid4().hex


def _facts(booking: Booking, locale: str) -> list[dict[str, str]]:
    facts = [
        {"title": text(locale, "trailer.facts.day"), "value": day_text(booking.day, locale)},
        {
            "title": text(locale, "trailer.facts.slot"),
            "value": text(locale, f"trailer.slots.{booking.slot.value}"),
        },
    ]
    if booking.booker is Booker.TENANT:
        facts.append({"title": text(locale, "trailer.facts.tenant"), "value": booking.name})
    return facts


def booking_card(
    booking: Booking, locale: str, today: date, firm_days: int, no_desk: bool = False
) -> Card:
    """The employee's booking: firm, or provisional until which day, and a way to cancel it;
    with `no_desk`, whom to ask instead of the trailer desk nobody holds."""
    if is_firm(booking, today, firm_days):
        lines = [text(locale, "trailer.firm")]
    else:
        lines = [
            text(
                locale,
                "trailer.provisional",
                date=day_text(firm_from(booking.day, firm_days), locale),
            )
        ]
    if no_desk:
        lines.append(text(locale, "trailer.role_missing.trailer_desk"))
    return render(
        "trailer",
        locale,
        {
            "title": text(locale, "trailer.booked"),
            "facts": _facts(booking, locale),
            "lines": lines,
            "cancelData": {"day": booking.day.isoformat(), "booking": booking.id},
            "againTitle": text(locale, "trailer.another"),
            "againVerb": "trailer.open",
        },
    )


def cancelled_message(booking: Booking, locale: str) -> Card:
    """What the holder of a booking a tenant's booking cancelled is sent."""
    return render(
        "trailer",
        locale,
        {
            "title": text(locale, "trailer.cancelled_title"),
            "facts": _facts(booking, locale),
            "lines": [text(locale, "trailer.cancelled_text")],
            "cancelData": None,
            "againTitle": text(locale, "trailer.another"),
            "againVerb": "trailer.open",
        },
    )


def _read(reader: Reader, today: date, desk: bool) -> tuple[date, Slot, str] | None:
    day = reader.day(DAY, today, allow_future=True)
    slot = reader.choice(SLOT, SLOTS)
    tenant = reader.text(TENANT) if desk else ""
    if reader.errors or day is None:
        return None
    return day, Slot(slot), tenant


def _refused(form: Form, locale: str, form_id: str, reader: Reader, code: str) -> Card:
    field = "day" if code in ("in_the_past", "too_far_ahead") else "slot"
    errors = {field: text(locale, f"trailer.refusals.{code}")}
    return form.card(
        locale, form_id, reader.values, errors, text(locale, "requests.form_has_errors")
    )


def _unavailable(
    form: Form, locale: str, form_id: str, values: dict[str, str], verb: str, error: StorageError
) -> Card:
    log_storage_failure(verb, "", error)
    return form.card(locale, form_id, values, {}, text(locale, "errors.storage_unavailable"))


async def _no_desk(services: Services, actor: Actor, verb: str) -> bool:
    """Whether nobody holds the trailer desk (the log names the role); a directory that cannot
    be read says nothing here (the booking itself then reports the storage trouble)."""
    try:
        return await service.desk_missing(services, actor.tenant_id)
    except StorageError as error:
        log_storage_failure(verb, "", error)
        return False


_SLOT_WORDS = (
    (re.compile(r"hele dag|gehele dag|heel de dag|all day|whole day|full day", re.I), Slot.DAY),
    (re.compile(r"ochtend|'s morgens|voormiddag|morning", re.I), Slot.MORNING),
    (re.compile(r"middag|afternoon", re.I), Slot.AFTERNOON),
)


# "zaterdagochtend", "maandagmiddag", "vrijdagmorgen": the day and the part of it, apart (and
# the morning as "ochtend": "morgen" alone is tomorrow).
_COMPOUND = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)(ochtend|morgen|middag)\b",
    re.IGNORECASE,
)


def _parts(match: re.Match[str]) -> str:
    part = match.group(2).lower()
    return f"{match.group(1)} {'ochtend' if part == 'morgen' else part}"


def prefill(said: str, today: date) -> Prefill:
    """What "ik wil de aanhangwagen reserveren voor zaterdagochtend" fills in: the day (the
    next such day: a booking is never in the past) and the slot when a part of the day is
    named. Shown on the form, editable; nothing is booked without the button."""
    said = _COMPOUND.sub(_parts, said)
    facts = extract(said, today, future=True)
    values: dict[str, str] = {}
    if facts.day is not None and facts.day >= today:
        values[DAY.id] = facts.day.isoformat()
    for pattern, slot in _SLOT_WORDS:
        if pattern.search(said):
            values[SLOT.id] = slot.value
            break
    return Prefill(values)


async def open_form(action: CardAction, services: Services) -> Card:
    """The booking form; filled in with what a typed sentence said (`prefill` data)."""
    locale = action.actor.locale
    banner = ""
    if await _no_desk(services, action.actor, "trailer.open"):
        banner = text(locale, "trailer.role_missing.trailer_desk")
    values = FORM.prefill(action.data).values
    return FORM.card(locale, uuid.uuid4().hex, values, {}, banner, prefilled=bool(values))


async def submit(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    form_id = _form_id(action)
    reader = Reader(action.data, locale)
    now = service.today(services)
    read = _read(reader, now, desk=False)
    if read is None:
        return FORM.card(
            locale, form_id, reader.values, reader.errors, text(locale, "requests.form_has_errors")
        )
    day, slot, _ = read
    try:
        booking = await service.book_for_employee(services, action.actor, day, slot, form_id)
    except BookingRefused as refused:
        return _refused(FORM, locale, form_id, reader, refused.code)
    except StorageError as error:
        return _unavailable(FORM, locale, form_id, reader.values, "trailer.submit", error)
    no_desk = await _no_desk(services, action.actor, "trailer.submit")
    return booking_card(booking, locale, now, services.settings.trailer_firm_days, no_desk)


async def cancel(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    raw_day, raw_id = action.data.get("day"), action.data.get("booking")
    try:
        day = date.fromisoformat(str(raw_day))
    except ValueError:
        day = None
    if day is None or not isinstance(raw_id, str) or not raw_id:
        return render("error", locale, {"message": text(locale, "trailer.refusals.unknown")})
    try:
        gone = await service.cancel_own(services, action.actor, day, raw_id)
    except BookingRefused as refused:
        return render(
            "error", locale, {"message": text(locale, f"trailer.refusals.{refused.code}")}
        )
    except StorageError as error:
        log_storage_failure("trailer.cancel", raw_id, error)
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})
    key = "trailer.cancelled_own" if gone is not None else "trailer.already_gone"
    return render(
        "trailer",
        locale,
        {
            "title": text(locale, key),
            "facts": [{"title": text(locale, "trailer.facts.day"), "value": day_text(day, locale)}],
            "lines": [],
            "cancelData": None,
            "againTitle": text(locale, "trailer.another"),
            "againVerb": "trailer.open",
        },
    )


@requires(DESK, "trailer.not_desk", "trailer.role_missing.desk")
async def open_desk(action: CardAction, services: Services) -> Card:
    return DESK_FORM.card(action.actor.locale, uuid.uuid4().hex)


@requires(DESK, "trailer.not_desk", "trailer.role_missing.desk")
async def desk_submit(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    form_id = _form_id(action)
    reader = Reader(action.data, locale)
    read = _read(reader, service.today(services), desk=True)
    if read is None:
        return DESK_FORM.card(
            locale, form_id, reader.values, reader.errors, text(locale, "requests.form_has_errors")
        )
    day, slot, tenant = read
    try:
        booked = await service.book_for_tenant(
            services, action.actor, day, slot, tenant, form_id, cancelled_message
        )
    except BookingRefused as refused:
        return _refused(DESK_FORM, locale, form_id, reader, refused.code)
    except StorageError as error:
        return _unavailable(DESK_FORM, locale, form_id, reader.values, "trailer.desk_submit", error)
    lines = []
    for old, told in booked.cancelled:
        key = "trailer.desk_cancelled_told" if told else "trailer.desk_cancelled_not_told"
        lines.append(
            text(locale, key, name=old.name, slot=text(locale, f"trailer.slots.{old.slot.value}"))
        )
    if not lines:
        lines.append(text(locale, "trailer.desk_nobody_cancelled"))
    return render(
        "trailer",
        locale,
        {
            "title": text(locale, "trailer.desk_booked"),
            "facts": _facts(booked.booking, locale),
            "lines": lines,
            "cancelData": None,
            "againTitle": text(locale, "trailer.desk_another"),
            "againVerb": "trailer.desk",
        },
    )


LIST_DAYS = 28  # how far ahead the desk's list looks


@requires(DESK, "trailer.not_desk", "trailer.role_missing.desk")
async def desk_list(action: CardAction, services: Services) -> Card:
    """The desk's list: every booking held for today and the coming four weeks, who holds it
    (the employee, or the tenant as the desk wrote it) and whether a tenant can still take it."""
    locale = action.actor.locale
    now = service.today(services)
    last = date.fromordinal(now.toordinal() + LIST_DAYS)
    firm_days = services.settings.trailer_firm_days
    try:
        bookings = await services.trailer.between(action.actor.tenant_id, now, last)
    except StorageError as error:
        log_storage_failure("trailer.desk_list", "", error)
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})
    lines = []
    for booking in bookings:
        if booking.booker is Booker.TENANT:
            who = text(locale, "trailer.list.tenant", name=booking.name)
        else:
            state = standing(booking, False, now, firm_days)
            who = text(
                locale,
                f"trailer.list.employee_{state.value}",
                name=booking.name,
                date=day_text(firm_from(booking.day, firm_days), locale),
            )
        lines.append(
            text(
                locale,
                "trailer.list.line",
                date=day_text(booking.day, locale),
                slot=text(locale, f"trailer.slots.{booking.slot.value}"),
                who=who,
            )
        )
    return render(
        "trailer",
        locale,
        {
            "title": text(locale, "trailer.list.title", date=day_text(last, locale)),
            "facts": [],
            "lines": lines or [text(locale, "trailer.list.empty")],
            "cancelData": None,
            "againTitle": text(locale, "trailer.desk_another"),
            "againVerb": "trailer.desk",
        },
    )


_STANDING_COLORS = {
    Standing.PROVISIONAL: "Default",
    Standing.FIRM: "Good",
    Standing.CANCELLED: "Attention",
}


async def mine_items(services: Services, actor: Actor, locale: str) -> list[dict[str, Any]]:
    """The employee's own trailer bookings as "mijn meldingen" items: provisional, firm, or
    cancelled because a tenant went first (their own cancellations are gone), each dated by
    when it was booked so the list stays newest first."""
    now = service.today(services)
    firm_days = services.settings.trailer_firm_days
    items = []
    for booking, cancelled in await services.trailer.of_person(actor.tenant_id, actor.user_id):
        state = standing(booking, cancelled, now, firm_days)
        items.append(
            {
                "title": text(
                    locale,
                    "trailer.mine.title",
                    date=day_text(booking.day, locale),
                    slot=text(locale, f"trailer.slots.{booking.slot.value}"),
                ),
                "line": text(
                    locale,
                    "trailer.mine.line",
                    kind=text(locale, "trailer.mine.noun"),
                    date=day_text(booking.created_at.astimezone(AMSTERDAM).date(), locale),
                ),
                "status": text(locale, f"trailer.mine.statuses.{state.value}"),
                "statusColor": _STANDING_COLORS[state],
                "verb": "trailer.mine",
                "data": {"day": booking.day.isoformat(), "booking": booking.id},
                "at": booking.created_at.isoformat(),
            }
        )
    return items


async def show_mine(action: CardAction, services: Services) -> Card:
    """One of the actor's own bookings, opened from "mijn meldingen": the booking card (with
    "Reservering annuleren") while it holds, the cancellation's message once a tenant went
    first. Whose it is comes from the authenticated actor, never from the card."""
    actor = action.actor
    locale = actor.locale
    raw_day, raw_id = action.data.get("day"), action.data.get("booking")
    try:
        day = date.fromisoformat(str(raw_day))
    except ValueError:
        day = None
    if day is None or not isinstance(raw_id, str) or not raw_id or not actor.user_id:
        return render("error", locale, {"message": text(locale, "trailer.refusals.unknown")})

    def own(booking: Booking) -> bool:
        return (
            booking.id == raw_id
            and booking.booker is Booker.EMPLOYEE
            and booking.person_id == actor.user_id
        )

    try:
        held = [b for b in await services.trailer.on_day(actor.tenant_id, day) if own(b)]
        if held:
            now = service.today(services)
            return booking_card(held[0], locale, now, services.settings.trailer_firm_days)
        gone = [b for b, _, _ in await services.trailer.cancelled(actor.tenant_id, day) if own(b)]
    except StorageError as error:
        log_storage_failure("trailer.mine", raw_id, error)
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})
    if gone:
        return cancelled_message(gone[0], locale)
    return render("error", locale, {"message": text(locale, "trailer.refusals.unknown")})


def register(registry: VerbRegistry) -> None:
    registry.add("trailer.open", open_form)
    registry.add("trailer.submit", submit)
    registry.add("trailer.cancel", cancel)
    registry.add("trailer.desk", open_desk)
    registry.add("trailer.desk_submit", desk_submit)
    registry.add("trailer.mine", show_mine)
    registry.add("trailer.desk_list", desk_list)
