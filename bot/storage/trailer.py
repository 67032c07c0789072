"""Trailer bookings in Table storage: partition = `<tenant>|<day>`, one row per half day taken
(`h|morning`, `h|afternoon`), each holding the whole booking; a whole-day booking is two rows
written in one entity-group transaction, so it takes both halves or neither.

Two people booking the same half at once: both inserts go to the same row key, so exactly one
wins (the other gets AlreadyExists, as `SlotTaken`). A tenant's booking that cancels an
employee's deletes the employee's rows If-Match on the ETags just read, in the same transaction
as its own inserts: if anything changed in between, nothing is written and the caller plans
again. A cancelled booking is kept as `x|<booking id>` (who cancelled it, whether its holder was
told). Callers speak `Booking`; the columns live here only.

Retention keeps the yearly overview whole: before a booking's rows go, what the overview counts
of it (its day, employee or tenant, cancelled for a tenant or not: nothing about who) is written
to `trailercounts` (partition `<tenant>|<year>`, row `<day>|<booking id>`), an idempotent upsert,
so a removal that stops halfway and is finished the next night counts it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.domain.trailer import Booker, Booking, BookingFact, Slot
from bot.storage.errors import AlreadyExists, Conflict, NotFound, StorageError
from bot.storage.store import Row, TableStore, Write

TRAILER = "trailer"
COUNTS = "trailercounts"
TABLES: tuple[str, ...] = (TRAILER, COUNTS)
HALF = "h|"
CANCELLED = "x|"


class SlotTaken(StorageError):
    """Someone else took (part of) the slot, or changed it, since it was read."""


class Trailer(Protocol):
    """The trailer's bookings (Azure: `TrailerRepository`; memory: `MemoryTrailer`)."""

    async def on_day(self, tenant_id: str, day: date) -> list[Booking]:
        """The day's bookings, each once, morning first."""
        ...

    async def take(self, booking: Booking, displace: Sequence[Booking] = ()) -> None:
        """Book, cancelling `displace` (bookings read before) at the same time: all of it or
        nothing. SlotTaken when a half is taken by anyone but `displace`, or changed."""
        ...

    async def cancel(self, tenant_id: str, day: date, booking_id: str, by: str) -> Booking | None:
        """Remove a booking (None when it is not there, e.g. cancelled already)."""
        ...

    async def cancelled(self, tenant_id: str, day: date) -> list[tuple[Booking, str, bool]]:
        """The day's bookings cancelled for a tenant: (booking, cancelled for, holder told)."""
        ...

    async def mark_told(self, booking: Booking) -> None:
        """The holder of a cancelled booking has been sent the message."""
        ...

    async def before(self, day: date) -> list[Booking]:
        """Every booking (held or cancelled) for a day before `day`: for retention only (a scan)."""
        ...

    async def remove(self, tenant_id: str, day: date, booking_id: str) -> None:
        """Retention: the booking's rows go (missing ones are fine); what the overview counts
        of it stays (`year_facts`)."""
        ...

    async def of_person(self, tenant_id: str, person_id: str) -> list[tuple[Booking, bool]]:
        """An employee's own bookings still kept, newest booked first: (booking, cancelled for
        a tenant). Their own cancellations are gone. A filtered scan of a table retention keeps
        small (at most about nine months of days)."""
        ...

    async def between(self, tenant_id: str, first: date, last: date) -> list[Booking]:
        """The bookings held for a day from `first` to `last` (inclusive), by day, morning
        first: the trailer desk's list. One scan of a table retention keeps small."""
        ...

    async def year_facts(self, tenant_id: str, year: int) -> list[BookingFact]:
        """Every booking for a day in `year`, held, cancelled for a tenant or removed by
        retention since, as the overview counts them (each once)."""
        ...


def _partition(tenant_id: str, day: date) -> str:
    return f"{tenant_id}|{day.isoformat()}"


def _day_of(partition: str) -> tuple[str, date] | None:
    tenant_id, _, iso = partition.rpartition("|")
    try:
        return tenant_id, date.fromisoformat(iso)
    except ValueError:
        return None


def _fact(booking: Booking, cancelled: bool) -> BookingFact:
    return BookingFact(booking.id, booking.day, booking.booker, cancelled)


def _columns(booking: Booking) -> dict[str, str]:
    return {
        "BookingId": booking.id,
        "Slot": booking.slot.value,
        "Booker": booking.booker.value,
        "PersonId": booking.person_id,
        "Name": booking.name,
        "EnteredBy": booking.entered_by,
        "CreatedAt": booking.created_at.isoformat(),
    }


def _booking(tenant_id: str, day: date, row: Row) -> Booking:
    d = row.data
    return Booking(
        tenant_id=tenant_id,
        id=str(d["BookingId"]),
        day=day,
        slot=Slot(str(d["Slot"])),
        booker=Booker(str(d["Booker"])),
        person_id=str(d.get("PersonId", "")),
        name=str(d.get("Name", "")),
        entered_by=str(d.get("EnteredBy", "")),
        created_at=datetime.fromisoformat(str(d["CreatedAt"])),
    )


class TrailerRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def _halves(self, tenant_id: str, day: date) -> list[Row]:
        return await self._store.query(
            TRAILER, _partition(tenant_id, day), HALF, HALF[:-1] + chr(ord(HALF[-1]) + 1)
        )

    async def on_day(self, tenant_id: str, day: date) -> list[Booking]:
        seen: dict[str, Booking] = {}
        for row in sorted(await self._halves(tenant_id, day), key=lambda r: r.row != "h|morning"):
            booking = _booking(tenant_id, day, row)
            seen.setdefault(booking.id, booking)
        return list(seen.values())

    async def take(self, booking: Booking, displace: Sequence[Booking] = ()) -> None:
        partition = _partition(booking.tenant_id, booking.day)
        writes: list[Write] = []
        if displace:
            rows = {r.row: r for r in await self._halves(booking.tenant_id, booking.day)}
            for old in displace:
                for half in old.halves:
                    row = rows.get(HALF + half.value)
                    if row is None or row.data.get("BookingId") != old.id:
                        raise SlotTaken(f"{old.id} changed")
                    writes.append(Write("delete", row.row, etag=row.etag))
                writes.append(
                    Write(
                        "upsert",
                        CANCELLED + old.id,
                        {**_columns(old), "CancelledFor": booking.id, "Told": False},
                    )
                )
        by_row = {w.row: w for w in writes}
        for half in booking.halves:
            key = HALF + half.value
            # A half the displaced booking held is deleted and inserted in one batch: one
            # operation per row, so it becomes a replace on the ETag just read.
            old_write = by_row.pop(key, None)
            if old_write is not None:
                by_row[key] = Write("replace", key, _columns(booking), old_write.etag)
            else:
                by_row[key] = Write("insert", key, _columns(booking))
        try:
            await self._store.transact(TRAILER, partition, list(by_row.values()))
        except (AlreadyExists, Conflict, NotFound) as error:
            raise SlotTaken(str(error)) from error

    async def cancel(self, tenant_id: str, day: date, booking_id: str, by: str) -> Booking | None:
        rows = [
            r for r in await self._halves(tenant_id, day) if r.data.get("BookingId") == booking_id
        ]
        if not rows:
            return None
        try:
            await self._store.transact(
                TRAILER,
                _partition(tenant_id, day),
                [Write("delete", r.row, etag=r.etag) for r in rows],
            )
        except (Conflict, NotFound):
            return None  # cancelled (or replaced) meanwhile
        return _booking(tenant_id, day, rows[0])

    async def cancelled(self, tenant_id: str, day: date) -> list[tuple[Booking, str, bool]]:
        rows = await self._store.query(
            TRAILER, _partition(tenant_id, day), CANCELLED, CANCELLED[:-1] + "}"
        )
        return [
            (_booking(tenant_id, day, r), str(r.data.get("CancelledFor", "")), bool(r.data["Told"]))
            for r in rows
        ]

    async def mark_told(self, booking: Booking) -> None:
        partition = _partition(booking.tenant_id, booking.day)
        try:
            row = await self._store.get(TRAILER, partition, CANCELLED + booking.id)
        except NotFound:
            return
        await self._store.upsert(TRAILER, partition, row.row, {**row.data, "Told": True})

    async def before(self, day: date) -> list[Booking]:
        found: dict[tuple[str, str], Booking] = {}
        for row in await self._store.scan(TRAILER, {}):
            where = _day_of(row.partition)
            if where is None:
                continue
            tenant_id, booked = where
            if booked < day:
                booking = _booking(tenant_id, booked, row)
                found.setdefault((row.partition, booking.id), booking)
        return sorted(found.values(), key=lambda b: (b.tenant_id, b.day, b.id))

    async def remove(self, tenant_id: str, day: date, booking_id: str) -> None:
        partition = _partition(tenant_id, day)
        rows = [
            r
            for r in await self._store.query(TRAILER, partition)
            if r.data.get("BookingId") == booking_id
        ]
        if rows:
            fact = _fact(
                _booking(tenant_id, day, rows[0]), any(r.row.startswith(CANCELLED) for r in rows)
            )
            await self._store.upsert(
                COUNTS,
                f"{tenant_id}|{day.year}",
                f"{day.isoformat()}|{booking_id}",
                {"Booker": fact.booker.value, "Cancelled": fact.cancelled},
            )
        for row in rows:
            await self._store.delete(TRAILER, partition, row.row)

    async def of_person(self, tenant_id: str, person_id: str) -> list[tuple[Booking, bool]]:
        if not person_id:
            return []
        found: dict[str, tuple[Booking, bool]] = {}
        for row in await self._store.scan(TRAILER, {"PersonId": person_id}):
            where = _day_of(row.partition)
            if where is None or where[0] != tenant_id:
                continue
            booking = _booking(tenant_id, where[1], row)
            if booking.booker is Booker.EMPLOYEE:
                found[booking.id] = (booking, row.row.startswith(CANCELLED))
        return sorted(found.values(), key=lambda pair: pair[0].created_at, reverse=True)

    async def between(self, tenant_id: str, first: date, last: date) -> list[Booking]:
        found: dict[tuple[date, str], tuple[bool, Booking]] = {}
        for row in await self._store.scan(TRAILER, {}):
            where = _day_of(row.partition)
            if where is None or where[0] != tenant_id or not first <= where[1] <= last:
                continue
            if not row.row.startswith(HALF):
                continue
            booking = _booking(tenant_id, where[1], row)
            key = (booking.day, booking.id)
            afternoon = row.row != HALF + "morning"
            if key not in found or not afternoon:
                found[key] = (afternoon, booking)
        return [b for _, b in sorted(found.values(), key=lambda p: (p[1].day, p[0]))]

    async def year_facts(self, tenant_id: str, year: int) -> list[BookingFact]:
        facts: dict[str, BookingFact] = {}
        for row in await self._store.query(COUNTS, f"{tenant_id}|{year}"):
            iso, _, booking_id = row.row.partition("|")
            facts[booking_id] = BookingFact(
                booking_id,
                date.fromisoformat(iso),
                Booker(str(row.data["Booker"])),
                bool(row.data.get("Cancelled")),
            )
        for row in await self._store.scan(TRAILER, {}):  # kept small by retention
            where = _day_of(row.partition)
            if where is None or where[0] != tenant_id or where[1].year != year:
                continue
            booking = _booking(tenant_id, where[1], row)
            facts[booking.id] = _fact(booking, row.row.startswith(CANCELLED))
        return list(facts.values())
