"""What Table storage was asked and answered, counted at the transport: the way Azure bills it.

`TableMeter.on_response` is installed as azure-core's `raw_response_hook` (`AzureTableStore(...,
meter=)`): it runs once per HTTP attempt, retries included, after the response arrived and before
the SDK decodes it. Only `DEBUG_COUNTERS=1` (local benchmarks) installs it; without it nothing is
counted and nothing changes.

Per request it records the method's kind (a read is a GET, every other method a write), the
table, and for reads what came back: a query response is one *page* (Azure and Azurite return at
most 1,000 entities per page; `x-ms-continuation-NextPartitionKey`/`NextRowKey` mean another
page follows) holding `len(value)` entities; a point read returns one entity (none when it
answers 404). An entity-group transaction (`POST /$batch`) is one write request of N entities.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from azure.core.pipeline import PipelineResponse

CONTINUATION = ("x-ms-continuation-NextPartitionKey", "x-ms-continuation-NextRowKey")
# `/Table(PartitionKey='p',RowKey='r')` (one entity), `/Table()` or `/Table` (a query), `/Tables`
_PATH = re.compile(r"^/(?:[^/]+/)?(?P<table>[^/(]+)(?P<args>\(.*\))?$")
_BATCH_PART = re.compile(rb"^(?:GET|POST|PUT|MERGE|PATCH|DELETE) ", re.MULTILINE)


@dataclass
class Tally:
    """Counts for one table (or for all of them)."""

    requests: int = 0
    reads: int = 0  # GET: point reads and query pages
    writes: int = 0  # everything else: inserts, updates, deletes, transactions, table creation
    pages: int = 0  # query responses (each a page of at most 1,000 entities)
    continued: int = 0  # query responses that said another page follows
    point_reads: int = 0
    entities: int = 0  # entities returned by reads
    written: int = 0  # entities sent by writes (a transaction's operations)

    def add(self, other: Tally) -> None:
        # field by field: `asdict` per answered request cost the benchmarked bot 2 % of its CPU
        self.requests += other.requests
        self.reads += other.reads
        self.writes += other.writes
        self.pages += other.pages
        self.continued += other.continued
        self.point_reads += other.point_reads
        self.entities += other.entities
        self.written += other.written


@dataclass
class TableMeter:
    """Running totals, overall and per table, since the process started."""

    total: Tally = field(default_factory=Tally)
    tables: dict[str, Tally] = field(default_factory=dict)

    def on_response(self, response: PipelineResponse[Any, Any]) -> None:
        """azure-core's `raw_response_hook`: count one answered request."""
        request = response.http_request
        answer = response.http_response
        table, one_entity = _target(request.url)
        one = Tally(requests=1)
        if request.method == "GET":
            one.reads = 1
            if one_entity:
                one.point_reads = 1
                one.entities = 1 if answer.status_code == 200 else 0
            elif table != "Tables":
                one.pages = 1
                one.continued = int(any(answer.headers.get(h) for h in CONTINUATION))
                one.entities = _entities(answer)
        else:
            one.writes = 1
            if table == "$batch":
                table, one.written = _batch(request)
            else:
                one.written = 0 if table == "Tables" else 1
        self.total.add(one)
        self.tables.setdefault(table, Tally()).add(one)

    def record(
        self,
        table: str,
        read: bool,
        point: bool = False,
        entities: int = 0,
        written: int = 0,
        continued: bool = False,
    ) -> None:
        """Count one answered request sent without the SDK (`bot.storage.lean`), as
        `on_response` counts the SDK's: a read is a point read or a query page."""
        one = Tally(requests=1)
        if read:
            one.reads = 1
            one.entities = entities
            if point:
                one.point_reads = 1
            else:
                one.pages = 1
                one.continued = int(continued)
        else:
            one.writes = 1
            one.written = written
        self.total.add(one)
        self.tables.setdefault(table, Tally()).add(one)

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON: the totals and each table's, for `GET /_debug/counters`."""
        return {
            **asdict(self.total),
            "tables": {name: asdict(t) for name, t in sorted(self.tables.items())},
        }


def _target(url: str) -> tuple[str, bool]:
    """The table a URL addresses and whether it names one entity."""
    match = _PATH.match(urlsplit(url).path)  # keys stay quoted: a `/` in one is `%2F`
    if match is None:
        return "?", False
    args = match["args"] or ""
    return unquote(match["table"]), "PartitionKey=" in unquote(args)


def _entities(answer: Any) -> int:
    if answer.status_code != 200:
        return 0
    try:
        value = json.loads(answer.body()).get("value")
    except (ValueError, AttributeError):
        return 0
    return len(value) if isinstance(value, list) else 0


def _batch(request: Any) -> tuple[str, int]:
    """The table of a transaction (every operation is in one table and partition) and how many
    operations it carries: from the prepared request, else by counting the changeset's parts."""
    parts = _parts(request)
    changes = [c for part in parts for c in _parts(part)] or parts
    if changes:
        return _target(changes[0].url)[0], len(changes)
    body = request.body if isinstance(request.body, bytes) else b""
    return "$batch", len(_BATCH_PART.findall(body))


def _parts(request: Any) -> list[Any]:
    info = getattr(request, "multipart_mixed_info", None)
    return list(info[0]) if info else []
