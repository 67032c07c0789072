"""`TableStore` on Azure Table storage (Azurite locally), with the async azure-data-tables SDK."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.pipeline import PipelineRequest
from azure.data.tables import TableTransactionError, UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient

from bot.storage.errors import (
    AlreadyExists,
    Conflict,
    NotFound,
    RowFull,
    StorageError,
    StorageUnavailable,
)
from bot.storage.lean import LeanTables, can_encode
from bot.storage.metering import TableMeter
from bot.storage.store import Row, Write, storable_key

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

_KEYS = ("PartitionKey", "RowKey")


def _bounded(
    method: Callable[Concatenate[AzureTableStore, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[AzureTableStore, P], Coroutine[Any, Any, T]]:
    """The store's deadline around one request (the SDK's retries included): past it the
    request is given up as `StorageUnavailable`, like any other storage failure."""

    @functools.wraps(method)
    async def bounded(store: AzureTableStore, /, *args: P.args, **kwargs: P.kwargs) -> T:
        if store._deadline is None:
            return await method(store, *args, **kwargs)
        try:
            async with asyncio.timeout(store._deadline):
                return await method(store, *args, **kwargs)
        except TimeoutError as error:
            raise StorageUnavailable(f"no answer within {store._deadline:g} s") from error

    return bounded


class AzureTableStore:
    """Table storage with ETag concurrency; every failure becomes a `StorageError`.

    One service client (one HTTP connection pool) serves every table. `on_request` is called
    once per HTTP request sent, which the benchmarks use to count storage round trips.
    `proxy_configured` (`Settings.proxy_configured`): the environment names a proxy or a netrc
    file the client must honour. `meter` (bot/storage/metering.py) counts reads, writes, pages
    and entities per answered request.

    Two ways in: a `connection_string` (Azurite, or an account key), or an `endpoint` (the
    account's table endpoint) with a `credential` (production: the app's managed identity
    through azure-identity, so no account key is configured anywhere); the store closes that
    credential with itself. `client_options` go to the SDK client as they are (tests:
    `connection_verify` for a loopback CA).
    """

    def __init__(
        self,
        connection_string: str = "",
        prefix: str = "",
        on_request: Callable[[], None] | None = None,
        proxy_configured: bool = False,
        meter: TableMeter | None = None,
        deadline: float | None = None,
        endpoint: str = "",
        credential: AsyncTokenCredential | None = None,
        client_options: Mapping[str, Any] | None = None,
        lean: bool = True,
    ) -> None:
        hook = None
        if on_request is not None:
            counter = on_request

            def hook(_request: PipelineRequest[Any]) -> None:
                counter()

        # Few, quick retries: a person is waiting, and "storage is down" must surface fast.
        options: dict[str, Any] = dict(
            retry_total=2,
            retry_backoff_factor=0.2,
            retry_backoff_max=1,
            connection_timeout=3,
            read_timeout=10,
            raw_request_hook=hook,
            raw_response_hook=meter.on_response if meter is not None else None,
            # With environment settings on, aiohttp looks up proxy and netrc settings in a worker
            # thread on every request (two thread hops, ~40% of a point read's CPU). They are
            # only read when a proxy is configured.
            use_env_settings=proxy_configured,
            **(client_options or {}),
        )
        if endpoint:
            if credential is None:
                raise ValueError("a table endpoint needs a credential")
            self._service = TableServiceClient(endpoint, credential=credential, **options)
        else:
            self._service = TableServiceClient.from_connection_string(connection_string, **options)
        self._credential = credential
        # Point reads, writes and transactions without the SDK's pipeline (bot/storage/lean.py,
        # measured in docs/benchmarks.md); not with a proxy or client options other than a CA
        # bundle (`connection_verify`), which only the SDK's transport honours.
        self._lean: LeanTables | None = None
        named = getattr(self._service.credential, "named_key", None)
        signs = credential is not None or named is not None  # not a SAS: the SDK signs those
        options_given = dict(client_options or {})
        verify = options_given.pop("connection_verify", True)
        if lean and signs and not proxy_configured and not options_given:
            self._lean = LeanTables(
                self._service.url,
                self._service.account_name or "",
                key=named.key if named is not None and credential is None else None,
                credential=credential,
                on_request=on_request,
                meter=meter,
                ssl=ssl.create_default_context(cafile=verify)
                if isinstance(verify, str)
                else verify,
            )
        self._prefix = prefix
        self._clients: dict[str, TableClient] = {}
        # Longest one request may take, the SDK's own retries included (None: no bound). A
        # hung storage account must not hold a person's turn past Teams' patience.
        self._deadline = deadline

    def _table(self, name: str) -> TableClient:
        full = f"{self._prefix}{name}"
        client = self._clients.get(full)
        if client is None:
            client = self._service.get_table_client(full)
            self._clients[full] = client
        return client

    async def ensure_tables(self, names: Sequence[str]) -> None:
        for name in names:
            try:
                await self._service.create_table_if_not_exists(f"{self._prefix}{name}")
            except AzureError as error:
                raise _translate(error) from error

    @_bounded
    async def get(self, table: str, partition: str, row: str) -> Row:
        if not storable_key(partition, row):
            raise NotFound(f"{table}: a key storage cannot hold")
        if self._lean is not None:
            return await self._lean.get(f"{self._prefix}{table}", partition, row)
        try:
            entity = await self._table(table).get_entity(partition, row)
        except AzureError as error:
            raise _translate(error) from error
        return _row(entity)

    @_bounded
    async def insert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        if self._lean is not None and can_encode(data):
            return await self._lean.insert(f"{self._prefix}{table}", partition, row, data)
        try:
            meta = await self._table(table).create_entity(_entity(partition, row, data))
        except AzureError as error:
            raise _translate(error) from error
        return Row(partition, row, dict(data), meta.get("etag"))

    @_bounded
    async def replace(
        self, table: str, partition: str, row: str, data: Mapping[str, Any], etag: str
    ) -> Row:
        if self._lean is not None and can_encode(data):
            return await self._lean.replace(f"{self._prefix}{table}", partition, row, data, etag)
        try:
            meta = await self._table(table).update_entity(
                _entity(partition, row, data),
                mode=UpdateMode.REPLACE,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
        except AzureError as error:
            raise _translate(error) from error
        return Row(partition, row, dict(data), meta.get("etag"))

    @_bounded
    async def upsert(self, table: str, partition: str, row: str, data: Mapping[str, Any]) -> Row:
        if self._lean is not None and can_encode(data):
            return await self._lean.upsert(f"{self._prefix}{table}", partition, row, data)
        try:
            meta = await self._table(table).upsert_entity(
                _entity(partition, row, data), mode=UpdateMode.REPLACE
            )
        except AzureError as error:
            raise _translate(error) from error
        return Row(partition, row, dict(data), meta.get("etag"))

    @_bounded
    async def delete(self, table: str, partition: str, row: str, etag: str | None = None) -> None:
        if self._lean is not None:
            return await self._lean.delete(f"{self._prefix}{table}", partition, row, etag)
        kwargs: dict[str, Any] = {}
        if etag is not None:
            kwargs = {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        try:
            await self._table(table).delete_entity(partition, row, **kwargs)
        except ResourceNotFoundError:
            return
        except AzureError as error:
            raise _translate(error) from error

    @_bounded
    async def query(
        self,
        table: str,
        partition: str,
        row_from: str | None = None,
        row_to: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        conditions = ["PartitionKey eq @pk"]
        parameters: dict[str, Any] = {"pk": partition}
        if row_from is not None:
            conditions.append("RowKey ge @lo")
            parameters["lo"] = row_from
        if row_to is not None:
            conditions.append("RowKey lt @hi")
            parameters["hi"] = row_to
        rows: list[Row] = []
        try:
            pages = self._table(table).query_entities(
                " and ".join(conditions),
                parameters=parameters,
                results_per_page=min(limit or 1000, 1000),
            )
            async for entity in pages:
                rows.append(_row(entity))
                if limit is not None and len(rows) >= limit:
                    break
        except AzureError as error:
            raise _translate(error) from error
        return rows

    async def scan(self, table: str, equals: Mapping[str, Any]) -> list[Row]:
        names = {f"p{i}": (column, value) for i, (column, value) in enumerate(equals.items())}
        query = " and ".join(f"{column} eq @{name}" for name, (column, _) in names.items())
        parameters = {name: value for name, (_, value) in names.items()}
        rows: list[Row] = []
        try:
            async for entity in self._table(table).query_entities(
                query or "PartitionKey ne ''", parameters=parameters, results_per_page=1000
            ):
                rows.append(_row(entity))
        except AzureError as error:
            raise _translate(error) from error
        return rows

    @_bounded
    async def transact(
        self, table: str, partition: str, writes: Sequence[Write]
    ) -> list[str | None]:
        if self._lean is not None and all(can_encode(w.data) for w in writes):
            return await self._lean.transact(f"{self._prefix}{table}", partition, writes)
        operations: list[Any] = []
        for write in writes:
            entity = _entity(partition, write.row, write.data)
            if write.kind == "insert":
                operations.append(("create", entity))
            elif write.kind == "upsert":
                operations.append(("upsert", entity, {"mode": UpdateMode.REPLACE}))
            elif write.kind == "merge":
                operations.append(("upsert", entity, {"mode": UpdateMode.MERGE}))
            elif write.kind == "replace":
                options: dict[str, Any] = {"mode": UpdateMode.REPLACE}
                if write.etag is not None:
                    options.update(etag=write.etag, match_condition=MatchConditions.IfNotModified)
                operations.append(("update", entity, options))
            else:
                options = {}
                if write.etag is not None:
                    options = {"etag": write.etag, "match_condition": MatchConditions.IfNotModified}
                operations.append(("delete", entity, options))
        try:
            results = await self._table(table).submit_transaction(operations)
        except TableTransactionError as error:
            raise _translate_transaction(error) from error
        except AzureError as error:
            raise _translate(error) from error
        return [
            None if write.kind == "delete" else (result or {}).get("etag")
            for write, result in zip(writes, results, strict=False)
        ]

    async def ping(self) -> bool:
        try:
            async with asyncio.timeout(3):
                async for _ in self._service.list_tables(results_per_page=1):
                    break
        except (AzureError, TimeoutError, OSError) as error:
            log.warning("table storage did not answer: %s", type(error).__name__)
            return False
        return True

    async def close(self) -> None:
        if self._lean is not None:
            await self._lean.close()
        for client in self._clients.values():
            await client.close()
        await self._service.close()
        if self._credential is not None:
            await self._credential.close()


def _entity(partition: str, row: str, data: Mapping[str, Any]) -> dict[str, Any]:
    entity = {k: v for k, v in data.items() if v is not None and k not in _KEYS}
    entity["PartitionKey"] = partition
    entity["RowKey"] = row
    return entity


def _row(entity: Any) -> Row:
    data = {k: v for k, v in entity.items() if k not in _KEYS}
    return Row(entity["PartitionKey"], entity["RowKey"], data, entity.metadata.get("etag"))


# What Azure answers (400) when an entity would exceed its limits.
_ROW_FULL = {"TooManyProperties", "EntityTooLarge"}


def _translate(error: AzureError) -> StorageError:
    if str(getattr(error, "error_code", "") or "") in _ROW_FULL:
        return RowFull(str(error.message))
    if isinstance(error, ResourceNotFoundError):
        return NotFound(str(error.message))
    if isinstance(error, ResourceExistsError):
        return AlreadyExists(str(error.message))
    if isinstance(error, ResourceModifiedError):
        return Conflict(str(error.message))
    if isinstance(error, HttpResponseError):
        if error.status_code == 412:
            return Conflict(str(error.message))
        if error.status_code == 409:
            return AlreadyExists(str(error.message))
        if error.status_code == 404:
            return NotFound(str(error.message))
    if isinstance(error, ServiceRequestError | ServiceResponseError):
        return StorageUnavailable(type(error).__name__)
    if isinstance(error, HttpResponseError) and (error.status_code or 0) >= 500:
        return StorageUnavailable(f"HTTP {error.status_code}")
    return StorageError(str(error))


def _translate_transaction(error: TableTransactionError) -> StorageError:
    code = str(getattr(error, "error_code", "") or "")
    if code in _ROW_FULL:
        return RowFull(code)
    if error.status_code == 412 or code == "UpdateConditionNotSatisfied":
        return Conflict(code or "ETag mismatch in transaction")
    if error.status_code == 409 or code == "EntityAlreadyExists":
        return AlreadyExists(code or "row exists")
    if error.status_code == 404 or code == "ResourceNotFound":
        return NotFound(code or "row missing")
    return _translate(error)
