"""Booking the trailer (§3, footnote 1): employees book a free slot, provisionally; the staff
who take tenants' bookings enter them, and a tenant's booking cancels an employee's provisional
one in the same slot, whose holder is then told (a proactive card).

Each booking is planned from what storage holds now (`bot.domain.trailer`) and written with
`Trailer.take`, which writes all of it or nothing; when someone else changed the day meanwhile,
it is planned again (`ATTEMPTS`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.people import Actor, Role
from bot.domain.trailer import (
    Booker,
    Booking,
    BookingRefused,
    Slot,
    check_day,
    plan_employee,
    plan_tenant,
)
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.storage.trailer import SlotTaken

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ATTEMPTS = 4
log = logging.getLogger("bot.trailer")


def today(services: Services) -> date:
    return services.clock().astimezone(AMSTERDAM).date()


def _new(
    actor: Actor,
    services: Services,
    day: date,
    slot: Slot,
    booker: Booker,
    name: str,
    booking_id: str,
) -> Booking:
    return Booking(
        tenant_id=actor.tenant_id,
        id=booking_id,
        day=day,
        slot=slot,
        booker=booker,
        person_id=actor.user_id if booker is Booker.EMPLOYEE else "",
        name=name,
        entered_by=actor.user_id,
        created_at=services.clock(),
    )


async def desk_missing(services: Services, tenant_id: str) -> bool:
    """Nobody (active) holds `trailer_desk`: tenants' bookings cannot be entered, so "tenants go
    first" is not kept by the bot. Logged with the role's name, like every missing role."""
    if await services.directory.with_role(tenant_id, Role.TRAILER_DESK):
        return False
    log.warning("role %s is not configured in the directory", Role.TRAILER_DESK.value)
    return True


def booking_id(form_id: str) -> str:
    """One form's booking keeps one id, so a repeated submit finds its own booking."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"trailer:{form_id}").hex if form_id else uuid.uuid4().hex


async def book_for_employee(
    services: Services, actor: Actor, day: date, slot: Slot, form_id: str
) -> Booking:
    """A provisional booking of a free slot by the employee themselves (BookingRefused)."""
    check_day(day, today(services))
    wanted = _new(actor, services, day, slot, Booker.EMPLOYEE, actor.name, booking_id(form_id))
    for _ in range(ATTEMPTS):
        existing = await services.trailer.on_day(actor.tenant_id, day)
        if any(b.id == wanted.id for b in existing):
            return next(b for b in existing if b.id == wanted.id)  # a repeated submit
        plan_employee(existing, slot)
        try:
            await services.trailer.take(wanted)
        except SlotTaken:
            continue  # someone else was first: see what they took
        return wanted
    raise BookingRefused("taken")


@dataclass(frozen=True)
class TenantBooked:
    booking: Booking
    cancelled: tuple[tuple[Booking, bool], ...]  # employees' bookings cancelled, holder told


async def book_for_tenant(
    services: Services,
    actor: Actor,
    day: date,
    slot: Slot,
    tenant_name: str,
    form_id: str,
    message: Callable[[Booking, str], dict[str, Any]],
) -> TenantBooked:
    """A tenant's booking, entered by the desk: it cancels employees' provisional bookings of
    that slot and tells their holders (`message(booking, locale)` is the card)."""
    now = today(services)
    check_day(day, now)
    firm_days = services.settings.trailer_firm_days
    wanted = _new(actor, services, day, slot, Booker.TENANT, tenant_name, booking_id(form_id))
    for _ in range(ATTEMPTS):
        existing = await services.trailer.on_day(actor.tenant_id, day)
        if any(b.id == wanted.id for b in existing):
            return TenantBooked(wanted, await _tell(services, wanted, [], message))
        displaced = plan_tenant(existing, slot, now, firm_days)
        try:
            await services.trailer.take(wanted, displaced)
        except SlotTaken:
            continue
        return TenantBooked(wanted, await _tell(services, wanted, displaced, message))
    raise BookingRefused("taken")


async def _tell(
    services: Services,
    tenant_booking: Booking,
    displaced: list[Booking],
    message: Callable[[Booking, str], dict[str, Any]],
) -> tuple[tuple[Booking, bool], ...]:
    """Tell each holder of a cancelled booking not told yet (also those a failed first attempt
    of this same booking left untold)."""
    pending = [
        old
        for old, cancelled_for, told in await services.trailer.cancelled(
            tenant_booking.tenant_id, tenant_booking.day
        )
        if cancelled_for == tenant_booking.id and not told
    ]
    for old in displaced:
        if all(p.id != old.id for p in pending):
            pending.append(old)
    told: list[tuple[Booking, bool]] = []
    for old in pending:
        reference = await services.conversations.get(old.tenant_id, old.person_id)
        locale = reference.locale if reference is not None else "nl-NL"
        try:
            await services.notifier.send_card(
                old.tenant_id, old.person_id, message(old, locale), reference
            )
        except DeliveryError as error:
            log.warning(
                "trailer booking %s cancelled for a tenant; its holder was not told: %s",
                old.id,
                type(error).__name__,
            )
            told.append((old, False))
            continue
        await services.trailer.mark_told(old)
        told.append((old, True))
    return tuple(told)


async def cancel_own(services: Services, actor: Actor, day: date, booking: str) -> Booking | None:
    """The employee cancels their own booking (someone else's is refused: BookingRefused)."""
    existing = await services.trailer.on_day(actor.tenant_id, day)
    found = next((b for b in existing if b.id == booking), None)
    if found is None:
        return None
    if found.booker is not Booker.EMPLOYEE or found.person_id != actor.user_id:
        raise BookingRefused("not_yours")
    return await services.trailer.cancel(actor.tenant_id, day, booking, actor.user_id)
