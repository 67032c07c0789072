"""Index rows: one row per person listing their items, so a personal screen is one point read.

Azure Table storage answers a point read (partition + row key) from its index whatever the size of
the table; so does Azurite, which scans the whole table for any query. A screen such as "mijn
meldingen" therefore reads one row, `~index`, in the person's own partition, holding one property
per item (`E_<item id>`, a small JSON object).

Writes never read first: an entry is written with a *merge* (insert-or-merge) inside the same
entity-group transaction as the item itself, so it costs no extra round trip and two writers of
different entries never conflict. A merge cannot remove a property, so a removed entry becomes a
tombstone (an empty string) and `compact` rewrites the row without them (ETag-guarded).

Azure allows 252 properties per entity besides its three system ones (Azurite does not enforce
it). When a merge is refused for that (`TooManyProperties`), the writer compacts the row; a row
with `MAX_ENTRIES` live entries is rewritten as just `Full`, and so is one that cannot be
compacted: readers of a full index fall back to the partition query, which is slower but
complete, and ignore whatever entries are merged into it later. Nothing is ever lost to the
index: the items themselves are the record; the index is a copy for reading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.storage.errors import Conflict, NotFound
from bot.storage.store import Row, TableStore, Write

INDEX_ROW = "~index"  # sorts after every item row, so range queries over items never see it
FULL = "Full"
# Azure's limit is 252 properties besides PartitionKey, RowKey and Timestamp. A row with this
# many live entries is given up (marked full), leaving room for entries merged meanwhile.
MAX_ENTRIES = 200
COMPACT_AT = 50  # tombstones a reader clears when it has the row in hand anyway
_UNSAFE = re.compile(r"[^A-Za-z0-9]")


def property_name(key: str) -> str:
    """A valid Azure property name for an item id (the id itself is kept in the entry)."""
    return "E_" + _UNSAFE.sub("_", key)


@dataclass(frozen=True)
class Index:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # item id -> entry
    tombstones: int = 0
    full: bool = False
    etag: str | None = None  # None: the row does not exist yet

    @property
    def properties(self) -> int:
        return len(self.entries) + self.tombstones + (1 if self.full else 0)


def parse(row: Row) -> Index:
    entries: dict[str, dict[str, Any]] = {}
    tombstones = 0
    for name, value in row.data.items():
        if not name.startswith("E_"):
            continue
        if not value:
            tombstones += 1
            continue
        entry = json.loads(str(value))
        entries[str(entry["id"])] = entry
    return Index(entries, tombstones, bool(row.data.get(FULL)), row.etag)


def put(key: str, entry: Mapping[str, Any]) -> Write:
    """The merge that adds or replaces one entry (inside the item's own transaction)."""
    value = json.dumps({**entry, "id": key}, ensure_ascii=False, separators=(",", ":"))
    return Write("merge", INDEX_ROW, {property_name(key): value})


def drop(key: str) -> Write:
    """The merge that removes one entry (a tombstone, until the row is compacted)."""
    return Write("merge", INDEX_ROW, {property_name(key): ""})


async def read(store: TableStore, table: str, partition: str) -> Index:
    try:
        row = await store.get(table, partition, INDEX_ROW)
    except NotFound:
        return Index()
    return parse(row)


async def read_for_listing(store: TableStore, table: str, partition: str) -> Index:
    """`read` for a screen: with the row in hand anyway, clear its tombstones when there are
    many, and give it up when it has too many live entries (the screen then reads the
    partition, as for any full index)."""
    found = await read(store, table, partition)
    if found.etag is not None and (
        found.tombstones >= COMPACT_AT or (not found.full and len(found.entries) >= MAX_ENTRIES)
    ):
        return await compact(store, table, partition, found)
    return found


async def compact(store: TableStore, table: str, partition: str, index: Index) -> Index:
    """Rewrite the row without tombstones, only if unchanged since read (a lost race returns
    `index` as it was: the next reader or writer tries again). A row with `MAX_ENTRIES` live
    entries, or one marked full, becomes just `Full`: nobody reads the entries of a full row."""
    if index.etag is None:
        return index
    full = index.full or len(index.entries) >= MAX_ENTRIES
    data: dict[str, Any] = {FULL: True}
    if not full:
        data = {
            property_name(key): json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
            for key, entry in index.entries.items()
        }
    try:
        row = await store.replace(table, partition, INDEX_ROW, data, index.etag)
    except (Conflict, NotFound):
        return index
    return Index({} if full else dict(index.entries), 0, full, row.etag)


async def mark_full(store: TableStore, table: str, partition: str) -> Index:
    """Give up the index of this partition: the row becomes just `Full` (unconditionally, so it
    works on a row at Azure's limit, where a merge would be refused too)."""
    row = await store.upsert(table, partition, INDEX_ROW, {FULL: True})
    return Index({}, 0, True, row.etag)


def roomy(index: Index) -> bool:
    """Far enough below Azure's limit that this row cannot be what a write was refused for."""
    return not index.full and index.properties < MAX_ENTRIES


async def make_room(store: TableStore, table: str, partition: str) -> Index:
    """After Azure refused a write for too many properties: compact (twice, if a race is lost),
    else give the index up. Returns the index as it now is; a row that is roomy (perhaps made so
    by a reader meanwhile) and has no tombstones is left as it is."""
    for _ in range(2):
        index = await read(store, table, partition)
        if index.etag is None or (roomy(index) and not index.tombstones):
            return index
        compacted = await compact(store, table, partition, index)
        if compacted is not index:
            return compacted
    return await mark_full(store, table, partition)
