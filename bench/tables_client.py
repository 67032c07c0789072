"""CPU per Table storage request, azure-data-tables against the lean hot path (bot/storage/lean.py),
on a real Azurite: `python -m bench.tables_client [--rounds 400]`.

The numbers behind the choice recorded in docs/benchmarks.md: the bot's own CPU (process time,
Azurite runs in its own process) per point read, upsert, If-Match replace and a transaction of
two upserts, each path on the same Azurite, one request at a time, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.storage.store import Write
from bot.storage.tables import AzureTableStore
from infra.local.services import azurite, azurite_connection_string, free_port

ROW = {
    "Kind": "gift",
    "Status": "pending",
    "Verdict": "keep",
    "RequesterId": "emp-0001",
    "RequesterName": "Medewerker 1",
    "Facts": '{"giverOrganisation": "Bouwbedrijf Vos", "description": "Fles wijn"}',
    "Trail": '[["2026-11-20T10:00:00+00:00", "emp-0001", "submitted", ""]]',
    "CreatedAt": "2026-11-20T10:00:00+00:00",
    "DecidedAt": "",
    "Comment": "",
}


async def _per_request(operation: Callable[[int], Awaitable[object]], rounds: int) -> float:
    for n in range(20):
        await operation(n)
    start = time.process_time()
    for n in range(rounds):
        await operation(n)
    return (time.process_time() - start) / rounds * 1000


async def _one_path(connection: str, lean: bool, rounds: int) -> dict[str, float]:
    store = AzureTableStore(connection, "b" + uuid.uuid4().hex[:8], lean=lean)
    await store.ensure_tables(["things"])
    await store.upsert("things", "p", "r", ROW)
    etag = [(await store.get("things", "p", "r")).etag or ""]

    async def get(_n: int) -> None:
        await store.get("things", "p", "r")

    async def upsert(n: int) -> None:
        await store.upsert("things", "p", f"u{n}", ROW)

    async def replace(_n: int) -> None:
        etag[0] = (await store.replace("things", "p", "r", ROW, etag[0])).etag or ""

    async def transact(n: int) -> None:
        writes = [Write("upsert", f"a{n}", ROW), Write("upsert", f"b{n}", ROW)]
        await store.transact("things", "p", writes)

    try:
        return {
            "point read": await _per_request(get, rounds),
            "upsert": await _per_request(upsert, rounds),
            "replace (If-Match)": await _per_request(replace, rounds),
            "transaction of 2": await _per_request(transact, rounds),
        }
    finally:
        await store.close()


async def measure(connection: str, rounds: int) -> dict[str, dict[str, float]]:
    return {
        "azure-data-tables": await _one_path(connection, False, rounds),
        "lean": await _one_path(connection, True, rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, azurite(port, Path(tmp), in_memory=True):
        results = asyncio.run(measure(azurite_connection_string(port), args.rounds))
    names = list(results)
    print(f"{'CPU ms per request':<22}" + "".join(f"{n:>20}" for n in names) + f"{'ratio':>8}")
    for operation in results[names[0]]:
        values = [results[n][operation] for n in names]
        ratio = values[1] / values[0] if values[0] else 0.0
        print(f"{operation:<22}" + "".join(f"{v:>20.3f}" for v in values) + f"{ratio:>8.2f}")


if __name__ == "__main__":
    main()
