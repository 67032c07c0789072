"""A `TableStore` in front of a real one (Azurite) that can misbehave on purpose: run a
competing write just before a transaction reaches storage, or let a write land and then lose
its answer (as when a connection drops after Azure committed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.storage.errors import StorageUnavailable
from bot.storage.store import TableStore, Write
from tests.support.counting_store import CountingStore

Hook = Callable[[TableStore], Awaitable[None]]
Match = Callable[[str, str, Sequence[Write]], bool]


@dataclass
class Fault:
    match: Match
    before: Hook | None = None  # runs against the real store first (a competing writer)
    lose_answer: bool = False  # the write lands, the caller is told storage failed


@dataclass
class FaultStore(CountingStore):
    """`CountingStore` plus armed faults, each used once, on transactions that match."""

    faults: list[Fault] = field(default_factory=list)
    fired: int = 0

    def arm(self, fault: Fault) -> None:
        self.faults.append(fault)

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        fault = next((f for f in self.faults if f.match(table, partition, writes)), None)
        if fault is None:
            return await super().transact(table, partition, writes)
        self.faults.remove(fault)
        self.fired += 1
        if fault.before is not None:
            await fault.before(self.inner)
        etags = await super().transact(table, partition, writes)
        if fault.lose_answer:
            raise StorageUnavailable("the answer was lost after the write landed")
        return etags


def writes_action(action: str) -> Match:
    """A transaction that appends an audit entry with this action (e.g. "approved")."""

    def match(table: str, partition: str, writes: Sequence[Write]) -> bool:
        return any(w.data.get("Action") == action for w in writes)

    return match
