"""§3 Company property and its footnote (the trailer), as pure rules: what borrowing the rule
settles on the spot and what it puts to the manager; which trailer bookings a new one may take."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.property import (
    ANSWERED,
    HIGH_VALUE_CENTS,
    MANAGER_DECIDES,
    Borrowing,
    borrowing_rule,
)
from bot.domain.trailer import (
    MAX_DAYS_AHEAD,
    Booker,
    Booking,
    BookingRefused,
    Slot,
    check_day,
    firm_from,
    is_firm,
    overlapping,
    plan_employee,
    plan_tenant,
)

TODAY = date(2026, 12, 2)
SATURDAY = date(2026, 12, 12)


@pytest.mark.parametrize(
    ("category", "value", "verdict", "reasons"),
    [
        ("device", None, "user_agreement", ("device_user_agreement",)),
        ("printer", None, "fine_occasional", ("printer_occasional",)),
        ("work_material", 50_000, "fine_for_work", ("material_for_work",)),
        ("trailer", None, "trailer_booking", ("trailer_exception",)),
        ("tool", 2_000, "refused_tool", ("tools_not_lent", "cost_of_loss")),
        ("other", HIGH_VALUE_CENTS, "refused_high_value", ("high_value", "cost_of_loss")),
        ("other", 250_000, "refused_high_value", ("high_value", "cost_of_loss")),
        ("other", HIGH_VALUE_CENTS - 1, MANAGER_DECIDES, ("not_for_private_use",)),
        ("other", 0, MANAGER_DECIDES, ("not_for_private_use",)),
    ],
)
def test_the_rule_per_kind_of_thing(
    category: str, value: int | None, verdict: str, reasons: tuple[str, ...]
) -> None:
    outcome = borrowing_rule(Borrowing("iets", category, value))
    assert (outcome.verdict, outcome.reasons) == (verdict, reasons)


def test_only_what_the_manager_decides_is_filed() -> None:
    assert MANAGER_DECIDES not in ANSWERED
    assert {"refused_high_value", "refused_tool", "fine_occasional", "fine_for_work",
            "user_agreement", "trailer_booking"} == ANSWERED  # fmt: skip


def test_the_threshold_is_a_hundred_euros() -> None:
    assert HIGH_VALUE_CENTS == 100_00


def test_borrowing_reads_back_from_its_record() -> None:
    borrowing = Borrowing("Partytent", "other", 6000)
    assert Borrowing.from_record(borrowing.to_record()) == borrowing


def booking(slot: Slot, booker: Booker = Booker.EMPLOYEE, day: date = SATURDAY,
            id: str = "b") -> Booking:  # fmt: skip
    return Booking("t", id, day, slot, booker, "u", "Sanne", "u", datetime(2026, 12, 1, tzinfo=UTC))


def test_a_day_is_today_or_later_and_at_most_half_a_year_ahead() -> None:
    check_day(TODAY, TODAY)
    check_day(date.fromordinal(TODAY.toordinal() + MAX_DAYS_AHEAD), TODAY)
    with pytest.raises(BookingRefused) as past:
        check_day(date(2026, 12, 1), TODAY)
    assert past.value.code == "in_the_past"
    with pytest.raises(BookingRefused) as far:
        check_day(date.fromordinal(TODAY.toordinal() + MAX_DAYS_AHEAD + 1), TODAY)
    assert far.value.code == "too_far_ahead"


def test_a_whole_day_overlaps_both_halves_and_halves_do_not_overlap_each_other() -> None:
    morning, afternoon, day = booking(Slot.MORNING, id="m"), booking(Slot.AFTERNOON, id="a"), \
        booking(Slot.DAY, id="d")  # fmt: skip
    assert overlapping([morning], Slot.AFTERNOON) == []
    assert overlapping([morning, afternoon], Slot.DAY) == [morning, afternoon]
    assert overlapping([day], Slot.MORNING) == [day]


def test_an_employee_books_only_a_free_slot() -> None:
    plan_employee([booking(Slot.MORNING)], Slot.AFTERNOON)
    with pytest.raises(BookingRefused) as taken:
        plan_employee([booking(Slot.MORNING)], Slot.DAY)
    assert taken.value.code == "taken"


def test_an_employee_booking_is_provisional_until_the_set_number_of_days_before() -> None:
    mine = booking(Slot.DAY)  # Saturday 12 December
    assert firm_from(SATURDAY, 3) == date(2026, 12, 9)
    assert not is_firm(mine, date(2026, 12, 8), 3)
    assert is_firm(mine, date(2026, 12, 9), 3)
    assert is_firm(booking(Slot.DAY, Booker.TENANT), TODAY, 3)  # a tenant's always is


def test_a_tenant_takes_a_provisional_employee_booking_but_not_a_firm_one_nor_a_tenants() -> None:
    mine = booking(Slot.DAY)
    assert plan_tenant([mine], Slot.MORNING, TODAY, 3) == [mine]
    assert plan_tenant([], Slot.MORNING, TODAY, 3) == []
    with pytest.raises(BookingRefused) as firm:
        plan_tenant([mine], Slot.MORNING, date(2026, 12, 10), 3)
    assert firm.value.code == "employee_firm"
    with pytest.raises(BookingRefused) as tenant:
        plan_tenant([booking(Slot.AFTERNOON, Booker.TENANT)], Slot.DAY, TODAY, 3)
    assert tenant.value.code == "taken_by_tenant"


def test_where_an_employees_booking_stands_for_mijn_meldingen() -> None:
    from bot.domain.trailer import Standing, standing

    held = booking(Slot.DAY)  # Saturday 12 December, firm from Wednesday 9 December
    assert standing(held, False, TODAY, 3) is Standing.PROVISIONAL
    assert standing(held, False, date(2026, 12, 9), 3) is Standing.FIRM
    assert standing(held, True, TODAY, 3) is Standing.CANCELLED  # a tenant went first
