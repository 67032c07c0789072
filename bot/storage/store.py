"""The table protocol the repositories are written against.

Rows are addressed by (table, partition, row); values are flat (str, int, float, bool).
Every write returns the new ETag so callers can do optimistic concurrency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Value = str | int | float | bool


@dataclass(frozen=True)
class Row:
    """One stored row with the ETag it had when read or written."""

    partition: str
    row: str
    data: Mapping[str, Any]
    etag: str | None = None


@dataclass(frozen=True)
class Write:
    """One operation inside an atomic batch on a single partition."""

    kind: Literal["insert", "replace", "upsert", "merge", "delete"]  # merge: insert-or-merge
    row: str
    data: Mapping[str, Any] = field(default_factory=dict)
    etag: str | None = None


class TableStore(Protocol):
    """Async table operations with optimistic concurrency."""

    async def ensure_tables(self, names: Sequence[str]) -> None: ...

    async def get(self, table: str, partition: str, row: str) -> Row:
        """Read one row; raise NotFound."""
        ...

    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        """Create a row; raise AlreadyExists when the key is taken."""
        ...

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        """Overwrite a row only if it still has `etag`; raise Conflict otherwise."""
        ...

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        """Create or overwrite unconditionally."""
        ...

    async def delete(self, table: str, partition: str, row: str, etag: str | None = None) -> None:
        """Delete (only if unchanged when `etag` is given); deleting a missing row is fine."""
        ...

    async def query(
        self,
        table: str,
        partition: str,
        row_from: str | None = None,
        row_to: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """Rows of one partition, optionally with row key in [row_from, row_to), in key order."""
        ...

    async def scan(self, table: str, equals: Mapping[str, Value]) -> list[Row]:
        """Rows of every partition whose columns equal the given values (for background jobs
        only: screens must read one partition)."""
        ...

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        """Apply all writes to one partition atomically, or none (raise Conflict/AlreadyExists).

        Returns the new ETag of each write, in order (None for deletes).
        """
        ...

    async def ping(self) -> bool:
        """True when the table service answers."""
        ...

    async def close(self) -> None: ...


_NOT_IN_KEYS = frozenset("/\\#?") | {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))}


def storable_key(*keys: str) -> bool:
    """Whether Table storage can hold these as PartitionKey/RowKey: no '/', '\\', '#', '?' or
    control characters, at most 1 KiB each. A key it cannot hold names no row, so a point read
    of one is NotFound (not a storage fault): a reference typed or forged with a '/' is "not
    found", never "storage unavailable"."""
    return all(len(k.encode()) <= 1024 and not (_NOT_IN_KEYS & set(k)) for k in keys)
