"""Does Azurite's time grow with the table, for the same one-partition query or point read?

`python -m bench.azurite_scan` seeds tables of 1,000, 100,000 and 300,000 rows (100 per
partition) in a fresh in-memory Azurite and times, in each, the same query (one partition, a
RowKey range, 100 rows) and the same point read (one row by PartitionKey and RowKey). The bot's
work is identical; any difference is the Table service's. (Azurite filters every row of the table
for a query, but finds a point read through its PartitionKey index: this is why the personal
screens read one index row, see bot/storage/index.py.)
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bot.storage.store import Write
from bot.storage.tables import AzureTableStore
from infra.local.services import azurite, azurite_connection_string, free_port

SIZES = {"t1k": 1_000, "t100k": 100_000, "t300k": 300_000}


async def seed(store: AzureTableStore, table: str, rows: int) -> None:
    await store.ensure_tables([table])
    gate = asyncio.Semaphore(16)

    async def partition(number: int) -> None:
        async with gate:
            writes = [Write("upsert", f"r{i:04d}", {"X": i}) for i in range(100)]
            await store.transact(table, f"p{number}", writes)

    await asyncio.gather(*(partition(p) for p in range(rows // 100)))


async def median_ms(store: AzureTableStore, table: str, tries: int = 30) -> float:
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        await store.query(table, "p5", "r0", "r1")
        times.append(time.perf_counter() - start)
    return sorted(times)[tries // 2] * 1000


async def point_ms(store: AzureTableStore, table: str, tries: int = 30) -> float:
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        await store.get(table, "p5", "r0042")
        times.append(time.perf_counter() - start)
    return sorted(times)[tries // 2] * 1000


async def main() -> None:
    port = free_port()
    with azurite(port, Path(tempfile.mkdtemp())):
        store = AzureTableStore(azurite_connection_string(port))
        try:
            for table, rows in SIZES.items():
                await seed(store, table, rows)
            await median_ms(store, "t1k", tries=10)  # warm up connections and Azurite
            await point_ms(store, "t1k", tries=10)
            queries = {table: await median_ms(store, table) for table in SIZES}
            points = {table: await point_ms(store, table) for table in SIZES}
            for table, rows in SIZES.items():
                query, point = queries[table], points[table]
                print(
                    f"{rows:>8,} rows: one-partition query p50 {query:6.1f} ms "
                    f"({query / queries['t1k']:.1f}x), point read p50 {point:5.1f} ms "
                    f"({point / points['t1k']:.1f}x)"
                )
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
