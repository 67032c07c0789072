"""The index rows behind "mijn meldingen" and "openstaand", against a real Azurite.

Azurite does not enforce Azure's limit of 252 properties per entity, so `LimitedStore` below
refuses a merge the way Azure does (RowFull) once a row would pass a small limit: that is how
the full-index path is exercised here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from bot.domain.requests import Status, decide
from bot.storage import index
from bot.storage.errors import NotFound, RowFull
from bot.storage.requests import INBOX, REQUESTS, TABLES, RequestRepository
from bot.storage.store import Row, Write
from bot.storage.tables import AzureTableStore
from tests.integration.test_requests import NOW, a_request
from tests.support.counting_store import CountingStore
from tests.support.kinds import KINDS


@dataclass
class LimitedStore(CountingStore):
    """Counts reads too, and refuses writes that would give an index row more than `limit`
    properties (as Azure does at 252; the system properties are left out here)."""

    limit: int = 1_000
    item_limit: int = 1_000  # the same for any other row (a request too large for Azure)
    reads: int = 0

    async def get(self, table: str, partition: str, row: str) -> Row:
        self.reads += 1
        return await super().get(table, partition, row)

    async def query(
        self,
        table: str,
        partition: str,
        row_from: str | None = None,
        row_to: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        self.reads += 1
        return await super().query(table, partition, row_from, row_to, limit)

    def _refuse_if_too_many(self, row: str, data: Mapping[str, Any]) -> None:
        limit = self.limit if row == index.INDEX_ROW else self.item_limit
        if len(data) > limit:
            raise RowFull("TooManyProperties")

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        self._refuse_if_too_many(row, data)
        return await super().replace(table, partition, row, data, etag)

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        self._refuse_if_too_many(row, data)
        return await super().upsert(table, partition, row, data)

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        for write in writes:
            if write.kind == "merge":
                try:
                    row = await self.inner.get(table, partition, write.row)
                    names = set(row.data) - {"Timestamp"}
                except NotFound:
                    names = set()
                if len(names | set(write.data)) > self.limit:
                    raise RowFull("TooManyProperties")
            elif write.kind in ("replace", "upsert", "insert"):
                self._refuse_if_too_many(write.row, write.data)
        return await super().transact(table, partition, writes)


@pytest.fixture
async def limited(store: AzureTableStore) -> LimitedStore:
    await store.ensure_tables(TABLES)
    return LimitedStore(store)


def numbered(n: int, status: Status = Status.PENDING) -> Any:
    request = a_request(f"CAD-TEST-{n:04d}", NOW + timedelta(minutes=n))
    facts = replace(request.facts, description=f"Cadeau {n}", giver_name="")
    return replace(request, facts=facts, status=status)


async def test_mijn_meldingen_is_one_point_read_newest_first(limited: LimitedStore) -> None:
    repository = RequestRepository(limited, KINDS)
    for n in range(3):
        await repository.create(numbered(n))
    stored = await repository.get("tenant", "sanne", "CAD-TEST-0001")
    assert stored is not None and stored.indexed
    decided = decide(stored.request, "pieter", True, "", NOW + timedelta(hours=1))
    await repository.update(stored, decided)

    limited.reads = 0
    mine = await repository.summaries("tenant", "sanne")
    assert limited.reads == 1
    assert [s.id for s in mine] == ["CAD-TEST-0002", "CAD-TEST-0001", "CAD-TEST-0000"]
    assert [s.status for s in mine] == [Status.PENDING, Status.APPROVED, Status.PENDING]
    assert mine[0].summary == "Cadeau 2"
    assert mine[0].facts.value_cents == 2500  # what the earlier-gifts rule compares
    assert mine[0].created_at == NOW + timedelta(minutes=2)


async def test_the_index_entry_is_in_the_same_transaction_as_the_request(
    limited: LimitedStore,
) -> None:
    await RequestRepository(limited, KINDS).create(numbered(1))
    ops = [(w.op, w.row) for w in limited.writes]
    assert ops == [
        ("transact:insert", "r|CAD-TEST-0001"),
        ("transact:insert", "r|CAD-TEST-0001|a|0000"),
        ("transact:merge", index.INDEX_ROW),
    ]


async def test_openstaand_lists_only_what_is_pending_in_one_read(limited: LimitedStore) -> None:
    repository = RequestRepository(limited, KINDS)
    first, second = numbered(1), numbered(2)
    await repository.put_inbox(first, message_id="m1")
    await repository.put_inbox(second, message_id="m2")
    await repository.put_inbox(replace(second, status=Status.DECLINED), message_id="m2")

    limited.reads = 0
    waiting = await repository.waiting("tenant", "pieter")
    assert limited.reads == 1
    assert [(e.request_id, e.message_id, e.summary) for e in waiting] == [
        ("CAD-TEST-0001", "m1", "Cadeau 1")
    ]
    assert await repository.ever_asked("tenant", "pieter")
    assert not await repository.ever_asked("tenant", "sanne")
    # the rows themselves stay, for card updates and the reminder job
    assert [e.status for e in await repository.inbox("tenant", "pieter")] == [
        Status.PENDING,
        Status.DECLINED,
    ]


async def test_a_removed_inbox_entry_is_gone_from_the_list(limited: LimitedStore) -> None:
    repository = RequestRepository(limited, KINDS)
    await repository.put_inbox(numbered(1))
    await repository.remove_inbox("tenant", "pieter", "CAD-TEST-0001")
    assert await repository.waiting("tenant", "pieter") == []
    assert await repository.inbox("tenant", "pieter") == []


async def test_a_reader_clears_tombstones(limited: LimitedStore, store: AzureTableStore) -> None:
    repository = RequestRepository(limited, KINDS)
    for n in range(index.COMPACT_AT + 2):
        request = numbered(n)
        await repository.put_inbox(request)
        if n:  # everything but the first is decided
            await repository.put_inbox(replace(request, status=Status.APPROVED))
    before = await store.get(INBOX, "tenant|pieter", index.INDEX_ROW)
    assert sum(1 for k in before.data if k.startswith("E_")) == index.COMPACT_AT + 2

    assert [e.request_id for e in await repository.waiting("tenant", "pieter")] == ["CAD-TEST-0000"]
    after = await store.get(INBOX, "tenant|pieter", index.INDEX_ROW)
    assert [k for k in after.data if k.startswith("E_")] == [index.property_name("CAD-TEST-0000")]
    assert [e.request_id for e in await repository.waiting("tenant", "pieter")] == ["CAD-TEST-0000"]


async def test_a_full_requester_index_loses_no_request(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_ENTRIES", 8)
    limited.limit = 10
    repository = RequestRepository(limited, KINDS)
    for n in range(14):
        await repository.create(numbered(n))
    row = await store.get(REQUESTS, "tenant|sanne", index.INDEX_ROW)
    assert row.data[index.FULL] is True
    mine = await repository.summaries("tenant", "sanne")  # the partition, not the index
    assert [s.id for s in mine] == [f"CAD-TEST-{n:04d}" for n in reversed(range(14))]
    # a request in a full index is still decided and shown with its new status
    stored = await repository.get("tenant", "sanne", "CAD-TEST-0013")
    assert stored is not None
    await repository.update(stored, decide(stored.request, "pieter", False, "nee", NOW))
    [latest, *_] = await repository.summaries("tenant", "sanne")
    assert latest.status is Status.DECLINED


async def test_a_row_at_azures_limit_never_blocks_a_request(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live entries up to Azure's limit and no tombstones: compacting cannot free anything, and
    rewriting them with a `Full` flag would pass the limit too; the row becomes just `Full`."""
    monkeypatch.setattr(index, "MAX_ENTRIES", 10)
    limited.limit = 10  # here MAX_ENTRIES reaches the limit itself (Azure: 200 of 252)
    repository = RequestRepository(limited, KINDS)
    for n in range(13):
        await repository.create(numbered(n))
    row = await store.get(REQUESTS, "tenant|sanne", index.INDEX_ROW)
    assert row.data[index.FULL] is True
    assert len(await repository.summaries("tenant", "sanne")) == 13
    for n in range(13):
        await repository.put_inbox(numbered(n))
    assert len(await repository.waiting("tenant", "pieter")) == 13


async def test_an_item_too_large_is_refused_and_the_index_left_alone(
    limited: LimitedStore, store: AzureTableStore
) -> None:
    repository = RequestRepository(limited, KINDS)
    await repository.create(numbered(1))
    too_large = numbered(2)
    limited.item_limit = 20  # the request row has about 25 columns
    with pytest.raises(RowFull):
        await repository.create(too_large)
    limited.item_limit = 1_000
    row = await store.get(REQUESTS, "tenant|sanne", index.INDEX_ROW)
    assert index.FULL not in row.data
    assert [s.id for s in await repository.summaries("tenant", "sanne")] == ["CAD-TEST-0001"]


async def test_a_reader_gives_up_an_index_that_reached_max_entries(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_ENTRIES", 5)
    repository = RequestRepository(limited, KINDS)
    for n in range(6):
        await repository.create(numbered(n))
    assert len(await repository.summaries("tenant", "sanne")) == 6
    row = await store.get(REQUESTS, "tenant|sanne", index.INDEX_ROW)
    assert row.data[index.FULL] is True
    assert not [k for k in row.data if k.startswith("E_")]  # entries dropped, readers go round


async def test_a_full_index_is_compacted_first(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_ENTRIES", 8)
    monkeypatch.setattr(index, "COMPACT_AT", 1_000)  # no reader compacts here
    limited.limit = 10
    repository = RequestRepository(limited, KINDS)
    for n in range(30):  # each one pending, then decided: tombstones pile up
        request = numbered(n)
        await repository.put_inbox(request)
        await repository.put_inbox(replace(request, status=Status.APPROVED))
    await repository.put_inbox(numbered(99))
    row = await store.get(INBOX, "tenant|pieter", index.INDEX_ROW)
    assert not row.data.get(index.FULL)  # compacting made room: no need to give up the index
    assert [e.request_id for e in await repository.waiting("tenant", "pieter")] == ["CAD-TEST-0099"]


async def test_a_full_inbox_index_loses_nothing(
    limited: LimitedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_ENTRIES", 8)
    limited.limit = 10
    repository = RequestRepository(limited, KINDS)
    for n in range(14):
        await repository.put_inbox(numbered(n))
    waiting = await repository.waiting("tenant", "pieter")
    assert [e.request_id for e in waiting] == [f"CAD-TEST-{n:04d}" for n in range(14)]


async def test_forgetting_a_request_drops_its_entry(limited: LimitedStore) -> None:
    repository = RequestRepository(limited, KINDS)
    await repository.create(numbered(1))
    await repository.create(numbered(2))
    await repository.forget_in_index("tenant", "sanne", "CAD-TEST-0001")
    assert [s.id for s in await repository.summaries("tenant", "sanne")] == ["CAD-TEST-0002"]


async def test_a_merge_writes_only_the_given_properties(store: AzureTableStore) -> None:
    await store.ensure_tables(["things"])
    await store.transact("things", "p", [Write("merge", "r", {"A": 1, "B": 2})])
    await store.transact("things", "p", [Write("merge", "r", {"B": 3, "C": 4})])
    row = await store.get("things", "p", "r")
    assert {k: v for k, v in row.data.items() if k in "ABC"} == {"A": 1, "B": 3, "C": 4}


async def test_removals_keep_working_when_their_tombstones_fill_the_row(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inbox rows whose entries are gone already (older rows, or a compacted index): each
    removal leaves a tombstone, and nobody reads the list of someone who left."""
    monkeypatch.setattr(index, "MAX_ENTRIES", 8)
    limited.limit = 10
    repository = RequestRepository(limited, KINDS)
    for n in range(15):
        await store.upsert(INBOX, "tenant|pieter", f"CAD-OLD-{n:04d}", {"Status": "approved"})
    for n in range(15):
        await repository.remove_inbox("tenant", "pieter", f"CAD-OLD-{n:04d}")
        await repository.forget_in_index("tenant", "sanne", f"CAD-OLD-{n:04d}")
    assert await repository.inbox("tenant", "pieter") == []
    assert await repository.waiting("tenant", "pieter") == []


async def test_a_reader_making_room_meanwhile_does_not_refuse_the_write(
    limited: LimitedStore, store: AzureTableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "MAX_ENTRIES", 8)
    limited.limit = 10
    repository = RequestRepository(limited, KINDS)
    for n in range(9):  # nine tombstones: the second new entry below passes the limit
        request = numbered(n)
        await repository.put_inbox(request)
        await repository.put_inbox(replace(request, status=Status.APPROVED))
    refused = limited.transact
    refusals = 0

    async def refused_then_compacted(table: str, partition: str, writes: Any) -> Any:
        try:
            return await refused(table, partition, writes)
        except RowFull:  # the approver opens "openstaand" right now and clears the tombstones
            nonlocal refusals
            refusals += 1
            found = await index.read(store, table, partition)
            await index.compact(store, table, partition, found)
            raise

    monkeypatch.setattr(limited, "transact", refused_then_compacted)
    await repository.put_inbox(numbered(99))
    await repository.put_inbox(numbered(98))
    assert [e.request_id for e in await repository.waiting("tenant", "pieter")] == [
        "CAD-TEST-0098",
        "CAD-TEST-0099",
    ]
    row = await store.get(INBOX, "tenant|pieter", index.INDEX_ROW)
    assert not row.data.get(index.FULL)
    assert refusals == 1
