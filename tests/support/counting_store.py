"""A `TableStore` that passes everything to a real one and writes down every write it passes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.storage.store import Row, TableStore, Value, Write


@dataclass(frozen=True)
class Written:
    op: str
    table: str
    partition: str
    row: str


@dataclass
class CountingStore:
    """Delegates to `inner` (e.g. Azure Tables on Azurite); `writes` lists what was written."""

    inner: TableStore
    writes: list[Written] = field(default_factory=list)

    async def ensure_tables(self, names: Sequence[str]) -> None:
        await self.inner.ensure_tables(names)

    async def get(self, table: str, partition: str, row: str) -> Row:
        return await self.inner.get(table, partition, row)

    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        self.writes.append(Written("insert", table, partition, row))
        return await self.inner.insert(table, partition, row, data)

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        self.writes.append(Written("replace", table, partition, row))
        return await self.inner.replace(table, partition, row, data, etag)

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        self.writes.append(Written("upsert", table, partition, row))
        return await self.inner.upsert(table, partition, row, data)

    async def delete(self, table: str, partition: str, row: str, etag: str | None = None) -> None:
        self.writes.append(Written("delete", table, partition, row))
        await self.inner.delete(table, partition, row, etag)

    async def query(
        self,
        table: str,
        partition: str,
        row_from: str | None = None,
        row_to: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        return await self.inner.query(table, partition, row_from, row_to, limit)

    async def scan(self, table: str, equals: Mapping[str, Value]) -> list[Row]:
        return await self.inner.scan(table, equals)

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        for write in writes:
            self.writes.append(Written(f"transact:{write.kind}", table, partition, write.row))
        return await self.inner.transact(table, partition, writes)

    async def ping(self) -> bool:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()
