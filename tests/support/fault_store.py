"""A `TableStore` in front of a real one (Azurite) that can misbehave on purpose: run a
competing write just before a transaction reaches storage, or let a write land and then lose
its answer (as when a connection drops after Azure committed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.storage.audit import trail_entries
from bot.storage.columns import unchunked
from bot.storage.errors import StorageError, StorageUnavailable
from bot.storage.requests import TRAIL
from bot.storage.store import Row, TableStore, Write
from tests.support.counting_store import CountingStore

T = TypeVar("T")
Hook = Callable[[TableStore], Awaitable[None]]
Match = Callable[[str, str, Sequence[Write]], bool]


@dataclass
class Fault:
    match: Match
    before: Hook | None = None  # runs against the real store first (a competing writer)
    lose_answer: bool = False  # the write lands, the caller is told storage failed...
    # ...as this error: StorageUnavailable (the connection dropped), or Conflict (the Azure SDK
    # retried the lost PUT and met the ETag its own first attempt had changed)
    answer: type[StorageError] = StorageUnavailable


@dataclass
class FaultStore(CountingStore):
    """`CountingStore` plus armed faults, each used once, on transactions that match."""

    faults: list[Fault] = field(default_factory=list)
    fired: int = 0

    def arm(self, fault: Fault) -> None:
        self.faults.append(fault)

    def _armed(self, table: str, partition: str, writes: Sequence[Write]) -> Fault | None:
        fault = next((f for f in self.faults if f.match(table, partition, writes)), None)
        if fault is not None:
            self.faults.remove(fault)
            self.fired += 1
        return fault

    async def _with(self, fault: Fault | None, write: Callable[[], Awaitable[T]]) -> T:
        if fault is not None and fault.before is not None:
            await fault.before(self.inner)
        result = await write()
        if fault is not None and fault.lose_answer:
            raise fault.answer("the answer was lost after the write landed")
        return result

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        fault = self._armed(table, partition, writes)
        return await self._with(
            fault, lambda: super(FaultStore, self).transact(table, partition, writes)
        )

    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        fault = self._armed(table, partition, [Write("insert", row, data)])
        return await self._with(
            fault, lambda: super(FaultStore, self).insert(table, partition, row, data)
        )

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        fault = self._armed(table, partition, [Write("replace", row, data, etag)])
        return await self._with(
            fault, lambda: super(FaultStore, self).replace(table, partition, row, data, etag)
        )


def writes_action(action: str) -> Match:
    """A write that appends an audit entry with this action (e.g. "approved"): a trail row of
    its own (data-leak reports), or the last entry of the trail a request keeps inside it."""

    def match(table: str, partition: str, writes: Sequence[Write]) -> bool:
        for write in writes:
            if write.data.get("Action") == action:
                return True
            trail = trail_entries(unchunked(TRAIL, write.data)) if TRAIL in write.data else ()
            if trail and trail[-1].action == action:
                return True
        return False

    return match
