"""The table store's contract, against a real Azurite and against the in-memory twin."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.storage import AlreadyExists, Conflict, NotFound
from bot.storage.memory import MemoryTableStore
from bot.storage.store import TableStore, Write
from bot.storage.tables import AzureTableStore


@pytest.fixture(params=["azurite", "azurite-sdk", "memory"])
async def store(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[TableStore]:
    """Azurite through the lean hot path (bot/storage/lean.py), through the SDK alone, and the
    in-memory twin."""
    if request.param == "memory":
        yield MemoryTableStore()
        return
    azure = AzureTableStore(azurite_connection, table_prefix, lean=request.param == "azurite")
    yield azure
    await azure.close()


async def test_creates_and_reads_a_row(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    written = await store.insert("things", "p1", "r1", {"Name": "Sanne", "Count": 3, "Ok": True})
    read = await store.get("things", "p1", "r1")
    assert read.data == {"Name": "Sanne", "Count": 3, "Ok": True}
    assert read.etag == written.etag


async def test_a_repeated_insert_is_reported_not_overwritten(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    await store.insert("things", "p1", "r1", {"Name": "first"})
    with pytest.raises(AlreadyExists):
        await store.insert("things", "p1", "r1", {"Name": "second"})
    assert (await store.get("things", "p1", "r1")).data["Name"] == "first"


async def test_an_update_with_a_stale_etag_is_a_conflict(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    original = await store.insert("things", "p1", "r1", {"Status": "pending"})
    assert original.etag
    updated = await store.replace("things", "p1", "r1", {"Status": "approved"}, original.etag)
    with pytest.raises(Conflict):
        await store.replace("things", "p1", "r1", {"Status": "declined"}, original.etag)
    current = await store.get("things", "p1", "r1")
    assert current.data["Status"] == "approved"
    assert current.etag == updated.etag


async def test_two_racing_updates_resolve_to_one(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    original = await store.insert("things", "p1", "r1", {"Status": "pending"})
    assert original.etag
    results = await asyncio.gather(
        store.replace("things", "p1", "r1", {"Status": "approved"}, original.etag),
        store.replace("things", "p1", "r1", {"Status": "declined"}, original.etag),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1


async def test_missing_rows_are_not_found(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    with pytest.raises(NotFound):
        await store.get("things", "p1", "nope")
    await store.delete("things", "p1", "nope")  # deleting what is gone is fine


@pytest.mark.parametrize("key", ["a/b", "a\\b", "a#b", "a?b", "a\x01b", "x" * 1025])
async def test_a_key_storage_cannot_hold_names_no_row(store: TableStore, key: str) -> None:
    """A forged or mistyped reference is "not found", not a storage fault (on Azure a '/' in
    the key of a point read is a 400 that would read as an outage)."""
    await store.ensure_tables(["things"])
    with pytest.raises(NotFound):
        await store.get("things", "p1", key)
    with pytest.raises(NotFound):
        await store.get("things", key, "r1")


async def test_query_reads_one_partition_in_key_order_within_a_range(
    store: TableStore,
) -> None:
    await store.ensure_tables(["things"])
    for key in ("r|3", "r|1", "a|1", "r|2"):
        await store.insert("things", "p1", key, {"K": key})
    await store.insert("things", "p2", "r|9", {"K": "other"})
    rows = await store.query("things", "p1", "r|", "r}")
    assert [r.row for r in rows] == ["r|1", "r|2", "r|3"]
    assert [r.row for r in await store.query("things", "p1", limit=2)] == ["a|1", "r|1"]


async def test_a_transaction_writes_all_or_nothing(store: TableStore) -> None:
    await store.ensure_tables(["things"])
    await store.insert("things", "p1", "taken", {"K": 1})
    with pytest.raises(AlreadyExists):
        await store.transact(
            "things", "p1", [Write("insert", "new", {"K": 2}), Write("insert", "taken", {"K": 3})]
        )
    with pytest.raises(NotFound):
        await store.get("things", "p1", "new")
    await store.transact(
        "things", "p1", [Write("insert", "new", {"K": 2}), Write("upsert", "taken", {"K": 4})]
    )
    assert (await store.get("things", "p1", "taken")).data["K"] == 4


async def test_ping_says_whether_storage_answers(store: TableStore) -> None:
    assert await store.ping()
    down = AzureTableStore(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    try:
        assert not await down.ping()
    finally:
        await down.close()


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


async def _thread_hops(connection: str, prefix: str) -> int:
    """Worker-thread jobs started by five storage requests, with the proxy setting as the
    environment says (the bot's settings read it, the store is told)."""
    from bot.settings import load_settings

    proxies = load_settings(dotenv=None).proxy_configured
    table_store = AzureTableStore(connection, prefix, proxy_configured=proxies)
    try:
        await table_store.ensure_tables(["things"])
        await table_store.upsert("things", "p1", "r1", {"Name": "Sanne"})
        executor = CountingExecutor()
        asyncio.get_running_loop().set_default_executor(executor)
        for _ in range(5):
            await table_store.get("things", "p1", "r1")
        return executor.submitted
    finally:
        await table_store.close()


async def test_storage_requests_stay_on_the_event_loop(
    azurite_connection: str, table_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "NETRC"):
        monkeypatch.delenv(name, raising=False)
    assert await _thread_hops(azurite_connection, table_prefix) == 0


async def test_a_configured_proxy_is_still_honoured(
    azurite_connection: str, table_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # ...and Azurite is exempt
    assert await _thread_hops(azurite_connection, table_prefix) > 0  # proxy settings read
