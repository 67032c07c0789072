"""The transport meter (bot/storage/metering.py) counts what Azurite was asked and answered:
requests, reads and writes, pages and entities, per table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage.errors import NotFound
from bot.storage.metering import TableMeter, Tally
from bot.storage.store import Write
from bot.storage.tables import AzureTableStore

TABLE = "metered"


@pytest.fixture
async def metered(
    azurite_connection: str, table_prefix: str
) -> AsyncIterator[tuple[AzureTableStore, TableMeter]]:
    meter = TableMeter()
    store = AzureTableStore(azurite_connection, table_prefix, meter=meter)
    await store.ensure_tables([TABLE])
    yield store, meter
    await store.close()


def since(meter: TableMeter, before: Tally) -> Tally:
    now = Tally()
    now.add(meter.total)
    for name in vars(now):
        setattr(now, name, getattr(now, name) - getattr(before, name))
    return now


def mark(meter: TableMeter) -> Tally:
    copy = Tally()
    copy.add(meter.total)
    return copy


async def fill(store: AzureTableStore, partition: str, count: int) -> None:
    for start in range(0, count, 100):
        writes = [
            Write("upsert", f"r{n:05d}", {"N": n}) for n in range(start, min(count, start + 100))
        ]
        await store.transact(TABLE, partition, writes)


async def test_a_transaction_is_one_write_request_of_all_its_entities(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    before = mark(meter)
    await fill(store, "p", 250)
    counted = since(meter, before)
    assert (counted.requests, counted.writes, counted.reads) == (3, 3, 0)
    assert counted.written == 250
    assert [t.written for name, t in meter.tables.items() if name.endswith(TABLE)] == [250]


async def test_a_query_over_two_pages_counts_two_pages_and_every_entity(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    await fill(store, "big", 1500)
    await fill(store, "other", 10)
    before = mark(meter)
    rows = await store.query(TABLE, "big")
    counted = since(meter, before)
    assert len(rows) == 1500
    # Azurite, like Azure, answers at most 1,000 entities per page and names the next one
    assert (counted.requests, counted.reads, counted.pages, counted.continued) == (2, 2, 2, 1)
    assert (counted.entities, counted.writes, counted.point_reads) == (1500, 0, 0)


async def test_a_scan_counts_the_entities_that_match_not_the_table(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    await fill(store, "a", 30)
    await fill(store, "b", 30)
    before = mark(meter)
    rows = await store.scan(TABLE, {"N": 7})
    counted = since(meter, before)
    assert len(rows) == 2
    assert (counted.requests, counted.pages, counted.entities) == (1, 1, 2)


async def test_a_point_read_counts_one_entity_and_no_page(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    await fill(store, "p", 3)
    before = mark(meter)
    await store.get(TABLE, "p", "r00001")
    counted = since(meter, before)
    assert (counted.requests, counted.reads, counted.point_reads, counted.entities) == (1, 1, 1, 1)
    assert counted.pages == 0

    before = mark(meter)
    with pytest.raises(NotFound):
        await store.get(TABLE, "p", "missing")
    counted = since(meter, before)
    assert (counted.requests, counted.point_reads, counted.entities) == (1, 1, 0)


async def test_single_writes_count_one_entity_each(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    before = mark(meter)
    row = await store.insert(TABLE, "p", "one", {"N": 1})
    await store.replace(TABLE, "p", "one", {"N": 2}, row.etag or "")
    await store.upsert(TABLE, "p", "two", {"N": 3})
    await store.delete(TABLE, "p", "two")
    counted = since(meter, before)
    assert (counted.requests, counted.writes, counted.written, counted.reads) == (4, 4, 4, 0)


async def test_the_snapshot_is_plain_json_per_table(
    metered: tuple[AzureTableStore, TableMeter],
) -> None:
    store, meter = metered
    await fill(store, "p", 5)
    await store.query(TABLE, "p")
    snapshot = meter.snapshot()
    (table,) = (t for name, t in snapshot["tables"].items() if name.endswith(TABLE))
    assert (table["pages"], table["entities"], table["written"]) == (1, 5, 5)
    assert snapshot["requests"] >= table["requests"]
