"""Approval requests in Table storage.

`requests`: partition = tenant|requester, rows `r|<id>` (the request) and `r|<id>|a|<seq>` (its
append-only audit trail). One range query reads a request with its trail; a change is one
entity-group transaction (ETag-guarded replace + new audit rows), so it is all or nothing.
`inbox`: partition = tenant|approver, row = request id: what waits for whom ("openstaand").

`register`: partition = tenant|kind|year filed under (side jobs: tenant|sidejob), row = request
id: a copy of the request's head for the registers and the yearly overview, so reading one year
of one kind reads that partition only. The copy is derived: written after the request (never in
its transaction: another partition), idempotently, and rewritten from the request by every later
change and by the repair of unannounced decisions.

"Mijn meldingen" reads the requester's own partition and "openstaand" the approver's: Azure
answers a query inside one partition from that partition, whatever the size of the table.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Protocol

import orjson

from bot.cache import TtlCache
from bot.domain.amend import NOTES, notes_from_record, notes_record
from bot.domain.kinds import AMSTERDAM, Kinds
from bot.domain.requests import (
    ApprovalRequest,
    ApproverRole,
    AuditEntry,
    Facts,
    Person,
    Status,
    Step,
)
from bot.storage.audit import audit_entries, trail_entries, trail_json
from bot.storage.coalesce import Coalescer
from bot.storage.columns import chunked, unchunked
from bot.storage.errors import AlreadyExists, NotFound
from bot.storage.seal import MAX_SEALED, Seal
from bot.storage.store import Row, TableStore, Write

REQUESTS = "requests"
INBOX = "inbox"
COLLECTION = "collection"
REGISTER = "register"
FACTS = "Facts"  # the kind's facts (and the requester's notes), JSON, split over Facts, Facts1...
TRAIL = "Trail"  # the append-only audit trail, JSON, split over Trail, Trail1, ...
COPY = "RegisterCopy"  # where its register copy was put: "partition\nrow"
TABLES: tuple[str, ...] = (REQUESTS, INBOX, COLLECTION, REGISTER)  # COLLECTION: see collection.py


@dataclass(frozen=True)
class StoredRequest:
    request: ApprovalRequest
    etag: str
    # Where this version's register copy was put ("partition\nrow"; empty: not recorded, e.g.
    # written before copies were recorded): moving or removing the copy starts from there, even
    # after a kind's filing rules changed.
    copy: str = ""
    # The columns this version was written with, when this instance wrote it (its register
    # copy and the sealed copy on the approver's card are made from them, not built again).
    columns: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RequestSummary:
    """What "mijn meldingen" and the earlier-gifts check need of a request."""

    id: str
    kind: str
    status: Status
    created_at: datetime
    facts: Facts  # from an index entry: only the `_INDEXED_FACTS` of it
    summary: str  # the line "mijn meldingen" shows
    verdict: str = ""
    outcome: str = ""  # the approver's choice (bot.domain.choices), once decided

    @classmethod
    def of(cls, request: ApprovalRequest) -> RequestSummary:
        return cls(
            request.id,
            request.kind,
            request.status,
            request.created_at,
            request.facts,
            request.facts.summary,
            request.verdict,
            request.outcome,
        )


@dataclass(frozen=True)
class InboxEntry:
    request_id: str
    requester_id: str
    kind: str
    status: Status
    created_at: datetime
    role: str = "approver"  # or "advisor"
    message_id: str = ""
    requester_name: str = ""
    summary: str = ""

    @classmethod
    def of(cls, request: ApprovalRequest, role: str, message_id: str) -> InboxEntry:
        """What waits for a person, as the request now is."""
        return cls(
            request.id,
            request.requester.id,
            request.kind,
            request.status,
            request.created_at,
            role,
            message_id,
            request.requester.name,
            request.facts.summary[:SUMMARY],  # what "openstaand" shows, no read per request
        )


SUMMARY = 300  # characters of a request's summary kept with its inbox row


def requester_partition(tenant_id: str, requester_id: str) -> str:
    return f"{tenant_id}|{requester_id}"


class Requests(Protocol):
    """The requests aggregate: a request with its trail, the inbox rows of the people it is put
    before, and its register copy. Implemented on Azure Tables (`RequestRepository`) and in
    memory (`bot.storage.memory.MemoryRequestRepository`); one contract suite runs on both."""

    async def create(self, request: ApprovalRequest) -> StoredRequest: ...
    async def get(
        self, tenant_id: str, requester_id: str, request_id: str
    ) -> StoredRequest | None: ...
    async def update(self, stored: StoredRequest, updated: ApprovalRequest) -> StoredRequest: ...
    async def sync_register(
        self, request: ApprovalRequest, before: ApprovalRequest | None = None
    ) -> None: ...
    async def forget_register(self, request: ApprovalRequest) -> None: ...
    async def register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]: ...
    async def recent_register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        """`register`, as read at most `RECENT_REGISTER` seconds ago plus every change this
        instance made since: for figures shown beside a submission, never for a screen."""
        ...

    async def recent_group(
        self,
        tenant_id: str,
        kind: str,
        year: int,
        by: Callable[[ApprovalRequest], Hashable],
        key: Hashable,
    ) -> list[ApprovalRequest]:
        """The copies of `recent_register` for which `by(copy) == key`. `by` must be pure and
        defined once (a module's function): the grouping is kept per function and updated
        with every change, so a submission does not go through the whole year's copies."""
        ...

    async def recent_totals(
        self,
        tenant_id: str,
        kind: str,
        year: int,
        by: Callable[[ApprovalRequest], Hashable],
        key: Hashable,
    ) -> GroupTotals:
        """What the copies of one group (as `recent_group`) that are on the kind's register
        add up to: how many, their value (the kind's `value_of`) and whose they are. Kept as
        running totals, so asking costs the same however large the group is."""
        ...

    async def submitted_in(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]: ...
    async def submission_years(self, tenant_id: str) -> set[int]: ...
    async def backfill_registers(self) -> int: ...
    async def summaries(self, tenant_id: str, requester_id: str) -> list[RequestSummary]: ...
    async def for_requester(self, tenant_id: str, requester_id: str) -> list[ApprovalRequest]: ...
    async def of_kind(self, kind: str, status: Status) -> list[ApprovalRequest]: ...
    async def pending(self) -> list[ApprovalRequest]: ...
    async def closed_before(self, cutoff: datetime) -> list[ApprovalRequest]: ...
    async def remove(self, request: ApprovalRequest) -> None: ...
    async def put_inbox(
        self,
        request: ApprovalRequest,
        person_id: str | None = None,
        message_id: str = "",
        role: str = "approver",
    ) -> None: ...
    async def inbox_entry(
        self, tenant_id: str, person_id: str, request_id: str
    ) -> InboxEntry | None: ...
    async def remove_inbox(self, tenant_id: str, approver_id: str, request_id: str) -> None: ...
    async def inbox(self, tenant_id: str, approver_id: str) -> list[InboxEntry]: ...
    async def waiting(self, tenant_id: str, person_id: str) -> list[InboxEntry]: ...
    async def ever_asked(self, tenant_id: str, person_id: str) -> bool: ...
    async def pending_everywhere(self) -> list[tuple[str, InboxEntry]]: ...


@dataclass(frozen=True)
class RegisterPlace:
    """Where a request's register copy stands: its register's partition (tenant, kind and the
    year it is filed under; `current` for a kind whose entries count onwards while they are on
    the register, e.g. current side jobs) and its row (the year it was submitted, then its id,
    so the overview can read one submission year of any partition by key range)."""

    partition: str
    row: str
    submitted: int  # the year it was submitted (Amsterdam)
    filed: str  # the partition's last part: a year, or CURRENT

    @property
    def key(self) -> str:
        """The place as the request records it (`COPY`): "partition\nrow"."""
        return f"{self.partition}\n{self.row}"


CURRENT = "current"
# How old a register read `recent_register` may hand out (changes by other instances show after
# at most this long; this instance's own at once).
RECENT_REGISTER = 60.0


def register_place(kinds: Kinds, request: ApprovalRequest) -> RegisterPlace:
    submitted = request.created_at.astimezone(AMSTERDAM).year
    kind = kinds.get(request.kind)
    if kind is None or not isinstance(request.facts, kind.facts_type):
        filed = str(submitted)  # a kind this app does not know (any more): by submission
    elif kind.counts_onwards:
        # On the register it counts for every year from its start: one partition. Off it
        # (pending, declined, ended), only the overview reads it: by submission.
        filed = CURRENT if kind.on_register(request) else str(submitted)
    else:
        filed = str(kind.register_day(request).year)
    partition = f"{request.tenant_id}|{request.kind}|{filed}"
    return RegisterPlace(partition, f"{submitted}|{request.id}", submitted, filed)


Grouping = Callable[[ApprovalRequest], Hashable]


@dataclass(frozen=True)
class GroupTotals:
    """A group's register copies added up (`Requests.recent_totals`)."""

    count: int
    value_cents: int
    requesters: Mapping[str, int]  # requester id -> how many of the group are theirs


class _Totals:
    """Running totals of one group: changed copy by copy, never recounted."""

    def __init__(self) -> None:
        self.count = 0
        self.value = 0
        self.requesters: dict[str, int] = {}

    def add(self, value: int, requester: str, sign: int) -> None:
        self.count += sign
        self.value += sign * value
        left = self.requesters.get(requester, 0) + sign
        if left:
            self.requesters[requester] = left
        else:
            self.requesters.pop(requester, None)

    def frozen(self) -> GroupTotals:
        # a copy: totals handed out do not change under their holder
        return GroupTotals(self.count, self.value, MappingProxyType(dict(self.requesters)))


class RecentCopies:
    """One register partition as read, with this instance's own copy writes since, and the
    groupings asked of it (`Requests.recent_group`, `recent_totals`) kept up to date copy by
    copy. `counted` and `value` are the partition's kind's: on its register now, its value."""

    def __init__(
        self,
        copies: dict[str, ApprovalRequest],
        counted: Callable[[ApprovalRequest], bool] = lambda copy: True,
        value: Callable[[ApprovalRequest], int] = lambda copy: 0,
    ) -> None:
        self._rows = copies
        self._counted = counted
        self._value = value
        self._groups: dict[Grouping, dict[Hashable, dict[str, ApprovalRequest]]] = {}
        self._totals: dict[Grouping, dict[Hashable, _Totals]] = {}

    def totals(self, by: Grouping, key: Hashable) -> GroupTotals:
        totals = self._totals.get(by)
        if totals is None:
            totals = {}
            self._totals[by] = totals
            for copy in self._rows.values():
                self._count(totals, by, copy, 1)
        found = totals.get(key)
        return found.frozen() if found is not None else GroupTotals(0, 0, MappingProxyType({}))

    def _count(
        self, totals: dict[Hashable, _Totals], by: Grouping, copy: ApprovalRequest, sign: int
    ) -> None:
        if not self._counted(copy):
            return
        group = totals.setdefault(by(copy), _Totals())
        group.add(self._value(copy), copy.requester.id, sign)

    def all(self) -> list[ApprovalRequest]:
        return list(self._rows.values())

    def group(self, by: Grouping, key: Hashable) -> list[ApprovalRequest]:
        groups = self._groups.get(by)
        if groups is None:
            groups = {}
            for row, copy in self._rows.items():
                groups.setdefault(by(copy), {})[row] = copy
            self._groups[by] = groups
        return list(groups.get(key, {}).values())

    def put(self, row: str, copy: ApprovalRequest) -> None:
        self.drop(row)
        self._rows[row] = copy
        for by, groups in self._groups.items():
            groups.setdefault(by(copy), {})[row] = copy
        for by, totals in self._totals.items():
            self._count(totals, by, copy, 1)

    def drop(self, row: str) -> None:
        old = self._rows.pop(row, None)
        if old is None:
            return
        for by, groups in self._groups.items():
            members = groups.get(by(old))
            if members is not None:
                members.pop(row, None)
        for by, totals in self._totals.items():
            self._count(totals, by, old, -1)


def recent_copies(kinds: Kinds, kind: str, copies: dict[str, ApprovalRequest]) -> RecentCopies:
    """Copies of one kind's register partition, counted by the kind's rules (a kind this app
    does not know: every copy, at no value)."""
    known = kinds.get(kind)
    if known is None:
        return RecentCopies(copies)
    return RecentCopies(
        copies,
        lambda copy: copy.kind == known.name and known.on_register(copy),
        lambda copy: known.value_of(copy) or 0,
    )


def _marker_partition(tenant_id: str) -> str:
    """Per tenant, one row per kind and year of submission, naming where its copies are filed:
    what the overview reads to find a year's requests, and which years have any."""
    return f"{tenant_id}|filed"


class RequestRepository:
    def __init__(self, store: TableStore, kinds: Kinds) -> None:
        self._store = store
        self._kinds = kinds  # reads each request's stored facts as its kind's typed facts
        # register copies and inbox rows written at once into one partition share a request
        self._derived = Coalescer(store)
        self._marked: set[tuple[str, str, int, str]] = set()  # marker rows known written
        # register partition -> its copies by row, as read (at most RECENT_REGISTER s ago) and
        # changed since by this instance's own copy writes (see `recent_register`)
        self._recent: TtlCache[str, RecentCopies] = TtlCache(RECENT_REGISTER, size=256)
        self._loading: dict[str, asyncio.Future[RecentCopies]] = {}

    async def create(self, request: ApprovalRequest) -> StoredRequest:
        """Write a new request, its trail inside it (AlreadyExists if written), then its register
        copy (derived, idempotent: every later change and `sync_register` rewrite it)."""
        partition = requester_partition(request.tenant_id, request.requester.id)
        place = self._place(request)
        copy = place.key if place else ""
        columns = {**_request_columns(request), COPY: copy}
        row = await self._store.insert(REQUESTS, partition, _row_key(request.id), columns)
        await self._sync(request, place, "", columns)
        return StoredRequest(request, row.etag or "", copy, columns)

    async def get(self, tenant_id: str, requester_id: str, request_id: str) -> StoredRequest | None:
        """The request with its trail: one point read (a request written before trails were
        kept inside it also reads its trail rows)."""
        partition = requester_partition(tenant_id, requester_id)
        key = _row_key(request_id)
        try:
            head = await self._store.get(REQUESTS, partition, key)
        except NotFound:
            return None
        legacy: list[Row] = []
        if TRAIL not in head.data:
            rows = await self._store.query(REQUESTS, partition, key + "|a|", key + "|a}")
            legacy = list(rows)
        request = _request(self._kinds, tenant_id, request_id, head, legacy, trail=True)
        return StoredRequest(request, head.etag or "", str(head.data.get(COPY) or ""))

    async def update(self, stored: StoredRequest, updated: ApprovalRequest) -> StoredRequest:
        """Replace the request, trail and all, if unchanged since read (else Conflict): one
        entity, so the change and its trail are all or nothing; then its register copy."""
        partition = requester_partition(updated.tenant_id, updated.requester.id)
        place = self._place(updated)
        copy = place.key if place else ""
        columns = {**_request_columns(updated), COPY: copy}
        row = await self._store.replace(
            REQUESTS, partition, _row_key(updated.id), columns, stored.etag
        )
        await self._sync(updated, place, stored.copy or self._copy_at(stored.request), columns)
        return StoredRequest(updated, row.etag or "", copy, columns)

    def _place(self, request: ApprovalRequest) -> RegisterPlace | None:
        """Where the request's register copy goes (None: its kind has no register)."""
        kind = self._kinds.get(request.kind)
        if kind is not None and not kind.has_register:
            return None
        return register_place(self._kinds, request)

    def _copy_at(self, request: ApprovalRequest) -> str:
        place = self._place(request)
        return place.key if place else ""

    async def sync_register(
        self, request: ApprovalRequest, before: ApprovalRequest | None = None
    ) -> None:
        """Write the request's register copy as the request now is (an unconditional upsert:
        repeating it, or running it late, is harmless). When the copy moves (a side job comes
        onto or leaves the register), the old copy goes first: a failure in between leaves it
        off the register until its next change, never on it twice or wrongly."""
        old = self._copy_at(before) if before is not None else ""
        await self._sync(request, self._place(request), old)

    async def _sync(
        self,
        request: ApprovalRequest,
        place: RegisterPlace | None,
        old: str,
        columns: Mapping[str, Any] | None = None,
    ) -> None:
        """`columns`: the request's own, as just written (else built from `request`)."""
        if place is None:
            return
        if old and old != place.key:
            old_partition, old_row = old.split("\n", 1)
            await self._store.delete(REGISTER, old_partition, old_row)
            self._recent_drop(old_partition, old_row)
        await self._mark(request.tenant_id, request.kind, place)
        await self._derived.upsert(
            REGISTER, place.partition, place.row, _register_columns(request, columns)
        )
        recent = self._recent.get(place.partition)
        if recent is not None:
            recent.put(place.row, replace(request, audit=()))

    def _recent_drop(self, partition: str, row: str) -> None:
        recent = self._recent.get(partition)
        if recent is not None:
            recent.drop(row)

    async def _mark(self, tenant_id: str, kind: str, place: RegisterPlace) -> None:
        """Name the copy's partition in its submission year's marker row (a merge: writers of
        other filings never conflict). A marker is never removed, so one this instance wrote
        is not written again: after the first request of a kind in a year, this costs nothing."""
        key = (tenant_id, kind, place.submitted, place.filed)
        if key in self._marked:
            return
        row = f"{kind}|{place.submitted}"
        merge = Write(
            "merge", row, {"Kind": kind, "Year": place.submitted, f"P{place.filed}": True}
        )
        await self._store.transact(REGISTER, _marker_partition(tenant_id), [merge])
        if len(self._marked) > 10_000:
            self._marked.clear()
        self._marked.add(key)

    async def forget_register(self, request: ApprovalRequest, recorded: str = "") -> None:
        """Retention removed the request: its register copy goes too (where it was recorded to
        be, and where today's filing rules put it)."""
        for at in {recorded, self._copy_at(request)} - {""}:
            partition, row = at.split("\n", 1)
            await self._store.delete(REGISTER, partition, row)
            self._recent_drop(partition, row)

    async def register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        """The register copies of one kind filed under one year (a kind that counts onwards:
        those on its register now): one partition, so what is read is what the register shows."""
        known = self._kinds.get(kind)
        filed = CURRENT if known is not None and known.counts_onwards else str(year)
        rows = await self._store.query(REGISTER, f"{tenant_id}|{kind}|{filed}")
        return [_request(self._kinds, tenant_id, r.row.split("|", 1)[1], r) for r in rows]

    async def recent_register(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        """`register` from a read at most `RECENT_REGISTER` s old, kept up to date with this
        instance's own copy writes since; concurrent callers share one read."""
        return (await self._recent_copies(tenant_id, kind, year)).all()

    async def recent_group(
        self, tenant_id: str, kind: str, year: int, by: Grouping, key: Hashable
    ) -> list[ApprovalRequest]:
        return (await self._recent_copies(tenant_id, kind, year)).group(by, key)

    async def recent_totals(
        self, tenant_id: str, kind: str, year: int, by: Grouping, key: Hashable
    ) -> GroupTotals:
        return (await self._recent_copies(tenant_id, kind, year)).totals(by, key)

    async def _recent_copies(self, tenant_id: str, kind: str, year: int) -> RecentCopies:
        known = self._kinds.get(kind)
        filed = CURRENT if known is not None and known.counts_onwards else str(year)
        partition = f"{tenant_id}|{kind}|{filed}"
        copies = self._recent.get(partition)
        if copies is None:
            loading = self._loading.get(partition)
            if loading is None:
                loading = asyncio.ensure_future(self._read_recent(tenant_id, kind, partition))
                self._loading[partition] = loading
                loading.add_done_callback(lambda _f: self._loading.pop(partition, None))
            copies = await asyncio.shield(loading)
        return copies

    async def _read_recent(self, tenant_id: str, kind: str, partition: str) -> RecentCopies:
        rows = await self._store.query(REGISTER, partition)
        read = {r.row: _request(self._kinds, tenant_id, r.row.split("|", 1)[1], r) for r in rows}
        copies = recent_copies(self._kinds, kind, read)
        self._recent.put(partition, copies)
        return copies

    async def submitted_in(self, tenant_id: str, kind: str, year: int) -> list[ApprovalRequest]:
        """The register copies of one kind submitted in `year`, wherever they are filed: the
        partitions its marker row names, each read by key range, so what is read is what the
        yearly overview counts."""
        try:
            marker = await self._store.get(REGISTER, _marker_partition(tenant_id), f"{kind}|{year}")
        except NotFound:
            return []
        filings = sorted(name[1:] for name, on in marker.data.items() if on and name[:1] == "P")
        low, high = f"{year}|", f"{year}}}"
        found: list[ApprovalRequest] = []
        for filed in filings:
            rows = await self._store.query(REGISTER, f"{tenant_id}|{kind}|{filed}", low, high)
            found += [_request(self._kinds, tenant_id, r.row.split("|", 1)[1], r) for r in rows]
        return found

    async def backfill_registers(self) -> int:
        """Give every request written before the register copies existed its copy (a scan: a
        once-per-deployment job). Copies are inserted, never overwritten: one a live change
        wrote meanwhile is newer and stays. Returns how many it wrote."""
        written = 0
        for request in await self._scan({}):
            kind = self._kinds.get(request.kind)
            if kind is not None and not kind.has_register:
                continue
            place = register_place(self._kinds, request)
            await self._mark(request.tenant_id, request.kind, place)
            try:
                await self._store.insert(
                    REGISTER, place.partition, place.row, _register_columns(request)
                )
            except AlreadyExists:
                continue
            written += 1
        return written

    async def submission_years(self, tenant_id: str) -> set[int]:
        """The years anything was submitted in (the tenant's marker rows: one small partition)."""
        rows = await self._store.query(REGISTER, _marker_partition(tenant_id))
        return {int(r.data["Year"]) for r in rows if r.data.get("Year")}

    async def summaries(self, tenant_id: str, requester_id: str) -> list[RequestSummary]:
        """Every request of one person, newest first (their own partition)."""
        return [RequestSummary.of(r) for r in await self.for_requester(tenant_id, requester_id)]

    async def for_requester(self, tenant_id: str, requester_id: str) -> list[ApprovalRequest]:
        """Every request of one person, newest first (one partition)."""
        rows = await self._store.query(
            REQUESTS, requester_partition(tenant_id, requester_id), "r|", "r}"
        )
        heads = [r for r in rows if "|a|" not in r.row]
        requests = [_request(self._kinds, tenant_id, r.row[2:], r) for r in heads]
        return sorted(requests, key=lambda r: r.created_at, reverse=True)

    async def _scan(self, equals: Mapping[str, str]) -> list[ApprovalRequest]:
        """Requests (without trails) of every person whose columns equal `equals`: a scan, for
        background jobs only, never for screens."""
        out = []
        for row in await self._store.scan(REQUESTS, equals):
            if row.row.startswith("r|") and "|a|" not in row.row and "|" in row.partition:
                out.append(_request(self._kinds, row.partition.split("|", 1)[0], row.row[2:], row))
        return out

    async def of_kind(self, kind: str, status: Status) -> list[ApprovalRequest]:
        """Every request of a kind in a status, across tenants (yearly jobs)."""
        return await self._scan({"Kind": kind, "Status": status.value})

    async def closed_before(self, cutoff: datetime) -> list[ApprovalRequest]:
        """Decided or withdrawn requests that closed before `cutoff`: a scan, for the retention
        job only."""
        found = []
        for status in (Status.APPROVED, Status.DECLINED, Status.WITHDRAWN):
            for head in await self._scan({"Status": status.value}):
                if head.decided_at is not None or head.created_at >= cutoff:
                    if head.decided_at is not None and head.decided_at < cutoff:
                        found.append(head)
                    continue
                # a withdrawal's moment is in the trail: read it only when old enough at all
                stored = await self.get(head.tenant_id, head.requester.id, head.id)
                closed = stored.request.closed_at() if stored else None
                if stored is not None and closed is not None and closed < cutoff:
                    found.append(stored.request)
        return found

    async def remove(self, request: ApprovalRequest) -> None:
        """Remove a request for good: the inbox rows of everyone it was put before and its
        register copy, then its trail rows (if written before the trail moved inside) and, last,
        its head (so a removal that stops half-way leaves it findable for the next run).
        Idempotent. Its collection entry is the collection's (`Collection.remove`)."""
        for person in request.asked:
            await self.remove_inbox(request.tenant_id, person, request.id)
        partition = requester_partition(request.tenant_id, request.requester.id)
        key = _row_key(request.id)
        rows = await self._store.query(REQUESTS, partition, key, key + "}")
        recorded = next((str(r.data.get(COPY) or "") for r in rows if r.row == key), "")
        await self.forget_register(request, recorded)
        trail = sorted((r for r in rows if r.row != key), key=lambda r: r.row)
        ordered = [*trail, *(r for r in rows if r.row == key)]
        for start in range(0, len(ordered), 100):
            writes = [Write("delete", r.row) for r in ordered[start : start + 100]]
            await self._store.transact(REQUESTS, partition, writes)

    async def pending(self) -> list[ApprovalRequest]:
        """Every pending request of every tenant (the recovery and reminder jobs)."""
        return await self._scan({"Status": Status.PENDING.value})

    async def put_inbox(
        self,
        request: ApprovalRequest,
        person_id: str | None = None,
        message_id: str = "",
        role: str = "approver",
    ) -> None:
        """What waits for a person (the approver by default; an advisor with role="advisor"),
        with the id of the card they were sent, so it can be updated for them later."""
        partition = f"{request.tenant_id}|{person_id or request.approver.id}"
        await self._derived.upsert(
            INBOX, partition, request.id, inbox_columns(request, role, message_id)
        )

    async def inbox_entry(
        self, tenant_id: str, person_id: str, request_id: str
    ) -> InboxEntry | None:
        try:
            row = await self._store.get(INBOX, f"{tenant_id}|{person_id}", request_id)
        except NotFound:
            return None
        return _inbox_entry(row)

    async def remove_inbox(self, tenant_id: str, approver_id: str, request_id: str) -> None:
        await self._store.delete(INBOX, f"{tenant_id}|{approver_id}", request_id)

    async def inbox(self, tenant_id: str, approver_id: str) -> list[InboxEntry]:
        """Everything ever put before one person, oldest first (the whole partition)."""
        rows = await self._store.query(INBOX, f"{tenant_id}|{approver_id}")
        return sorted((_inbox_entry(r) for r in rows), key=lambda e: e.created_at)

    async def waiting(self, tenant_id: str, person_id: str) -> list[InboxEntry]:
        """What waits for one person now, oldest first (their own inbox partition)."""
        entries = await self.inbox(tenant_id, person_id)
        return [e for e in entries if e.status is Status.PENDING]

    async def ever_asked(self, tenant_id: str, person_id: str) -> bool:
        """Has anything ever been put before this person? (one row of their partition)"""
        return bool(await self._store.query(INBOX, f"{tenant_id}|{person_id}", limit=1))

    async def pending_everywhere(self) -> list[tuple[str, InboxEntry]]:
        """(tenant, entry) for every pending inbox row of every approver: for the reminder job."""
        rows = await self._store.scan(INBOX, {"Status": Status.PENDING.value, "Role": "approver"})
        return [(r.partition.split("|", 1)[0], _inbox_entry(r)) for r in rows]


def _inbox_entry(row: Row) -> InboxEntry:
    return InboxEntry(
        row.row,
        str(row.data["RequesterId"]),
        str(row.data["Kind"]),
        Status(str(row.data["Status"])),
        datetime.fromisoformat(str(row.data["CreatedAt"])),
        str(row.data.get("Role", "approver")),
        str(row.data.get("MessageId", "")),
        str(row.data.get("RequesterName", "")),
        str(row.data.get("Summary", "")),
    )


def inbox_columns(request: ApprovalRequest, role: str, message_id: str) -> dict[str, Any]:
    """An inbox row."""
    return {
        "RequesterId": request.requester.id,
        "Kind": request.kind,
        "Status": request.status.value,
        "CreatedAt": request.created_at.isoformat(),
        "Role": role,
        "MessageId": message_id,
        # what the "openstaand" list shows, so it needs no read per request
        "RequesterName": request.requester.name,
        "Summary": request.facts.summary[:SUMMARY],
    }


def _row_key(request_id: str) -> str:
    return f"r|{request_id}"


def _register_columns(
    request: ApprovalRequest, columns: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A register copy: the head's columns (not its trail) plus where the original lives.
    `columns`: the request's own, when they were just built for its write."""
    own = columns if columns is not None else _request_columns(request)
    head = {k: v for k, v in own.items() if not k.startswith(TRAIL) and k != COPY}
    return {
        **head,
        "RequesterPartition": requester_partition(request.tenant_id, request.requester.id),
    }


def _request_columns(request: ApprovalRequest) -> dict[str, Any]:
    return {
        "Kind": request.kind,
        "Status": request.status.value,
        "Verdict": request.verdict,
        "Reasons": ",".join(request.reasons),
        "RequesterId": request.requester.id,
        "RequesterName": request.requester.name,
        "ApproverId": request.approver.id,
        "ApproverName": request.approver.name,
        "ApproverRole": request.approver_role.value,
        **chunked(FACTS, orjson.dumps(_facts_record(request)).decode()),
        **chunked(TRAIL, trail_json(request.audit)),
        "CreatedAt": request.created_at.isoformat(),
        "DecidedAt": request.decided_at.isoformat() if request.decided_at else "",
        "DecidedBy": request.decided_by or "",
        "Comment": request.comment,
        "Watchers": ",".join(request.watchers),
        "AdvisorId": request.advisor.id if request.advisor else "",
        "AdvisorName": request.advisor.name if request.advisor else "",
        "Advice": request.advice,
        "AdvicePosition": request.advice_position,
        "AdvisedAt": _iso(request.advised_at),
        "RemindedAt": _iso(request.reminded_at),
        "EscalatedAt": _iso(request.escalated_at),
        "FormerApprovers": ",".join(request.former_approvers),
        "Outcome": request.outcome,
        "Step": _step_json(request.step),
        "DecidedWithout": request.decided_without,
        "AssigneeId": request.assignee.id if request.assignee else "",
        "AssigneeName": request.assignee.name if request.assignee else "",
        "ReceiptMessageId": request.receipt_message,
        "CoApprovers": json.dumps(
            [[p.id, p.name] for p in request.co_approvers], ensure_ascii=False
        )
        if request.co_approvers
        else "",
    }


def _step_json(step: Step | None) -> str:
    if step is None:
        return ""
    return json.dumps(
        {
            "code": step.code,
            "dueOn": step.due_on.isoformat() if step.due_on else "",
            "to": step.to,
            "doneAt": _iso(step.done_at),
            "doneBy": step.done_by,
            "remindedAt": _iso(step.reminded_at),
            "escalatedAt": _iso(step.escalated_at),
        },
        ensure_ascii=False,
    )


def _step(value: object) -> Step | None:
    if not value:
        return None
    d = json.loads(str(value))
    return Step(
        code=str(d["code"]),
        due_on=date.fromisoformat(d["dueOn"]) if d.get("dueOn") else None,
        to=str(d.get("to", "")),
        done_at=_moment(d.get("doneAt")),
        done_by=str(d.get("doneBy", "")),
        reminded_at=_moment(d.get("remindedAt")),
        escalated_at=_moment(d.get("escalatedAt")),
    )


def sealed_request(seal: Seal, stored: StoredRequest) -> str:
    """The stored request, as read or written (its columns, ETag and where its register copy
    is), sealed for its approver's card: the decision then writes it with that ETag instead of
    reading it first. "" when it would be too long to carry (the decision reads it)."""
    request = stored.request
    if stored.columns is not None:  # as this instance just wrote it
        row = {k: v for k, v in stored.columns.items() if k != COPY}
    else:
        row = _request_columns(request)
    plain = orjson.dumps({"etag": stored.etag, "copy": stored.copy, "row": row})
    token = seal.seal(plain, _sealed_about(request.tenant_id, request.requester.id, request.id))
    return token if len(token) <= MAX_SEALED else ""


def unsealed_request(
    seal: Seal, kinds: Kinds, token: str, tenant_id: str, requester_id: str, request_id: str
) -> StoredRequest | None:
    """The request a card's sealed copy holds, if it was sealed for exactly this request (None
    for anything else). It is what storage held at its ETag: a write conditional on that ETag
    either finds it unchanged or fails with Conflict, as after a read."""
    plain = seal.open(token, _sealed_about(tenant_id, requester_id, request_id))
    if plain is None:
        return None
    try:
        data = json.loads(plain)
        head = Row(requester_partition(tenant_id, requester_id), _row_key(request_id), data["row"])
        request = _request(kinds, tenant_id, request_id, head, (), trail=True)
        return StoredRequest(request, str(data["etag"]), str(data["copy"]))
    except (LookupError, TypeError, ValueError):  # sealed by a version that wrote it otherwise
        return None


def _sealed_about(tenant_id: str, requester_id: str, request_id: str) -> str:
    return f"request\n{tenant_id}\n{requester_id}\n{request_id}"


def _facts_record(request: ApprovalRequest) -> dict[str, Any]:
    record = request.facts.to_record()
    if request.notes:
        record[NOTES] = notes_record(request.notes)
    return record


def _trail(data: Mapping[str, Any], legacy: Sequence[Row]) -> tuple[AuditEntry, ...]:
    return trail_entries(unchunked(TRAIL, data)) if TRAIL in data else audit_entries(legacy)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _request(
    kinds: Kinds,
    tenant_id: str,
    request_id: str,
    head: Row,
    legacy: Sequence[Row] = (),
    trail: bool = False,
) -> ApprovalRequest:
    """The request a head row holds; with `trail`, its audit trail too (kept in the row;
    `legacy`: the separate trail rows of a request written before that). Listings leave the
    trail out: reading it costs a JSON parse per request that nobody shows."""
    d: Mapping[str, Any] = head.data
    decided = str(d.get("DecidedAt") or "")
    record = dict(json.loads(unchunked(FACTS, d) or "{}"))
    notes = notes_from_record(record.pop(NOTES, None))  # kept beside the facts
    return ApprovalRequest(
        id=request_id,
        kind=str(d["Kind"]),
        tenant_id=tenant_id,
        requester=Person(str(d["RequesterId"]), str(d.get("RequesterName", ""))),
        approver=Person(str(d["ApproverId"]), str(d.get("ApproverName", ""))),
        approver_role=ApproverRole(str(d["ApproverRole"])),
        facts=kinds.read_facts(str(d["Kind"]), record),
        notes=notes,
        verdict=str(d.get("Verdict", "")),
        reasons=tuple(r for r in str(d.get("Reasons", "")).split(",") if r),
        created_at=datetime.fromisoformat(str(d["CreatedAt"])),
        status=Status(str(d["Status"])),
        decided_at=datetime.fromisoformat(decided) if decided else None,
        decided_by=str(d.get("DecidedBy") or "") or None,
        comment=str(d.get("Comment", "")),
        watchers=tuple(w for w in str(d.get("Watchers", "")).split(",") if w),
        advisor=Person(str(d["AdvisorId"]), str(d.get("AdvisorName", "")))
        if d.get("AdvisorId")
        else None,
        advice=str(d.get("Advice", "")),
        advice_position=str(d.get("AdvicePosition") or ""),
        advised_at=_moment(d.get("AdvisedAt")),
        reminded_at=_moment(d.get("RemindedAt")),
        escalated_at=_moment(d.get("EscalatedAt")),
        former_approvers=tuple(a for a in str(d.get("FormerApprovers", "")).split(",") if a),
        outcome=str(d.get("Outcome") or ""),
        step=_step(d.get("Step")),
        decided_without=str(d.get("DecidedWithout") or ""),
        assignee=Person(str(d["AssigneeId"]), str(d.get("AssigneeName", "")))
        if d.get("AssigneeId")
        else None,
        receipt_message=str(d.get("ReceiptMessageId") or ""),
        audit=_trail(d, legacy) if trail else (),
        co_approvers=tuple(
            Person(str(i), str(n)) for i, n in json.loads(str(d.get("CoApprovers") or "[]"))
        ),
    )


__all__ = ["NotFound"]
