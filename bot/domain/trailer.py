"""The trailer (§3, footnote 1): the one piece of company property staff may use privately, on
the same terms as tenants, and tenants come first.

A booking is for one day and one slot: the morning, the afternoon or the whole day (which takes
both halves). A half is taken by at most one booking. A tenant's booking (entered by the staff
who take them, role `trailer_desk`) may take a half an employee holds, as long as that employee's
booking is still provisional: until `firm_days` days before the day. From then on an employee's
booking is firm. Pure: today and the setting are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

SECTION = "§3 Bedrijfsmiddelen (voetnoot 1: de aanhangwagen)"
MAX_DAYS_AHEAD = 180  # how far ahead the trailer can be booked (tenants' terms: half a year)


class Slot(StrEnum):
    MORNING = "morning"  # 08:00-12:30
    AFTERNOON = "afternoon"  # 12:30-17:00
    DAY = "day"  # both


class Half(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"


HALVES: dict[Slot, tuple[Half, ...]] = {
    Slot.MORNING: (Half.MORNING,),
    Slot.AFTERNOON: (Half.AFTERNOON,),
    Slot.DAY: (Half.MORNING, Half.AFTERNOON),
}


class Booker(StrEnum):
    EMPLOYEE = "employee"
    TENANT = "tenant"


@dataclass(frozen=True)
class Booking:
    """One booking of the trailer. For an employee `person_id`/`name` are the employee; for a
    tenant `name` is the tenant (as the desk wrote it) and `entered_by` the desk's staff member."""

    tenant_id: str
    id: str
    day: date
    slot: Slot
    booker: Booker
    person_id: str
    name: str
    entered_by: str
    created_at: datetime

    @property
    def halves(self) -> tuple[Half, ...]:
        return HALVES[self.slot]


@dataclass(frozen=True)
class BookingFact:
    """What the yearly overview counts of one booking: nothing about who (no person, no tenant)."""

    id: str
    day: date
    booker: Booker
    cancelled: bool  # an employee's booking a tenant's booking cancelled


class Standing(StrEnum):
    """Where an employee's booking stands, as "mijn meldingen" shows it."""

    PROVISIONAL = "provisional"  # a tenant's booking of the slot would still cancel it
    FIRM = "firm"
    CANCELLED = "cancelled"  # a tenant's booking cancelled it


def standing(booking: Booking, cancelled: bool, today: date, firm_days: int) -> Standing:
    if cancelled:
        return Standing.CANCELLED
    return Standing.FIRM if is_firm(booking, today, firm_days) else Standing.PROVISIONAL


@dataclass(frozen=True)
class TrailerCounts:
    """A year of bookings (by the day booked), as numbers only."""

    employee: int  # employees' bookings, including those a tenant's booking cancelled
    cancelled_for_tenant: int
    tenant: int


def count_year(facts: Iterable[BookingFact], year: int) -> TrailerCounts:
    """The bookings for a day in `year`, each once."""
    mine = {f.id: f for f in facts if f.day.year == year}.values()
    employees = [f for f in mine if f.booker is Booker.EMPLOYEE]
    return TrailerCounts(
        employee=len(employees),
        cancelled_for_tenant=sum(1 for f in employees if f.cancelled),
        tenant=sum(1 for f in mine if f.booker is Booker.TENANT),
    )


class BookingRefused(Exception):
    """The rule refuses this booking; `code` says why (a text key under trailer.refusals)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_day(day: date, today: date) -> None:
    """A booking is for today or later, and at most MAX_DAYS_AHEAD days ahead."""
    if day < today:
        raise BookingRefused("in_the_past")
    if (day - today).days > MAX_DAYS_AHEAD:
        raise BookingRefused("too_far_ahead")


def is_firm(booking: Booking, today: date, firm_days: int) -> bool:
    """A tenant's booking is always firm; an employee's from `firm_days` days before its day."""
    return booking.booker is Booker.TENANT or (booking.day - today).days <= firm_days


def firm_from(day: date, firm_days: int) -> date:
    """The first day on which an employee's booking for `day` is firm."""
    return date.fromordinal(day.toordinal() - firm_days)


def overlapping(existing: Sequence[Booking], slot: Slot) -> list[Booking]:
    """The bookings holding any half that `slot` needs (each once)."""
    wanted = set(HALVES[slot])
    return [b for b in existing if wanted & set(b.halves)]


def plan_employee(existing: Sequence[Booking], slot: Slot) -> None:
    """An employee books only a free slot (whoever holds it)."""
    if overlapping(existing, slot):
        raise BookingRefused("taken")


def plan_tenant(
    existing: Sequence[Booking], slot: Slot, today: date, firm_days: int
) -> list[Booking]:
    """The employees' bookings a tenant's booking cancels. Refused when a tenant holds the slot
    or an employee's booking there is already firm."""
    found = overlapping(existing, slot)
    if any(b.booker is Booker.TENANT for b in found):
        raise BookingRefused("taken_by_tenant")
    if any(is_firm(b, today, firm_days) for b in found):
        raise BookingRefused("employee_firm")
    return found
