"""The hot path of Table storage over plain aiohttp: point reads, single-entity writes and
entity-group transactions, with the same requests, keys, columns and ETags as azure-data-tables.

Why hand-written (measured: docs/benchmarks.md, issue 14 point 6; `python -m bench.tables_client`):
through azure-data-tables every request passes a pipeline of about a dozen policies and the SDK's
generic model (de)serializer, and its entity-group transaction is built and parsed with the
`email` package: on the two-core bench machine that was 1.5 to 5 times this client's CPU per
request (point read, upsert, If-Match replace, a transaction of two). A gift submission or an
approval makes three or four of them. Everything else (queries, scans, table creation, the ping)
stays with the SDK (`bot.storage.tables.AzureTableStore`), which also decides when this client is
used.

What it does the SDK's way, so the service cannot tell the two apart:
- SharedKey signing (account key: Azurite, or an account-key connection string), or a bearer
  token from the app's `AsyncTokenCredential` (managed identity), like the SDK's policies;
- OData JSON with `minimalmetadata`, strings and doubles annotated as the SDK annotates them,
  x-ms-version 2019-02-02, DataServiceVersion 3.0;
- the SDK's retries as configured in `AzureTableStore` (2 retries, the first at once, then
  0.4 s; GET/PUT/DELETE on 408/429/500/502/503/504 and on transport errors, a POST only on
  500/503/504; `Retry-After` honoured on 429 and 503, as everywhere: `bot.retry.retry_after`),
  so a write whose answer was lost is repeated exactly as
  before (and meets its own ETag: see docs/architecture.md);
- the same errors (`bot.storage.errors`) for the same answers.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import math
import ssl as ssl_module
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from azure.core.credentials_async import AsyncTokenCredential
from yarl import URL

from bot.retry import retry_after
from bot.storage.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    RowFull,
    StorageError,
    StorageUnavailable,
)
from bot.storage.metering import TableMeter
from bot.storage.store import Row, Write

# Request lines name keys, and keys name people: like the SDK's HTTP logging policy, this logger
# is one of bot.logs.NOISY_LOGGERS (WARNING and up only, whatever LOG_LEVEL says).
wire = logging.getLogger("bot.storage.wire")
VERSION = "2019-02-02"
ACCEPT = "application/json;odata=minimalmetadata"
JSON = "application/json"
SCOPE = "https://storage.azure.com/.default"
RETRIES = 2
BACKOFF = 0.2
BACKOFF_MAX = 1.0
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_POST_RETRY_STATUSES = frozenset({500, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})
_ROW_FULL = frozenset({"TooManyProperties", "EntityTooLarge"})  # as in bot.storage.tables
_KEYS = ("PartitionKey", "RowKey")


class Unsupported(Exception):
    """A value this client does not encode (the SDK's path takes it)."""


class LeanTables:
    """Point reads, writes and transactions of one storage account, over one aiohttp pool."""

    def __init__(
        self,
        endpoint: str,
        account: str,
        key: str | None = None,
        credential: AsyncTokenCredential | None = None,
        on_request: Callable[[], None] | None = None,
        meter: TableMeter | None = None,
        connection_timeout: float = 3,
        read_timeout: float = 10,
        ssl: ssl_module.SSLContext | bool = True,
    ) -> None:
        if (key is None) == (credential is None):
            raise ValueError("an account key or a token credential, one of them")
        self._endpoint = endpoint.rstrip("/")
        parsed = URL(self._endpoint)
        self._origin = str(parsed.origin())
        self._base_path = parsed.raw_path.rstrip("/")
        self._account = account
        self._key = base64.b64decode(key) if key is not None else None
        self._credential = credential
        self._token: tuple[str, float] | None = None  # (token, when to ask again)
        self._on_request = on_request
        self._meter = meter
        self._timeout = aiohttp.ClientTimeout(
            sock_connect=connection_timeout, sock_read=read_timeout
        )
        self._session: aiohttp.ClientSession | None = None
        self._ssl = ssl  # True: the system's CAs; a context: its CAs (tests: a loopback CA)
        self._date: tuple[int, str] = (0, "")

    # --- the operations ---------------------------------------------------------------------

    async def get(self, table: str, partition: str, row: str) -> Row:
        path = self._entity_path(table, partition, row)
        status, headers, body = await self._send("GET", path, table=table)
        if status != 200:
            raise _error(status, headers, body)
        entity = json.loads(body)
        return _row(entity)

    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        payload = _payload(partition, row, data)
        status, headers, body = await self._send(
            "POST", f"/{quote(table, safe='')}", payload, prefer=True, table=table
        )
        if status not in (201, 204):
            raise _error(status, headers, body)
        return Row(partition, row, dict(data), headers.get("ETag"))

    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        payload = _payload(partition, row, data)
        path = self._entity_path(table, partition, row)
        status, headers, body = await self._send("PUT", path, payload, if_match=etag, table=table)
        if status != 204:
            raise _error(status, headers, body)
        return Row(partition, row, dict(data), headers.get("ETag"))

    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        payload = _payload(partition, row, data)
        path = self._entity_path(table, partition, row)
        status, headers, body = await self._send("PUT", path, payload, table=table)
        if status != 204:
            raise _error(status, headers, body)
        return Row(partition, row, dict(data), headers.get("ETag"))

    async def delete(self, table: str, partition: str, row: str, etag: str | None = None) -> None:
        path = self._entity_path(table, partition, row)
        status, headers, body = await self._send("DELETE", path, if_match=etag or "*", table=table)
        if status in (204, 404):
            return
        raise _error(status, headers, body)

    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        """One entity-group transaction (multipart/mixed with one changeset), all or nothing."""
        batch, changeset = f"batch_{uuid.uuid4()}", f"changeset_{uuid.uuid4()}"
        parts: list[str] = []
        for n, write in enumerate(writes):
            parts.append(self._operation(table, partition, write, changeset, n))
        body = (
            f"--{batch}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n"
            + "".join(parts)
            + f"--{changeset}--\r\n--{batch}--\r\n"
        ).encode()
        status, headers, answer = await self._send(
            "POST",
            "/$batch",
            body,
            content_type=f"multipart/mixed; boundary={batch}",
            written=len(writes),
            table=table,
        )
        if status != 202:
            raise _error(status, headers, answer)
        results = _batch_results(answer)
        for result_status, result_headers, result_body in results:
            if result_status >= 300:
                raise _transaction_error(result_status, result_headers, result_body)
        if len(results) != len(writes):
            raise StorageError(f"{len(results)} answers to {len(writes)} operations")
        return [
            None if write.kind == "delete" else result[1].get("etag")
            for write, result in zip(writes, results, strict=True)
        ]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- requests ---------------------------------------------------------------------------

    def _entity_path(self, table: str, partition: str, row: str) -> str:
        pk = quote(partition.replace("'", "''"), safe="")
        rk = quote(row.replace("'", "''"), safe="")
        return f"/{quote(table, safe='')}(PartitionKey='{pk}',RowKey='{rk}')"

    def _operation(self, table: str, partition: str, write: Write, changeset: str, n: int) -> str:
        url = self._endpoint + self._entity_path(table, partition, write.row)
        headers = [f"Accept: {ACCEPT}", "DataServiceVersion: 3.0"]
        content = ""
        if write.kind == "insert":
            method, url = "POST", f"{self._endpoint}/{quote(table, safe='')}"
            headers.append("Prefer: return-no-content")
        elif write.kind == "upsert":
            method = "PUT"
        elif write.kind == "merge":
            method = "MERGE"
        elif write.kind == "replace":
            method = "PUT"
            headers.append(f"If-Match: {write.etag or '*'}")
        else:
            method = "DELETE"
            headers.append(f"If-Match: {write.etag or '*'}")
        if write.kind != "delete":
            content = _payload(partition, write.row, write.data).decode()
            headers.append(f"Content-Type: {JSON}")
        return (
            f"--{changeset}\r\nContent-Type: application/http\r\n"
            f"Content-Transfer-Encoding: binary\r\nContent-ID: {n}\r\n\r\n"
            f"{method} {url} HTTP/1.1\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
            f"{content}\r\n"
        )

    async def _send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        if_match: str | None = None,
        prefer: bool = False,
        content_type: str | None = None,
        written: int = 1,
        table: str = "",
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One request with the SDK's retries: (status, headers, body) of the last answer."""
        raw = self._base_path + path
        url = URL(self._origin + raw, encoded=True)
        if body is not None and content_type is None:
            content_type = JSON
        attempt = 0
        while True:
            headers = {
                "x-ms-version": VERSION,
                "DataServiceVersion": "3.0",
                "Accept": ACCEPT,
                "x-ms-date": self._now(),
            }
            if content_type is not None:
                headers["Content-Type"] = content_type
            if if_match is not None:
                headers["If-Match"] = if_match
            if prefer:
                headers["Prefer"] = "return-no-content"
            headers["Authorization"] = await self._authorization(method, raw, headers)
            if self._on_request is not None:
                self._on_request()
            wait: float | None
            try:
                session = self._pool()
                async with session.request(method, url, data=body, headers=headers) as response:
                    answer = await response.read()
                    status, got = response.status, response.headers
            except (aiohttp.ClientError, TimeoutError, OSError) as error:
                if attempt >= RETRIES or method not in _IDEMPOTENT:
                    raise StorageUnavailable(type(error).__name__) from error
                wait = None
            else:
                self._count(method, table, status, written)
                if wire.isEnabledFor(logging.DEBUG):  # as the SDK's HTTP logging policy does
                    wire.debug("table storage %s %s: %d", method, url, status)
                retry = status in _RETRY_STATUSES and method in _IDEMPOTENT
                retry = retry or (method == "POST" and status in _POST_RETRY_STATUSES)
                if not retry or attempt >= RETRIES:
                    return status, got, answer
                wait = retry_after(status, got)
            attempt += 1
            if wait is None:
                wait = 0.0 if attempt == 1 else min(BACKOFF * 2 ** (attempt - 1), BACKOFF_MAX)
            if wait:
                await asyncio.sleep(wait)

    def _pool(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300, ssl=self._ssl),
                timeout=self._timeout,
                skip_auto_headers=("User-Agent",),
                trust_env=False,
            )
        return self._session

    def _now(self) -> str:
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(second)))
        return self._date[1]

    async def _authorization(self, method: str, raw_path: str, headers: Mapping[str, str]) -> str:
        if self._key is not None:
            resource = f"/{self._account}{raw_path.split('?', 1)[0]}"
            signed = (
                f"{method}\n\n{headers.get('Content-Type', '')}\n{headers['x-ms-date']}\n{resource}"
            )
            digest = hmac.new(self._key, signed.encode(), hashlib.sha256).digest()
            return f"SharedKey {self._account}:{base64.b64encode(digest).decode()}"
        assert self._credential is not None
        now = time.time()
        if self._token is None or self._token[1] <= now:
            token = await self._credential.get_token(SCOPE)
            # ask again 5 minutes before it expires, as azure-core's bearer policy does
            self._token = (token.token, token.expires_on - 300)
        return f"Bearer {self._token[0]}"

    def _count(self, method: str, table: str, status: int, written: int) -> None:
        """The transport meter's count, as `TableMeter.on_response` counts the SDK's requests."""
        if self._meter is None:
            return
        if method == "GET":
            self._meter.record(table, read=True, point=True, entities=int(status == 200))
        else:
            self._meter.record(table, read=False, written=written)


def _payload(partition: str, row: str, data: Mapping[str, Any]) -> bytes:
    """The entity's OData JSON, typed as the SDK types it (`_add_entity_properties`)."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if value is None or name in _KEYS:
            continue
        kind = type(value)
        if kind is str:
            out[name] = value
            out[name + "@odata.type"] = "Edm.String"
        elif kind is bool:
            out[name] = value
        elif kind is int:
            if not -(2**31) <= value < 2**31:
                raise Unsupported(name)
            out[name] = value
        elif kind is float:
            if math.isnan(value):
                value = "NaN"
            elif math.isinf(value):
                value = "Infinity" if value > 0 else "-Infinity"
            out[name] = value
            out[name + "@odata.type"] = "Edm.Double"
        else:
            raise Unsupported(f"{name}: {kind.__name__}")
    out["PartitionKey"] = partition
    out["PartitionKey@odata.type"] = "Edm.String"
    out["RowKey"] = row
    out["RowKey@odata.type"] = "Edm.String"
    return orjson.dumps(out)  # compact UTF-8, as Azure Tables reads it


def can_encode(data: Mapping[str, Any]) -> bool:
    """Whether every value is one this client writes (else the SDK's path takes the write)."""
    for value in data.values():
        kind = type(value)
        if value is None or kind is str or kind is bool or kind is float:
            continue
        if kind is int and -(2**31) <= value < 2**31:
            continue
        return False
    return True


def _row(entity: Mapping[str, Any]) -> Row:
    """A row as `AzureTableStore` reads it through the SDK: the properties without keys and
    Timestamp, the `odata.etag`; doubles as floats, Int64 as int."""
    data: dict[str, Any] = {}
    types: dict[str, str] = {}
    for name, value in entity.items():
        if name.startswith("odata."):
            continue
        if name.endswith("@odata.type"):
            types[name[:-11]] = value
            continue
        data[name] = value
    partition = data.pop("PartitionKey")
    row = data.pop("RowKey")
    data.pop("Timestamp", None)
    for name, edm in types.items():
        if name not in data:
            continue
        if edm == "Edm.Double":
            data[name] = float(data[name])
        elif edm == "Edm.Int64":
            data[name] = int(data[name])
        elif edm != "Edm.String":
            raise StorageError(f"column {name} has a type this store does not use: {edm}")
    return Row(partition, row, data, entity.get("odata.etag"))


def _code(headers: Mapping[str, str], body: bytes) -> str:
    code = headers.get("x-ms-error-code", "")
    if code:
        return code
    try:
        error = json.loads(body)["odata.error"]
        return str(error.get("code", ""))
    except (ValueError, KeyError, TypeError):
        return ""


def _error(status: int, headers: Mapping[str, str], body: bytes) -> StorageError:
    """What `bot.storage.tables._translate` makes of the SDK's exception for this answer."""
    code = _code(headers, body)
    if code in _ROW_FULL:
        return RowFull(code)
    if status == 404:
        return NotFound(code or "not found")
    if status == 409:
        return AlreadyExists(code or "exists")
    if status == 412:
        return Conflict(code or "ETag mismatch")
    if status >= 500:
        return StorageUnavailable(f"HTTP {status}")
    return StorageError(f"HTTP {status} {code}".strip())


def _transaction_error(status: int, headers: Mapping[str, str], body: bytes) -> StorageError:
    """`bot.storage.tables._translate_transaction` for the failed operation's answer."""
    code = _code(headers, body)
    if code in _ROW_FULL:
        return RowFull(code)
    if status == 412 or code == "UpdateConditionNotSatisfied":
        return Conflict(code or "ETag mismatch in transaction")
    if status == 409 or code == "EntityAlreadyExists":
        return AlreadyExists(code or "row exists")
    if status == 404 or code == "ResourceNotFound":
        return NotFound(code or "row missing")
    return _error(status, headers, body)


def _batch_results(answer: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Each operation's (status, headers in lower case, body) from a $batch answer."""
    results: list[tuple[int, dict[str, str], bytes]] = []
    for chunk in answer.split(b"HTTP/1.1 ")[1:]:
        head, _, rest = chunk.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 1)[0])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = rest.split(b"\r\n--", 1)[0]
        results.append((status, headers, body))
    return results
