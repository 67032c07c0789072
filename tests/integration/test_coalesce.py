"""Group commit of derived rows on a real Azurite: rows written into one partition at the same
moment go as one entity-group transaction, each caller still waits for its own row and gets its
own error, and a row written alone is a plain upsert."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import pytest

from bot.storage.coalesce import Coalescer
from bot.storage.errors import StorageError, StorageUnavailable
from bot.storage.store import Row, Write
from bot.storage.tables import AzureTableStore

TABLE = "inbox"


@pytest.fixture
async def counted(
    azurite_connection: str, table_prefix: str
) -> AsyncIterator[tuple[AzureTableStore, list[int]]]:
    requests: list[int] = []
    store = AzureTableStore(azurite_connection, table_prefix, on_request=lambda: requests.append(1))
    await store.ensure_tables([TABLE])
    requests.clear()
    yield store, requests
    await store.close()


async def test_rows_meeting_in_one_partition_are_one_request_and_all_stored(
    counted: tuple[AzureTableStore, list[int]],
) -> None:
    store, requests = counted
    coalescer = Coalescer(store)
    await asyncio.gather(
        *(coalescer.upsert(TABLE, "t|pieter", f"CAD-{n}", {"Status": "pending"}) for n in range(30))
    )
    # written in one moment (before the loop turns), all 30 go as one transaction
    assert len(requests) == 1 and coalescer.transactions == 1
    rows = await store.query(TABLE, "t|pieter")
    assert sorted(r.row for r in rows) == sorted(f"CAD-{n}" for n in range(30))


async def test_rows_arriving_while_one_is_in_flight_go_together_next(
    counted: tuple[AzureTableStore, list[int]],
) -> None:
    store, requests = counted
    coalescer = Coalescer(store)
    first = asyncio.create_task(coalescer.upsert(TABLE, "t|pieter", "CAD-0", {"S": "pending"}))
    for _ in range(1000):  # until the first row's request is on its way
        if requests:
            break
        await asyncio.sleep(0.001)
    assert requests
    later = [coalescer.upsert(TABLE, "t|pieter", f"CAD-{n}", {"S": "pending"}) for n in (1, 2, 3)]
    await asyncio.gather(first, *later)
    assert len(requests) == 2 and coalescer.transactions == 1
    assert len(await store.query(TABLE, "t|pieter")) == 4


async def test_a_row_alone_is_one_upsert_and_other_partitions_do_not_wait(
    counted: tuple[AzureTableStore, list[int]],
) -> None:
    store, requests = counted
    coalescer = Coalescer(store)
    await asyncio.gather(
        coalescer.upsert(TABLE, "t|pieter", "CAD-1", {"Status": "pending"}),
        coalescer.upsert(TABLE, "t|lotte", "CAD-2", {"Status": "pending"}),
    )
    assert len(requests) == 2 and coalescer.transactions == 0
    await coalescer.upsert(TABLE, "t|pieter", "CAD-1", {"Status": "approved"})
    assert (await store.get(TABLE, "t|pieter", "CAD-1")).data["Status"] == "approved"


async def test_the_same_row_twice_lands_in_the_order_written(
    counted: tuple[AzureTableStore, list[int]],
) -> None:
    store, _ = counted
    coalescer = Coalescer(store)
    await asyncio.gather(
        coalescer.upsert(TABLE, "t|pieter", "CAD-0", {"Status": "pending"}),
        coalescer.upsert(TABLE, "t|pieter", "CAD-1", {"Status": "pending"}),
        coalescer.upsert(TABLE, "t|pieter", "CAD-1", {"Status": "approved"}),
        coalescer.upsert(TABLE, "t|pieter", "CAD-2", {"Status": "pending"}),
    )
    assert (await store.get(TABLE, "t|pieter", "CAD-1")).data["Status"] == "approved"
    assert len(await store.query(TABLE, "t|pieter")) == 3


async def test_a_row_azure_refuses_fails_only_its_own_caller(
    counted: tuple[AzureTableStore, list[int]],
) -> None:
    store, _ = counted
    coalescer = Coalescer(store)
    too_long = {"Summary": "x" * 70_000}  # a string property over Azure's 64 KiB
    results = await asyncio.gather(
        coalescer.upsert(TABLE, "t|pieter", "CAD-0", {"Status": "pending"}),
        coalescer.upsert(TABLE, "t|pieter", "CAD-1", {"Status": "pending"}),
        coalescer.upsert(TABLE, "t|pieter", "CAD-2", too_long),
        coalescer.upsert(TABLE, "t|pieter", "CAD-3", {"Status": "pending"}),
        return_exceptions=True,
    )
    assert results[:2] == [None, None] and results[3] is None
    assert isinstance(results[2], StorageError)
    assert sorted(r.row for r in await store.query(TABLE, "t|pieter")) == [
        "CAD-0",
        "CAD-1",
        "CAD-3",
    ]


class _Down:
    """A store whose every request fails, as when storage cannot be reached."""

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        raise StorageUnavailable("down")

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        raise StorageUnavailable("down")


async def test_a_storage_failure_reaches_every_caller() -> None:
    coalescer = Coalescer(_Down())  # type: ignore[arg-type]
    results = await asyncio.gather(
        *(coalescer.upsert(TABLE, "t|p", f"CAD-{n}", {"S": "x"}) for n in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(r, StorageUnavailable) for r in results)
