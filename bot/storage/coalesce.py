"""Group commit for derived rows: unconditional upserts to one partition, from turns running at
once, go to storage together as one entity-group transaction.

Register copies and inbox rows are derived from a request (written after it, idempotently, and
rewritten by every later change and by the repairs; see docs/architecture.md). Many turns write
into the same few partitions of them: every gift of a year shares its register partition, every
request put before one manager shares that manager's inbox partition. Sending each as its own
request costs a request per row; sending the rows that meet in the same moment as one
transaction costs one request for all of them (Azure: up to 100 entities and 4 MiB).

Nothing waits to fill a batch: a row is sent at once when nothing is in flight for its
partition (alone, as a plain upsert); rows that arrive while a request for that partition is
in flight go together in the next one. Every caller still waits until its own row is stored and
gets its own error: a transaction that fails is retried as single upserts, so one bad row (too
large, say) or a fault on the way fails only its own caller, exactly as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.storage.errors import StorageUnavailable
from bot.storage.store import TableStore, Write

BATCH = 100  # entities per entity-group transaction (Azure's limit)
BATCH_CHARS = 2_000_000  # about half of Azure's 4 MiB per transaction, counted roughly


@dataclass
class _Pending:
    row: str
    data: Mapping[str, Any]
    done: asyncio.Future[None]
    size: int = 0


@dataclass
class _Partition:
    queue: list[_Pending] = field(default_factory=list)
    busy: bool = False


class Coalescer:
    """Upserts of derived rows, grouped per (table, partition) while one is in flight."""

    def __init__(self, store: TableStore) -> None:
        self._store = store
        self._partitions: dict[tuple[str, str], _Partition] = {}
        self._flushing: set[asyncio.Task[None]] = set()
        self.transactions = 0  # batches of more than one row sent (for tests and the bench)

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> None:
        """Create or overwrite the row unconditionally; returns once it is stored."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        key = (table, partition)
        waiting = self._partitions.setdefault(key, _Partition())
        waiting.queue.append(_Pending(row, data, done, _size(data)))
        if not waiting.busy:
            waiting.busy = True
            task = asyncio.create_task(self._flush(key, waiting))
            self._flushing.add(task)
            task.add_done_callback(self._flushing.discard)
        await asyncio.shield(done)

    async def _flush(self, key: tuple[str, str], waiting: _Partition) -> None:
        table, partition = key
        batch: list[_Pending] = []
        try:
            while waiting.queue:
                batch = _take(waiting.queue)
                await self._send(table, partition, batch)
        finally:
            for pending in [*batch, *waiting.queue]:  # stopped half-way (the app closing)
                _settle(pending, StorageUnavailable("the write was stopped"))
            waiting.queue.clear()
            waiting.busy = False
            if self._partitions.get(key) is waiting and not waiting.queue:
                del self._partitions[key]

    async def _send(self, table: str, partition: str, batch: list[_Pending]) -> None:
        if len(batch) > 1:
            writes = [Write("upsert", p.row, p.data) for p in batch]
            try:
                await self._store.transact(table, partition, writes)
            except Exception:  # each row is tried alone below, with its own error
                pass
            else:
                self.transactions += 1
                for pending in batch:
                    _settle(pending, None)
                return
        for pending in batch:
            try:
                await self._store.upsert(table, partition, pending.row, pending.data)
            except Exception as error:  # handed to the row's own caller
                _settle(pending, error)
            else:
                _settle(pending, None)


def _take(queue: list[_Pending]) -> list[_Pending]:
    """The next batch: queued rows in order, each row at most once (a later write of the same
    row waits for the next batch, so it still lands last), within Azure's limits."""
    batch: list[_Pending] = []
    rows: set[str] = set()
    size = 0
    rest: list[_Pending] = []
    for pending in queue:
        fits = len(batch) < BATCH and (not batch or size + pending.size <= BATCH_CHARS)
        if pending.row in rows or not fits or rest:
            rest.append(pending)
            continue
        batch.append(pending)
        rows.add(pending.row)
        size += pending.size
    queue[:] = rest
    return batch


def _size(data: Mapping[str, Any]) -> int:
    return sum(len(k) + (len(v) if isinstance(v, str) else 16) for k, v in data.items())


def _settle(pending: _Pending, error: Exception | None) -> None:
    if pending.done.done():
        return
    if error is None:
        pending.done.set_result(None)
    else:
        pending.done.set_exception(error)
