"""Approval requests in Table storage.

`requests`: partition = tenant|requester, rows `r|<id>` (the request) and `r|<id>|a|<seq>` (its
append-only audit trail). One range query reads a request with its trail; a change is one
entity-group transaction (ETag-guarded replace + new audit rows), so it is all or nothing.
`inbox`: partition = tenant|approver, row = request id: what waits for whom ("openstaand").
`collection`: partition = tenant, row = request id: gifts to hand in, for the secretariat.

Each requester partition and each inbox partition also has an index row (`bot.storage.index`):
"mijn meldingen" and "openstaand" read that one row, and every change writes its entry in the
same transaction as the change itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.amend import NOTES, notes_from_record, notes_record
from bot.domain.kinds import Kinds
from bot.domain.requests import (
    ApprovalRequest,
    ApproverRole,
    Facts,
    Person,
    Status,
)
from bot.storage import index
from bot.storage.audit import audit_columns, audit_entries
from bot.storage.errors import AlreadyExists, Conflict, NotFound, RowFull
from bot.storage.store import Row, TableStore, Write

REQUESTS = "requests"
INBOX = "inbox"
COLLECTION = "collection"
TABLES: tuple[str, ...] = (REQUESTS, INBOX, COLLECTION)


@dataclass(frozen=True)
class StoredRequest:
    request: ApprovalRequest
    etag: str
    indexed: bool = True  # its requester's index row lists it (see bot.storage.index)


@dataclass(frozen=True)
class RequestSummary:
    """What "mijn meldingen" and the earlier-gifts check need of a request (its index entry)."""

    id: str
    kind: str
    status: Status
    created_at: datetime
    facts: Facts  # from an index entry: only the `_INDEXED_FACTS` of it
    summary: str  # the line "mijn meldingen" shows

    @classmethod
    def of(cls, request: ApprovalRequest) -> RequestSummary:
        return cls(
            request.id,
            request.kind,
            request.status,
            request.created_at,
            request.facts,
            request.facts.summary,
        )


# The facts an index entry keeps: the line "mijn meldingen" shows, and what the gift rules
# compare with earlier gifts (§2: gifts from the same giver this year).
_INDEXED_FACTS = ("summary", "giverName", "giverOrganisation", "receivedOn", "description")
_INDEXED_NUMBERS = ("valueCents",)


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


@dataclass(frozen=True)
class CollectionEntry:
    request_id: str
    requester_id: str
    requester_name: str
    status: str  # expected, received, raffled
    description: str
    value_cents: int
    created_at: datetime


def requester_partition(tenant_id: str, requester_id: str) -> str:
    return f"{tenant_id}|{requester_id}"


class RequestRepository:
    def __init__(self, store: TableStore, kinds: Kinds) -> None:
        self._store = store
        self._kinds = kinds  # reads each request's stored facts as its kind's typed facts

    async def create(self, request: ApprovalRequest) -> StoredRequest:
        """Write a new request, its trail and its index entry in one transaction
        (AlreadyExists if written)."""
        partition = requester_partition(request.tenant_id, request.requester.id)

        def writes(indexed: bool) -> list[Write]:
            columns = {**_request_columns(request), "Indexed": indexed}
            out = [Write("insert", _row_key(request.id), columns)]
            out += [
                Write("insert", _audit_key(request.id, n), audit_columns(e))
                for n, e in enumerate(request.audit)
            ]
            if indexed:
                out.append(index.put(request.id, _summary_entry(request)))
            return out

        etags, indexed = await self._with_index(REQUESTS, partition, writes, True)
        return StoredRequest(request, etags[0] or "", indexed)

    async def get(self, tenant_id: str, requester_id: str, request_id: str) -> StoredRequest | None:
        key = _row_key(request_id)
        rows = await self._store.query(
            REQUESTS, requester_partition(tenant_id, requester_id), key, key + "}"
        )
        head = next((r for r in rows if r.row == key), None)
        if head is None:
            return None
        trail = [r for r in rows if r.row.startswith(key + "|a|")]
        request = _request(self._kinds, tenant_id, request_id, head, trail)
        # A request written before the index rows existed has no column: its next change
        # writes its entry (and the migration does the rest), so it is never left out.
        return StoredRequest(request, head.etag or "", bool(head.data.get("Indexed", True)))

    async def update(self, stored: StoredRequest, updated: ApprovalRequest) -> StoredRequest:
        """Replace the request if unchanged since read (else Conflict), append its new trail and
        rewrite its index entry, in one transaction."""
        old = len(stored.request.audit)
        partition = requester_partition(updated.tenant_id, updated.requester.id)

        def writes(indexed: bool) -> list[Write]:
            columns = {**_request_columns(updated), "Indexed": indexed}
            out = [Write("replace", _row_key(updated.id), columns, stored.etag)]
            out += [
                Write("insert", _audit_key(updated.id, old + n), audit_columns(e))
                for n, e in enumerate(updated.audit[old:])
            ]
            if indexed:
                out.append(index.put(updated.id, _summary_entry(updated)))
            return out

        etags, indexed = await self._with_index(REQUESTS, partition, writes, stored.indexed)
        return StoredRequest(updated, etags[0] or "", indexed)

    async def _with_index(
        self,
        table: str,
        partition: str,
        writes: Callable[[bool], list[Write]],
        indexed: bool,
    ) -> tuple[list[str | None], bool]:
        """Apply `writes(indexed)`; when Azure refuses it for too many properties, make room in
        the index row, or give the index up (readers of a full index read the partition, so a
        missing entry is fine). Returns the ETags and whether the entry was written."""
        first = writes(indexed)
        if not first:
            return [], indexed
        try:
            return await self._store.transact(table, partition, first), indexed
        except RowFull:
            if not indexed:
                raise  # the item itself is too large: nothing the index can do
        room = await index.make_room(self._store, table, partition)
        try:
            return await self._store.transact(
                table, partition, writes(not room.full)
            ), not room.full
        except RowFull:
            if room.full or index.roomy(await index.read(self._store, table, partition)):
                raise  # refused again with room in the index: the item itself is too large
        await index.mark_full(self._store, table, partition)
        return await self._store.transact(table, partition, writes(False)), False

    async def summaries(self, tenant_id: str, requester_id: str) -> list[RequestSummary]:
        """Every request of one person, newest first: one point read (the index row), or the
        whole partition when the index is full."""
        partition = requester_partition(tenant_id, requester_id)
        found = await index.read_for_listing(self._store, REQUESTS, partition)
        if found.full:
            return [RequestSummary.of(r) for r in await self.for_requester(tenant_id, requester_id)]
        summaries = [_summary(self._kinds, key, entry) for key, entry in found.entries.items()]
        return sorted(summaries, key=lambda s: s.created_at, reverse=True)

    async def index_existing(self) -> tuple[int, bool]:
        """Give requests and pending inbox rows written before the index rows existed their
        index entries: (entries written, whether everything is indexed now).

        Each batch rewrites its rows unchanged but ETag-guarded, together with the index merge,
        so a row that changed meanwhile fails the batch instead of indexing a stale state (it is
        then left for the next run). A scan: for a background job, once per deployment."""
        written, complete = 0, True
        heads: dict[str, list[Row]] = {}
        for row in await self._store.scan(REQUESTS, {}):
            if row.row.startswith("r|") and "|a|" not in row.row and "Indexed" not in row.data:
                heads.setdefault(row.partition, []).append(row)
        for partition, rows in heads.items():
            tenant_id = partition.split("|", 1)[0]
            for start in range(0, len(rows), 99):
                chunk = rows[start : start + 99]
                writes = [
                    Write("replace", r.row, {**r.data, "Indexed": True}, r.etag) for r in chunk
                ]
                entries: dict[str, Any] = {}
                for r in chunk:
                    request = _request(self._kinds, tenant_id, r.row[2:], r, [])
                    entries.update(index.put(request.id, _summary_entry(request)).data)
                done = await self._backfill(REQUESTS, partition, writes, entries)
                written += len(chunk) if done else 0
                complete = complete and done
        pending: dict[str, list[Row]] = {}
        for row in await self._store.scan(INBOX, {"Status": Status.PENDING.value}):
            pending.setdefault(row.partition, []).append(row)
        for partition, rows in pending.items():
            found = await index.read(self._store, INBOX, partition)
            missing = [r for r in rows if r.row not in found.entries]
            for start in range(0, len(missing), 99):
                chunk = missing[start : start + 99]
                writes = [Write("replace", r.row, dict(r.data), r.etag) for r in chunk]
                entries = {}
                for r in chunk:
                    entries.update(index.put(r.row, _stored_inbox_columns(r)).data)
                done = await self._backfill(INBOX, partition, writes, entries)
                written += len(chunk) if done else 0
                complete = complete and done
        return written, complete

    async def _backfill(
        self, table: str, partition: str, writes: list[Write], entries: dict[str, Any]
    ) -> bool:
        batch = [*writes, Write("merge", index.INDEX_ROW, entries)]
        try:
            await self._store.transact(table, partition, batch)
        except (Conflict, NotFound):
            return False  # changed or removed meanwhile: the next run tries again
        except RowFull:
            # these old entries do not fit: readers of a full index read the partition
            await index.mark_full(self._store, table, partition)
        return True

    async def forget_in_index(self, tenant_id: str, requester_id: str, request_id: str) -> None:
        """Retention removed the request: drop its entry."""
        partition = requester_partition(tenant_id, requester_id)
        drop = index.drop(request_id)
        await self._with_index(REQUESTS, partition, lambda indexed: [drop] if indexed else [], True)

    async def for_requester(self, tenant_id: str, requester_id: str) -> list[ApprovalRequest]:
        """Every request of one person, newest first (one partition)."""
        rows = await self._store.query(
            REQUESTS, requester_partition(tenant_id, requester_id), "r|", "r}"
        )
        heads = [r for r in rows if "|a|" not in r.row]
        requests = [_request(self._kinds, tenant_id, r.row[2:], r, []) for r in heads]
        return sorted(requests, key=lambda r: r.created_at, reverse=True)

    async def _scan(self, equals: Mapping[str, str]) -> list[ApprovalRequest]:
        """Requests (without trails) of every person whose columns equal `equals`: a scan, for
        background jobs, registers and overviews, never for per-person screens."""
        out = []
        for row in await self._store.scan(REQUESTS, equals):
            if row.row.startswith("r|") and "|a|" not in row.row and "|" in row.partition:
                out.append(
                    _request(self._kinds, row.partition.split("|", 1)[0], row.row[2:], row, [])
                )
        return out

    async def of_kind(self, kind: str, status: Status) -> list[ApprovalRequest]:
        """Every request of a kind in a status, across tenants (yearly jobs)."""
        return await self._scan({"Kind": kind, "Status": status.value})

    async def of_kind_in_tenant(self, tenant_id: str, kind: str) -> list[ApprovalRequest]:
        """Every request of a kind in one tenant, in any status (registers, yearly overview)."""
        return [r for r in await self._scan({"Kind": kind}) if r.tenant_id == tenant_id]

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
        with the id of the card they were sent, so it can be updated for them later. The row and
        the person's index entry (listed while pending) are one transaction."""
        partition = f"{request.tenant_id}|{person_id or request.approver.id}"
        columns = inbox_columns(request, role, message_id)
        entry = (
            index.put(request.id, columns)
            if request.status is Status.PENDING
            else index.drop(request.id)
        )
        row = Write("upsert", request.id, columns)
        await self._with_index(
            INBOX, partition, lambda indexed: [row, entry] if indexed else [row], True
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
        """The row and its entry go in one transaction (or just the entry: no row, no harm)."""
        partition = f"{tenant_id}|{approver_id}"
        drop, delete = index.drop(request_id), Write("delete", request_id)
        try:
            await self._with_index(
                INBOX, partition, lambda indexed: [drop, delete] if indexed else [delete], True
            )
        except NotFound:
            await self._with_index(
                INBOX, partition, lambda indexed: [drop] if indexed else [], True
            )

    async def inbox(self, tenant_id: str, approver_id: str) -> list[InboxEntry]:
        """Everything ever put before one person, oldest first (the whole partition)."""
        rows = await self._store.query(INBOX, f"{tenant_id}|{approver_id}")
        entries = (_inbox_entry(r) for r in rows if r.row != index.INDEX_ROW)
        return sorted(entries, key=lambda e: e.created_at)

    async def waiting(self, tenant_id: str, person_id: str) -> list[InboxEntry]:
        """What waits for one person now, oldest first: one point read (the index row), or the
        whole partition when the index is full."""
        partition = f"{tenant_id}|{person_id}"
        found = await index.read_for_listing(self._store, INBOX, partition)
        if found.full:
            entries = await self.inbox(tenant_id, person_id)
            return [e for e in entries if e.status is Status.PENDING]
        waiting = (_inbox_entry_of(key, entry) for key, entry in found.entries.items())
        return sorted(waiting, key=lambda e: e.created_at)

    async def ever_asked(self, tenant_id: str, person_id: str) -> bool:
        """Has anything ever been put before this person? Their index row exists (one point
        read); else any row of an older inbox (one row of the partition)."""
        partition = f"{tenant_id}|{person_id}"
        if (await index.read(self._store, INBOX, partition)).etag is not None:
            return True
        return bool(await self._store.query(INBOX, partition, limit=1))

    async def pending_everywhere(self) -> list[tuple[str, InboxEntry]]:
        """(tenant, entry) for every pending inbox row of every approver: for the reminder job."""
        rows = await self._store.scan(INBOX, {"Status": Status.PENDING.value, "Role": "approver"})
        return [(r.partition.split("|", 1)[0], _inbox_entry(r)) for r in rows]

    async def expect_collection(
        self, request: ApprovalRequest, description: str, cents: int
    ) -> None:
        """Put a gift on the register as expected; an entry already there (perhaps received or
        raffled since) is left as it is, so repeating this is harmless."""
        try:
            await self._store.insert(
                COLLECTION,
                request.tenant_id,
                request.id,
                {
                    "RequesterId": request.requester.id,
                    "RequesterName": request.requester.name,
                    "Status": "expected",
                    "Description": description,
                    "ValueCents": cents,
                    "CreatedAt": request.created_at.isoformat(),
                },
            )
        except AlreadyExists:
            return

    async def collection(self, tenant_id: str) -> list[CollectionEntry]:
        rows = await self._store.query(COLLECTION, tenant_id)
        return [
            CollectionEntry(
                r.row,
                str(r.data["RequesterId"]),
                str(r.data.get("RequesterName", "")),
                str(r.data["Status"]),
                str(r.data.get("Description", "")),
                int(r.data.get("ValueCents", 0)),
                datetime.fromisoformat(str(r.data["CreatedAt"])),
            )
            for r in rows
        ]

    async def mark_collected(self, tenant_id: str, request_id: str, by: str, at: datetime) -> bool:
        """Expected -> received; False when it was not expected (already received, or unknown)."""
        try:
            row = await self._store.get(COLLECTION, tenant_id, request_id)
        except NotFound:
            return False
        if row.data.get("Status") != "expected":
            return False
        data = {**row.data, "Status": "received", "ReceivedBy": by, "ReceivedAt": at.isoformat()}
        await self._store.replace(COLLECTION, tenant_id, request_id, data, row.etag or "*")
        return True


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
    """An inbox row, and the same as the person's index entry while it is pending."""
    return {
        "RequesterId": request.requester.id,
        "Kind": request.kind,
        "Status": request.status.value,
        "CreatedAt": request.created_at.isoformat(),
        "Role": role,
        "MessageId": message_id,
        # what the "openstaand" list shows, so it needs no read per request
        "RequesterName": request.requester.name,
        "Summary": request.facts.summary[:300],
    }


def _stored_inbox_columns(row: Row) -> dict[str, Any]:
    """An inbox row's columns as `inbox_columns` gives them (older rows may lack some)."""
    d = row.data
    return {
        "RequesterId": d["RequesterId"],
        "Kind": d["Kind"],
        "Status": d["Status"],
        "CreatedAt": d["CreatedAt"],
        "Role": d.get("Role", "approver"),
        "MessageId": d.get("MessageId", ""),
        "RequesterName": d.get("RequesterName", ""),
        "Summary": d.get("Summary", ""),
    }


def _inbox_entry_of(key: str, entry: Mapping[str, Any]) -> InboxEntry:
    return _inbox_entry(Row("", key, entry))


def _summary_entry(request: ApprovalRequest) -> dict[str, Any]:
    # whole, as the request has them (the forms bound every field far below Azure's 64 KB)
    record = request.facts.to_record()
    facts: dict[str, Any] = {k: str(record[k]) for k in _INDEXED_FACTS if k in record}
    facts.update({k: record[k] for k in _INDEXED_NUMBERS if k in record})
    return {
        "Kind": request.kind,
        "Status": request.status.value,
        "CreatedAt": request.created_at.isoformat(),
        "Facts": facts,
    }


def _summary(kinds: Kinds, key: str, entry: Mapping[str, Any]) -> RequestSummary:
    record = dict(entry.get("Facts", {}))
    return RequestSummary(
        key,
        str(entry["Kind"]),
        Status(str(entry["Status"])),
        datetime.fromisoformat(str(entry["CreatedAt"])),
        kinds.read_facts(str(entry["Kind"]), record),
        str(record.get("summary", "")),
    )


def _row_key(request_id: str) -> str:
    return f"r|{request_id}"


def _audit_key(request_id: str, number: int) -> str:
    return f"r|{request_id}|a|{number:04d}"


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
        "Facts": json.dumps(_facts_record(request), ensure_ascii=False),
        "CreatedAt": request.created_at.isoformat(),
        "DecidedAt": request.decided_at.isoformat() if request.decided_at else "",
        "DecidedBy": request.decided_by or "",
        "Comment": request.comment,
        "Watchers": ",".join(request.watchers),
        "AdvisorId": request.advisor.id if request.advisor else "",
        "AdvisorName": request.advisor.name if request.advisor else "",
        "Advice": request.advice,
        "AdvisedAt": _iso(request.advised_at),
        "RemindedAt": _iso(request.reminded_at),
        "EscalatedAt": _iso(request.escalated_at),
    }


def _facts_record(request: ApprovalRequest) -> dict[str, Any]:
    record = request.facts.to_record()
    if request.notes:
        record[NOTES] = notes_record(request.notes)
    return record


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _request(
    kinds: Kinds, tenant_id: str, request_id: str, head: Row, trail: Sequence[Row]
) -> ApprovalRequest:
    d: Mapping[str, Any] = head.data
    decided = str(d.get("DecidedAt") or "")
    record = dict(json.loads(str(d.get("Facts") or "{}")))
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
        advised_at=_moment(d.get("AdvisedAt")),
        reminded_at=_moment(d.get("RemindedAt")),
        escalated_at=_moment(d.get("EscalatedAt")),
        audit=audit_entries(trail),
    )


__all__ = ["NotFound"]
