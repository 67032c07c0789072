"""The trailer's bookings, as a repository contract: every test runs against Azure Tables (on a
real Azurite) and against the in-memory twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from bot.domain.trailer import Booker, Booking, Slot
from bot.storage.memory import MemoryTrailer
from bot.storage.tables import AzureTableStore
from bot.storage.trailer import TABLES, SlotTaken, Trailer, TrailerRepository

SATURDAY = date(2026, 12, 12)
AT = datetime(2026, 12, 2, 9, tzinfo=UTC)


def booking(id: str, slot: Slot, booker: Booker = Booker.EMPLOYEE, person: str = "sanne",
            day: date = SATURDAY) -> Booking:  # fmt: skip
    name = "Dorpsstraat 1" if booker is Booker.TENANT else person.title()
    return Booking("tenant", id, day, slot, booker, person, name, person, AT)


@pytest.fixture(params=["azurite", "memory"])
async def trailer(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[Trailer]:
    if request.param == "memory":
        yield MemoryTrailer()
        return
    store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield TrailerRepository(store)
    await store.close()


async def test_bookings_are_listed_per_day_each_once_morning_first(trailer: Trailer) -> None:
    afternoon = booking("a", Slot.AFTERNOON, person="pieter")
    morning = booking("m", Slot.MORNING)
    await trailer.take(afternoon)
    await trailer.take(morning)
    assert await trailer.on_day("tenant", SATURDAY) == [morning, afternoon]
    sunday = booking("d", Slot.DAY, day=date(2026, 12, 13))
    await trailer.take(sunday)
    assert await trailer.on_day("tenant", date(2026, 12, 13)) == [sunday]
    assert await trailer.on_day("other tenant", SATURDAY) == []


async def test_a_whole_day_takes_both_halves_or_neither(trailer: Trailer) -> None:
    await trailer.take(booking("m", Slot.MORNING))
    with pytest.raises(SlotTaken):
        await trailer.take(booking("d", Slot.DAY, person="pieter"))
    assert [b.id for b in await trailer.on_day("tenant", SATURDAY)] == ["m"]
    await trailer.take(booking("a", Slot.AFTERNOON, person="pieter"))  # the afternoon was free


async def test_two_people_booking_the_same_slot_at_once_only_one_wins(trailer: Trailer) -> None:
    results = await asyncio.gather(
        trailer.take(booking("s", Slot.DAY)),
        trailer.take(booking("p", Slot.MORNING, person="pieter")),
        return_exceptions=True,
    )
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, SlotTaken) for r in results) == 1
    held = await trailer.on_day("tenant", SATURDAY)
    assert len(held) == 1 and held[0].id in ("s", "p")


async def test_a_tenant_booking_replaces_the_employee_booking_it_displaces(
    trailer: Trailer,
) -> None:
    mine = booking("s", Slot.DAY)
    await trailer.take(mine)
    tenant = booking("t1", Slot.MORNING, Booker.TENANT, person="desk")
    await trailer.take(tenant, [mine])
    assert await trailer.on_day("tenant", SATURDAY) == [tenant]  # her afternoon went with it
    assert await trailer.cancelled("tenant", SATURDAY) == [(mine, "t1", False)]
    await trailer.mark_told(mine)
    assert await trailer.cancelled("tenant", SATURDAY) == [(mine, "t1", True)]


async def test_displacing_a_booking_that_changed_since_it_was_read_writes_nothing(
    trailer: Trailer,
) -> None:
    mine = booking("s", Slot.MORNING)
    await trailer.take(mine)
    assert await trailer.cancel("tenant", SATURDAY, "s", "sanne") == mine
    pieter = booking("p", Slot.MORNING, person="pieter")
    await trailer.take(pieter)
    with pytest.raises(SlotTaken):
        await trailer.take(booking("t1", Slot.MORNING, Booker.TENANT), [mine])
    assert await trailer.on_day("tenant", SATURDAY) == [pieter]
    assert await trailer.cancelled("tenant", SATURDAY) == []


async def test_a_cancelled_booking_frees_its_slot_and_cancelling_twice_is_harmless(
    trailer: Trailer,
) -> None:
    await trailer.take(booking("s", Slot.DAY))
    assert (await trailer.cancel("tenant", SATURDAY, "s", "sanne")) is not None
    assert await trailer.cancel("tenant", SATURDAY, "s", "sanne") is None
    assert await trailer.on_day("tenant", SATURDAY) == []
    await trailer.take(booking("p", Slot.MORNING, person="pieter"))


async def test_retention_finds_past_bookings_held_or_cancelled_and_removes_them(
    trailer: Trailer,
) -> None:
    mine = booking("s", Slot.DAY)
    await trailer.take(mine)
    tenant = booking("t1", Slot.MORNING, Booker.TENANT, person="desk")
    await trailer.take(tenant, [mine])
    later = booking("l", Slot.DAY, day=date(2026, 12, 20))
    await trailer.take(later)
    assert {b.id for b in await trailer.before(date(2026, 12, 13))} == {"s", "t1"}
    assert await trailer.before(SATURDAY) == []
    await trailer.remove("tenant", SATURDAY, "s")
    await trailer.remove("tenant", SATURDAY, "t1")
    await trailer.remove("tenant", SATURDAY, "t1")  # again: harmless
    assert await trailer.on_day("tenant", SATURDAY) == []
    assert await trailer.cancelled("tenant", SATURDAY) == []
    assert await trailer.before(date(2027, 1, 1)) == [later]


async def test_a_persons_own_bookings_and_a_years_counts_which_outlive_retention(
    trailer: Trailer,
) -> None:
    from dataclasses import replace

    from bot.domain.trailer import BookingFact

    mine = booking("s1", Slot.DAY)
    later = replace(
        booking("s2", Slot.MORNING, day=date(2026, 12, 19)), created_at=AT.replace(hour=11)
    )
    await trailer.take(mine)
    await trailer.take(later)
    await trailer.take(booking("p1", Slot.AFTERNOON, person="pieter", day=date(2026, 12, 19)))
    tenant = booking("t1", Slot.MORNING, Booker.TENANT, person="", day=SATURDAY)
    await trailer.take(tenant, [mine])  # Sanne's whole day goes for the tenant
    assert await trailer.of_person("tenant", "sanne") == [(later, False), (mine, True)]
    assert await trailer.of_person("other tenant", "sanne") == []
    assert await trailer.of_person("tenant", "") == []

    def counted(facts: list[BookingFact]) -> list[tuple[str, str, bool]]:
        return sorted((f.id, f.booker.value, f.cancelled) for f in facts)

    expected = [
        ("p1", "employee", False),
        ("s1", "employee", True),
        ("s2", "employee", False),
        ("t1", "tenant", False),
    ]
    assert counted(await trailer.year_facts("tenant", 2026)) == expected
    for b in (mine, tenant, later):
        await trailer.remove("tenant", b.day, b.id)
    await trailer.remove("tenant", SATURDAY, "s1")  # finished again the next night: once
    assert await trailer.of_person("tenant", "sanne") == []
    assert counted(await trailer.year_facts("tenant", 2026)) == expected
    assert await trailer.year_facts("tenant", 2025) == []
    assert await trailer.year_facts("other tenant", 2026) == []


async def test_the_desks_list_holds_the_bookings_of_a_period_by_day_morning_first(
    trailer: Trailer,
) -> None:
    day = booking("d1", Slot.DAY, day=date(2026, 12, 19))
    afternoon = booking("a1", Slot.AFTERNOON, person="pieter")
    morning = booking("m1", Slot.MORNING)
    later = booking("l1", Slot.MORNING, day=date(2027, 1, 30))
    for b in (day, afternoon, morning, later):
        await trailer.take(b)
    tenant = booking("t1", Slot.MORNING, Booker.TENANT, person="", day=date(2026, 12, 19))
    await trailer.take(tenant, [day])  # cancelled for a tenant: not held any more
    listed = await trailer.between("tenant", SATURDAY, date(2026, 12, 31))
    assert [b.id for b in listed] == ["m1", "a1", "t1"]
    assert await trailer.between("other tenant", SATURDAY, date(2026, 12, 31)) == []
    assert [b.id for b in await trailer.between("tenant", SATURDAY, SATURDAY)] == ["m1", "a1"]
