"""In-memory twins of the storage implementations, for service tests in the unit tier.

`MemoryTableStore` behaves like Azure Table storage as far as the `TableStore` protocol goes
(ETags, all-or-nothing transactions on one partition, key order, the same errors); the
repositories' twins (`MemoryRequestRepository`, `MemoryCollection`) keep domain objects and know
no keys or columns. The contract tests run the same suite against each twin and against Azurite.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.domain.collection import CollectedGift, CollectionStatus
from bot.domain.kinds import Kinds
from bot.domain.negotiations import Party
from bot.domain.requests import ApprovalRequest, Status
from bot.domain.supplier_contacts import SupplierContact
from bot.domain.trailer import Booker, Booking, BookingFact, Half
from bot.domain.violations import Violation
from bot.storage.collection import Collection
from bot.storage.errors import AlreadyExists, Conflict, NotFound, StorageError
from bot.storage.negotiations import Negotiations
from bot.storage.requests import (
    CURRENT,
    GroupTotals,
    InboxEntry,
    RecentCopies,
    Requests,
    RequestSummary,
    StoredRequest,
    recent_copies,
    register_place,
)
from bot.storage.store import Row, Value, Write, storable_key
from bot.storage.supplier_contacts import ordered
from bot.storage.trailer import SlotTaken, Trailer
from bot.storage.violations import StoredViolation, Violations

_Key = tuple[str, str, str]  # table, partition, row


@dataclass
class MemoryTableStore:
    """A `TableStore` held in a dict."""

    rows: dict[_Key, Row] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)
    _etags: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _etag(self) -> str:
        return f'W/"{next(self._etags)}"'

    async def ensure_tables(self, names: Sequence[str]) -> None:
        self.tables.update(names)

    async def get(self, table: str, partition: str, row: str) -> Row:
        if not storable_key(partition, row):
            raise NotFound(f"{table}: a key storage cannot hold")  # as on Azure
        found = self.rows.get((table, partition, row))
        if found is None:
            raise NotFound(f"{table}/{partition}/{row}")
        return _copy(found)

    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        [etag] = await self.transact(table, partition, [Write("insert", row, data)])
        return self.rows[(table, partition, row)] if etag else Row(partition, row, data)

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        await self.transact(table, partition, [Write("replace", row, data, etag)])
        return self.rows[(table, partition, row)]

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        await self.transact(table, partition, [Write("upsert", row, data)])
        return self.rows[(table, partition, row)]

    async def delete(self, table: str, partition: str, row: str, etag: str | None = None) -> None:
        current = self.rows.get((table, partition, row))
        if current is None:
            return
        if etag is not None and etag != "*" and current.etag != etag:
            raise Conflict("ETag mismatch")
        del self.rows[(table, partition, row)]

    async def query(
        self,
        table: str,
        partition: str,
        row_from: str | None = None,
        row_to: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        keys = sorted(
            k[2]
            for k in self.rows
            if k[0] == table
            and k[1] == partition
            and (row_from is None or k[2] >= row_from)
            and (row_to is None or k[2] < row_to)
        )
        return [_copy(self.rows[(table, partition, k)]) for k in keys[:limit]]

    async def scan(self, table: str, equals: Mapping[str, Value]) -> list[Row]:
        return [
            _copy(row)
            for (t, _, _), row in sorted(self.rows.items())
            if t == table and all(row.data.get(c) == v for c, v in equals.items())
        ]

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        """All writes or none: every condition is checked before anything changes."""
        if len(writes) > 100 or len({w.row for w in writes}) != len(writes):
            raise StorageError("a batch holds at most 100 operations, one per row")
        staged = {k: v for k, v in self.rows.items() if k[0] == table and k[1] == partition}
        etags: list[str | None] = []
        for write in writes:
            key = (table, partition, write.row)
            current = staged.get(key)
            if write.kind == "insert" and current is not None:
                raise AlreadyExists(write.row)
            if write.kind in ("replace", "delete") and write.etag not in (None, "*"):
                if current is None:
                    raise NotFound(write.row)
                if current.etag != write.etag:
                    raise Conflict("ETag mismatch")
            if write.kind == "replace" and current is None:
                raise NotFound(write.row)
            if write.kind == "delete":
                if current is None:
                    raise NotFound(write.row)  # Azure fails the whole batch for it
                staged.pop(key, None)
                etags.append(None)
                continue
            data = dict(write.data)
            if write.kind == "merge" and current is not None:
                data = {**current.data, **data}
            etag = self._etag()
            staged[key] = Row(partition, write.row, _plain(data), etag)
            etags.append(etag)
        for key in [k for k in self.rows if k[0] == table and k[1] == partition]:
            del self.rows[key]
        self.rows.update(staged)
        return etags

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        return None


def _copy(row: Row) -> Row:
    """A caller's change to what it read must not change what is stored."""
    return Row(row.partition, row.row, dict(row.data), row.etag)


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """What Azure keeps of a row: no None values, no keys."""
    return {k: v for k, v in data.items() if v is not None and k not in ("PartitionKey", "RowKey")}


@dataclass
class MemoryRequestRepository:
    """The requests aggregate (a request with its trail, its inbox rows and its register copy)
    as domain objects in dicts."""

    kinds: Kinds  # which kinds have a register, and how each is filed
    requests: dict[tuple[str, str], tuple[ApprovalRequest, int]] = field(default_factory=dict)
    inboxes: dict[tuple[str, str, str], InboxEntry] = field(default_factory=dict)
    registers: dict[str, dict[str, ApprovalRequest]] = field(default_factory=dict)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def create(self, request: ApprovalRequest) -> StoredRequest:
        key = (request.tenant_id, request.id)
        if key in self.requests:
            raise AlreadyExists(request.id)
        version = next(self._versions)
        self.requests[key] = (request, version)
        await self.sync_register(request)
        return StoredRequest(request, str(version))

    async def get(self, tenant_id: str, requester_id: str, request_id: str) -> StoredRequest | None:
        found = self.requests.get((tenant_id, request_id))
        if found is None or found[0].requester.id != requester_id:
            return None
        return StoredRequest(found[0], str(found[1]))

    async def update(self, stored: StoredRequest, updated: ApprovalRequest) -> StoredRequest:
        key = (updated.tenant_id, updated.id)
        current = self.requests.get(key)
        if current is None or str(current[1]) != stored.etag:
            raise Conflict(updated.id)
        kept = updated  # as on Azure: the request, trail and all, as the caller wrote it
        version = next(self._versions)
        self.requests[key] = (kept, version)
        await self.sync_register(kept, before=current[0])
        return StoredRequest(kept, str(version))

    async def sync_register(
        self, request: ApprovalRequest, before: ApprovalRequest | None = None
    ) -> None:
        kind = self.kinds.get(request.kind)
        if kind is not None and not kind.has_register:
            return
        place = register_place(self.kinds, request)
        if before is not None:
            old = register_place(self.kinds, before)
            if old.partition != place.partition:
                self.registers.get(old.partition, {}).pop(old.row, None)
        self.registers.setdefault(place.partition, {})[place.row] = replace(request, audit=())

    async def forget_register(self, request: ApprovalRequest) -> None:
        place = register_place(self.kinds, request)
        self.registers.get(place.partition, {}).pop(place.row, None)

    async def recent_register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        return await self.register(tenant_id, kind, year)

    async def recent_group(
        self,
        tenant_id: str,
        kind: str,
        year: int,
        by: Callable[[ApprovalRequest], Hashable],
        key: Hashable,
    ) -> list[ApprovalRequest]:
        return (await self._recent(tenant_id, kind, year)).group(by, key)

    async def recent_totals(
        self,
        tenant_id: str,
        kind: str,
        year: int,
        by: Callable[[ApprovalRequest], Hashable],
        key: Hashable,
    ) -> GroupTotals:
        return (await self._recent(tenant_id, kind, year)).totals(by, key)

    async def _recent(self, tenant_id: str, kind: str, year: int) -> RecentCopies:
        """The register as it is now, grouped afresh on every call (the Azure repository keeps
        its groupings up to date instead: the contract suite holds the two to one answer)."""
        copies = await self.register(tenant_id, kind, year)
        return recent_copies(self.kinds, kind, {c.id: c for c in copies})

    async def register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        known = self.kinds.get(kind)
        filed = CURRENT if known is not None and known.counts_onwards else str(year)
        copies = self.registers.get(f"{tenant_id}|{kind}|{filed}", {})
        return [copies[k] for k in sorted(copies)]

    async def submitted_in(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        prefix = f"{tenant_id}|{kind}|"
        return [
            copy
            for partition, copies in sorted(self.registers.items())
            if partition.startswith(prefix)
            for row, copy in sorted(copies.items())
            if row.startswith(f"{year}|")
        ]

    async def backfill_registers(self) -> int:
        """Nothing was ever written here without its copy."""
        return 0

    async def submission_years(self, tenant_id: str) -> set[int]:
        return {
            int(row.split("|", 1)[0])
            for partition, copies in self.registers.items()
            if partition.startswith(f"{tenant_id}|")
            for row in copies
        }

    async def summaries(self, tenant_id: str, requester_id: str) -> list[RequestSummary]:
        return [RequestSummary.of(r) for r in await self.for_requester(tenant_id, requester_id)]

    async def for_requester(self, tenant_id: str, requester_id: str) -> list[ApprovalRequest]:
        mine = [
            replace(r, audit=())
            for (t, _), (r, _) in self.requests.items()
            if t == tenant_id and r.requester.id == requester_id
        ]
        return sorted(mine, key=lambda r: r.created_at, reverse=True)

    def _heads(self) -> list[ApprovalRequest]:
        return [replace(r, audit=()) for r, _ in self.requests.values()]

    async def of_kind(self, kind: str, status: Status) -> list[ApprovalRequest]:
        return [r for r in self._heads() if r.kind == kind and r.status is status]

    async def pending(self) -> list[ApprovalRequest]:
        return [r for r in self._heads() if r.pending]

    async def closed_before(self, cutoff: datetime) -> list[ApprovalRequest]:
        out = []
        for request, _ in self.requests.values():
            closed = request.closed_at()
            if not request.pending and closed is not None and closed < cutoff:
                out.append(request)
        return out

    async def remove(self, request: ApprovalRequest) -> None:
        for person in request.asked:
            await self.remove_inbox(request.tenant_id, person, request.id)
        await self.forget_register(request)
        self.requests.pop((request.tenant_id, request.id), None)

    async def put_inbox(
        self,
        request: ApprovalRequest,
        person_id: str | None = None,
        message_id: str = "",
        role: str = "approver",
    ) -> None:
        key = (request.tenant_id, person_id or request.approver.id, request.id)
        self.inboxes[key] = InboxEntry.of(request, role, message_id)

    async def inbox_entry(
        self, tenant_id: str, person_id: str, request_id: str
    ) -> InboxEntry | None:
        return self.inboxes.get((tenant_id, person_id, request_id))

    async def remove_inbox(self, tenant_id: str, approver_id: str, request_id: str) -> None:
        self.inboxes.pop((tenant_id, approver_id, request_id), None)

    async def inbox(self, tenant_id: str, approver_id: str) -> list[InboxEntry]:
        mine = [e for (t, p, _), e in self.inboxes.items() if t == tenant_id and p == approver_id]
        return sorted(mine, key=lambda e: e.created_at)

    async def waiting(self, tenant_id: str, person_id: str) -> list[InboxEntry]:
        return [e for e in await self.inbox(tenant_id, person_id) if e.status is Status.PENDING]

    async def ever_asked(self, tenant_id: str, person_id: str) -> bool:
        return any(t == tenant_id and p == person_id for (t, p, _) in self.inboxes)

    async def pending_everywhere(self) -> list[tuple[str, InboxEntry]]:
        return [
            (t, e)
            for (t, _, _), e in self.inboxes.items()
            if e.status is Status.PENDING and e.role == "approver"
        ]


@dataclass
class MemoryCollection:
    """The collection register as domain objects."""

    gifts: dict[tuple[str, str], CollectedGift] = field(default_factory=dict)

    async def expect(self, request: ApprovalRequest, description: str, cents: int) -> None:
        self.gifts.setdefault(
            (request.tenant_id, request.id),
            CollectedGift(
                request.id,
                request.requester.id,
                request.requester.name,
                CollectionStatus.EXPECTED,
                description,
                cents,
                request.created_at,
            ),
        )

    async def entries(self, tenant_id: str) -> list[CollectedGift]:
        return [g for (t, rid), g in sorted(self.gifts.items()) if t == tenant_id]

    async def mark_received(self, tenant_id: str, request_id: str, by: str, at: datetime) -> bool:
        return self._move(
            tenant_id, request_id, CollectionStatus.EXPECTED, CollectionStatus.RECEIVED
        )

    async def remove(self, tenant_id: str, request_id: str) -> None:
        self.gifts.pop((tenant_id, request_id), None)

    async def expected_everywhere(self) -> list[tuple[str, CollectedGift]]:
        return [
            (t, g)
            for (t, _), g in sorted(self.gifts.items())
            if g.status is CollectionStatus.EXPECTED
        ]

    async def cancel(self, tenant_id: str, request_id: str) -> bool:
        gift = self.gifts.get((tenant_id, request_id))
        if gift is None or gift.status is CollectionStatus.RAFFLED:
            return False
        if gift.status is CollectionStatus.EXPECTED:
            del self.gifts[(tenant_id, request_id)]
            return False
        if gift.status is CollectionStatus.CANCELLED:
            return True
        return self._move(
            tenant_id, request_id, CollectionStatus.RECEIVED, CollectionStatus.CANCELLED
        )

    async def mark_raffled(self, tenant_id: str, request_id: str, raffle_id: str) -> bool:
        return self._move(
            tenant_id, request_id, CollectionStatus.RECEIVED, CollectionStatus.RAFFLED, raffle_id
        )

    def _move(
        self,
        tenant_id: str,
        request_id: str,
        expected: CollectionStatus,
        to: CollectionStatus,
        raffle_id: str = "",
    ) -> bool:
        gift = self.gifts.get((tenant_id, request_id))
        if gift is None or gift.status is not expected:
            return False
        self.gifts[(tenant_id, request_id)] = replace(gift, status=to, raffle_id=raffle_id)
        return True


@dataclass
class MemoryNegotiations:
    """The list of parties in negotiation as domain objects, keyed like Azure (tenant, key)."""

    listed: dict[tuple[str, str], Party] = field(default_factory=dict)

    async def parties(self, tenant_id: str) -> list[Party]:
        return [p for (t, _), p in sorted(self.listed.items()) if t == tenant_id]

    async def find(self, tenant_id: str, key: str) -> Party | None:
        return self.listed.get((tenant_id, key)) if key else None

    async def add(self, party: Party) -> None:
        if (party.tenant_id, party.key) in self.listed:
            raise AlreadyExists(party.key)
        self.listed[(party.tenant_id, party.key)] = party

    async def put_all(self, parties: Sequence[Party]) -> None:
        for party in parties:
            self.listed[(party.tenant_id, party.key)] = party

    async def set_end(
        self, tenant_id: str, key: str, end: date, by: str, at: datetime
    ) -> Party | None:
        party = self.listed.get((tenant_id, key))
        if party is None:
            return None
        changed = replace(party, end=end, added_by=by, changed_at=at)
        self.listed[(tenant_id, key)] = changed
        return changed

    async def remove(self, tenant_id: str, key: str) -> None:
        self.listed.pop((tenant_id, key), None)


@dataclass
class MemoryTrailer:
    """The trailer's bookings: per (tenant, day), which booking holds each half."""

    halves: dict[tuple[str, date], dict[Half, Booking]] = field(default_factory=dict)
    gone: dict[tuple[str, date], dict[str, tuple[Booking, str, bool]]] = field(default_factory=dict)
    counted: dict[tuple[str, str], BookingFact] = field(default_factory=dict)  # removed ones

    async def on_day(self, tenant_id: str, day: date) -> list[Booking]:
        held = self.halves.get((tenant_id, day), {})
        seen: dict[str, Booking] = {}
        for half in (Half.MORNING, Half.AFTERNOON):
            if half in held:
                seen.setdefault(held[half].id, held[half])
        return list(seen.values())

    async def take(self, booking: Booking, displace: Sequence[Booking] = ()) -> None:
        key = (booking.tenant_id, booking.day)
        held = dict(self.halves.get(key, {}))
        for old in displace:
            for half in old.halves:
                if held.get(half) != old:
                    raise SlotTaken(f"{old.id} changed")
                del held[half]
        if any(half in held for half in booking.halves):
            raise SlotTaken("taken")
        for half in booking.halves:
            held[half] = booking
        self.halves[key] = held
        for old in displace:
            self.gone.setdefault(key, {})[old.id] = (old, booking.id, False)

    async def cancel(self, tenant_id: str, day: date, booking_id: str, by: str) -> Booking | None:
        held = self.halves.get((tenant_id, day), {})
        mine = [half for half, b in held.items() if b.id == booking_id]
        if not mine:
            return None
        booking = held[mine[0]]
        for half in mine:
            del held[half]
        return booking

    async def cancelled(self, tenant_id: str, day: date) -> list[tuple[Booking, str, bool]]:
        return sorted(self.gone.get((tenant_id, day), {}).values(), key=lambda e: e[0].id)

    async def mark_told(self, booking: Booking) -> None:
        entries = self.gone.get((booking.tenant_id, booking.day), {})
        if booking.id in entries:
            old, cancelled_for, _ = entries[booking.id]
            entries[booking.id] = (old, cancelled_for, True)

    async def before(self, day: date) -> list[Booking]:
        found = {
            (b.tenant_id, b.day, b.id): b
            for (_, booked), held in self.halves.items()
            if booked < day
            for b in held.values()
        }
        for (_, booked), entries in self.gone.items():
            if booked < day:
                found.update({(b.tenant_id, b.day, b.id): b for b, _, _ in entries.values()})
        return [found[key] for key in sorted(found)]

    async def remove(self, tenant_id: str, day: date, booking_id: str) -> None:
        key = (tenant_id, day)
        held = self.halves.get(key, {})
        for half in [h for h, b in held.items() if b.id == booking_id]:
            booking = held.pop(half)
            self.counted[(tenant_id, booking_id)] = BookingFact(
                booking_id, day, booking.booker, False
            )
        gone = self.gone.get(key, {}).pop(booking_id, None)
        if gone is not None:
            self.counted[(tenant_id, booking_id)] = BookingFact(
                booking_id, day, gone[0].booker, True
            )

    async def of_person(self, tenant_id: str, person_id: str) -> list[tuple[Booking, bool]]:
        found: dict[str, tuple[Booking, bool]] = {}
        for (tenant, _), held in self.halves.items():
            for b in held.values():
                if tenant == tenant_id and b.person_id == person_id and person_id:
                    found[b.id] = (b, False)
        for (tenant, _), entries in self.gone.items():
            for b, _, _ in entries.values():
                if tenant == tenant_id and b.person_id == person_id and person_id:
                    found[b.id] = (b, True)
        bookings = [f for f in found.values() if f[0].booker is Booker.EMPLOYEE]
        return sorted(bookings, key=lambda pair: pair[0].created_at, reverse=True)

    async def between(self, tenant_id: str, first: date, last: date) -> list[Booking]:
        found: list[Booking] = []
        for tenant, day in sorted(k for k in self.halves if k[0] == tenant_id):
            if first <= day <= last:
                found += await self.on_day(tenant, day)
        return found

    async def year_facts(self, tenant_id: str, year: int) -> list[BookingFact]:
        facts = {
            i: f for (t, i), f in self.counted.items() if t == tenant_id and f.day.year == year
        }
        for (tenant, day), held in self.halves.items():
            if tenant == tenant_id and day.year == year:
                facts.update({b.id: BookingFact(b.id, day, b.booker, False) for b in held.values()})
        for (tenant, day), entries in self.gone.items():
            if tenant == tenant_id and day.year == year:
                facts.update(
                    {b.id: BookingFact(b.id, day, b.booker, True) for b, _, _ in entries.values()}
                )
        return list(facts.values())


@dataclass
class MemoryViolations:
    """The confidential register of violations: records with a version each."""

    kept: dict[tuple[str, str], StoredViolation] = field(default_factory=dict)
    _versions: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def create(self, violation: Violation) -> StoredViolation:
        key = (violation.tenant_id, violation.id)
        if key in self.kept:
            raise AlreadyExists(violation.id)
        self.kept[key] = StoredViolation(violation, str(next(self._versions)))
        return self.kept[key]

    async def get(self, tenant_id: str, violation_id: str) -> StoredViolation | None:
        return self.kept.get((tenant_id, violation_id))

    async def update(self, stored: StoredViolation, changed: Violation) -> StoredViolation:
        key = (changed.tenant_id, changed.id)
        current = self.kept.get(key)
        if current is None or current.etag != stored.etag:
            raise Conflict(changed.id)
        self.kept[key] = StoredViolation(changed, str(next(self._versions)))
        return self.kept[key]

    async def all(self, tenant_id: str) -> list[StoredViolation]:
        found = [s for (t, _), s in self.kept.items() if t == tenant_id]
        return sorted(found, key=lambda s: s.violation.recorded_at, reverse=True)

    async def everywhere(self) -> list[Violation]:
        return [s.violation for s in self.kept.values()]

    async def remove(self, tenant_id: str, violation_id: str) -> None:
        self.kept.pop((tenant_id, violation_id), None)


def _conforms(
    requests: MemoryRequestRepository,
    collection: MemoryCollection,
    negotiations: MemoryNegotiations,
    trailer: MemoryTrailer,
    violations: MemoryViolations,
) -> None:
    """Type-checked only: the twins implement the same protocols as the Azure repositories."""
    _: Requests = requests
    __: Collection = collection
    ___: Negotiations = negotiations
    ____: Trailer = trailer
    _____: Violations = violations


@dataclass
class MemorySupplierContacts:
    """The supplier contact list as domain objects, keyed like Azure (tenant, contact id)."""

    listed: dict[tuple[str, str], SupplierContact] = field(default_factory=dict)

    async def contacts(self, tenant_id: str) -> list[SupplierContact]:
        return ordered(c for (t, _), c in self.listed.items() if t == tenant_id)

    async def get(self, tenant_id: str, contact_id: str) -> SupplierContact | None:
        return self.listed.get((tenant_id, contact_id))

    async def put_all(self, contacts: Sequence[SupplierContact]) -> None:
        for contact in contacts:
            self.listed[(contact.tenant_id, contact.id)] = contact

    async def sent(
        self, tenant_id: str, contact_id: str, at: datetime, error: str = ""
    ) -> SupplierContact | None:
        contact = self.listed.get((tenant_id, contact_id))
        if contact is None:
            return None
        if error:
            changed = replace(contact, send_error=error)
        else:
            changed = replace(contact, sent_at=at, sends=contact.sends + 1, send_error="")
        self.listed[(tenant_id, contact_id)] = changed
        return changed

    async def confirm(
        self, tenant_id: str, contact_id: str, at: datetime
    ) -> tuple[SupplierContact, bool] | None:
        contact = self.listed.get((tenant_id, contact_id))
        if contact is None:
            return None
        if contact.confirmed:
            return contact, False
        changed = replace(contact, confirmed_at=at)
        self.listed[(tenant_id, contact_id)] = changed
        return changed, True

    async def tenants(self) -> list[str]:
        return sorted({t for t, _ in self.listed})

    async def remove(self, tenant_id: str, contact_id: str) -> None:
        self.listed.pop((tenant_id, contact_id), None)
