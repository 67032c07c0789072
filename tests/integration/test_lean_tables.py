"""The lean hot path (bot/storage/lean.py) against a real Azurite, beside azure-data-tables: what
one writes the other reads the same (values, keys with odd characters, ETags), transactions are
all or nothing with the SDK's errors, and the transport meter counts it as it counts the SDK."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage.errors import AlreadyExists, Conflict, NotFound, StorageError
from bot.storage.metering import TableMeter
from bot.storage.store import Write
from bot.storage.tables import AzureTableStore

TABLE = "things"
ODD = "tenant|29:a b'c%d+e&f=g é"  # what keys may hold: bars, colons, spaces, quotes, % + & = é


@pytest.fixture
async def pair(
    azurite_connection: str, table_prefix: str
) -> AsyncIterator[tuple[AzureTableStore, AzureTableStore]]:
    lean = AzureTableStore(azurite_connection, table_prefix)
    sdk = AzureTableStore(azurite_connection, table_prefix, lean=False)
    assert lean._lean is not None and sdk._lean is None
    await sdk.ensure_tables([TABLE])
    yield lean, sdk
    await lean.close()
    await sdk.close()


VALUES = {
    "Name": 'Sanne de Vries – één ‘quote’ "x" ✓',
    "Count": 7,
    "Negative": -(2**31),
    "Ok": False,
    "Share": 0.25,
    "Whole": 3.0,
    "Empty": "",
}


async def test_what_the_lean_path_writes_the_sdk_reads_the_same_and_back(
    pair: tuple[AzureTableStore, AzureTableStore],
) -> None:
    lean, sdk = pair
    written = await lean.insert(TABLE, ODD, ODD + "1", VALUES)
    read = await sdk.get(TABLE, ODD, ODD + "1")
    assert read.data == VALUES and read.etag == written.etag
    assert type(read.data["Whole"]) is float
    again = await sdk.upsert(TABLE, ODD, ODD + "2", VALUES)
    back = await lean.get(TABLE, ODD, ODD + "2")
    assert back.data == VALUES and back.etag == again.etag
    assert type(back.data["Whole"]) is float and type(back.data["Count"]) is int
    # and the SDK's queries see the lean path's rows under the same keys
    assert [r.row for r in await sdk.query(TABLE, ODD)] == [ODD + "1", ODD + "2"]


async def test_etags_pass_between_the_two_paths(
    pair: tuple[AzureTableStore, AzureTableStore],
) -> None:
    lean, sdk = pair
    first = await sdk.insert(TABLE, "p", "r", {"Status": "pending"})
    assert first.etag
    second = await lean.replace(TABLE, "p", "r", {"Status": "approved"}, first.etag)
    with pytest.raises(Conflict):
        await sdk.replace(TABLE, "p", "r", {"Status": "declined"}, first.etag)
    assert second.etag
    await sdk.replace(TABLE, "p", "r", {"Status": "declined"}, second.etag)
    with pytest.raises(Conflict):
        await lean.replace(TABLE, "p", "r", {"Status": "x"}, second.etag)
    with pytest.raises(Conflict):
        await lean.delete(TABLE, "p", "r", second.etag)
    await lean.delete(TABLE, "p", "r")
    await lean.delete(TABLE, "p", "r")  # a missing row is fine
    with pytest.raises(NotFound):
        await lean.get(TABLE, "p", "r")
    with pytest.raises(NotFound):
        await lean.replace(TABLE, "p", "r", {"Status": "x"}, second.etag)


async def test_errors_are_the_sdks(pair: tuple[AzureTableStore, AzureTableStore]) -> None:
    lean, sdk = pair
    await lean.insert(TABLE, "p", "r", {"A": "1"})
    refused = []
    for store in (lean, sdk):
        with pytest.raises(AlreadyExists):
            await store.insert(TABLE, "p", "r", {"A": "2"})
        with pytest.raises(StorageError) as too_long:  # a string over Azure's 64 KiB
            await store.upsert(TABLE, "p", "big", {"Summary": "x" * 70_000})
        refused.append(type(too_long.value))
    assert refused[0] is refused[1]


async def test_a_transaction_is_all_or_nothing_with_its_etags(
    pair: tuple[AzureTableStore, AzureTableStore],
) -> None:
    lean, sdk = pair
    kept = await sdk.insert(TABLE, ODD, "kept", {"N": 1})
    assert kept.etag
    etags = await lean.transact(
        TABLE,
        ODD,
        [
            Write("insert", "new", {"N": 2}),
            Write("upsert", "up", {"N": 3}),
            Write("merge", "kept", {"M": "merged"}),
            Write("upsert", "new2", {"N": 4}),
        ],
    )
    rows = {r.row: r for r in await sdk.query(TABLE, ODD)}
    assert rows["kept"].data == {"N": 1, "M": "merged"}
    assert [etags[0], etags[1], etags[3]] == [rows["new"].etag, rows["up"].etag, rows["new2"].etag]
    stale = kept.etag
    with pytest.raises(Conflict):
        await lean.transact(
            TABLE,
            ODD,
            [Write("upsert", "never", {"N": 9}), Write("replace", "kept", {"N": 5}, etag=stale)],
        )
    with pytest.raises(AlreadyExists):
        await lean.transact(TABLE, ODD, [Write("upsert", "never", {}), Write("insert", "new")])
    assert "never" not in {r.row for r in await sdk.query(TABLE, ODD)}
    await lean.transact(TABLE, ODD, [Write("delete", "new"), Write("delete", "up")])
    assert sorted(r.row for r in await sdk.query(TABLE, ODD)) == ["kept", "new2"]


async def test_the_meter_counts_the_lean_path_like_the_sdks(
    azurite_connection: str, table_prefix: str
) -> None:
    counts = []
    for lean in (True, False):
        meter, sent = TableMeter(), []
        store = AzureTableStore(
            azurite_connection,
            f"{table_prefix}{int(lean)}",
            on_request=lambda sent=sent: sent.append(1),
            meter=meter,
            lean=lean,
        )
        await store.ensure_tables([TABLE])
        meter.total = type(meter.total)()
        meter.tables.clear()
        sent.clear()
        await store.insert(TABLE, "p", "r", {"A": "1"})
        await store.get(TABLE, "p", "r")
        with pytest.raises(NotFound):
            await store.get(TABLE, "p", "missing")
        await store.upsert(TABLE, "p", "r", {"A": "2"})
        await store.transact(TABLE, "p", [Write("upsert", "a"), Write("upsert", "b")])
        await store.delete(TABLE, "p", "r")
        snapshot = meter.snapshot()
        counts.append((len(sent), {**snapshot, "tables": list(snapshot["tables"].values())}))
        await store.close()
    assert counts[0] == counts[1]
    sent, totals = counts[0]
    assert sent == 6 and totals["reads"] == 2 and totals["point_reads"] == 2
    assert totals["entities"] == 1 and totals["written"] == 5
