"""Connector clients built once per (app, service URL, audience), sending with aiohttp.

Stock `CloudAdapter` (botbuilder 4.17) does this for every turn and every proactive message:
builds a new `ConnectorClient` (an msrest configuration whose urllib3 retry policy alone is
costly to construct, and a new `requests` session, so a new TCP connection), builds a new
`UserTokenClient` (a second msrest client) and new app credentials (a new MSAL application,
so an empty token cache), and sends through `requests` in a worker thread. That is about 10 ms
of CPU per turn and caps a bot near 100 turns/s on two cores.

This module removes that waste through the SDK's own extension points, without forking or
patching it:

- `FastBotFrameworkAuthentication` wraps the SDK's `BotFrameworkAuthentication` and hands the
  adapter a `CachingConnectorFactory`. Authentication itself (JWT validation, caller id, the
  outbound audience) is still done by the SDK.
- `CachingConnectorFactory` asks the SDK's factory for a client once per (app id, service URL,
  audience), so credentials and their token cache live as long as the process, and swaps the
  client's msrest pipeline for one that sends on a shared aiohttp session (connection reuse,
  no thread hop). The pipeline keeps msrest's user agent, deserializer and logger policies.
- Tokens: when an app id is configured the pipeline still authenticates every request with the
  SDK's own credentials. MSAL is synchronous, so the token is fetched in a worker thread, but
  only when the cached one is older than `TOKEN_REUSE_SECONDS` (MSAL never hands out a token
  with less than five minutes left, so a cached token is always still valid).
- Outgoing activities are turned into JSON by `ActivitySerializer`, which gives the same JSON
  as msrest's serializer (tested) at a fraction of the cost: msrest deserializes the activity
  again, validates it and deep-copies every card before serializing it. It is handed to the
  SDK's own `ConversationsOperations`; anything it does not know falls back to msrest.
- `create_user_token_client` returns a lazy client that is built on first use: the bot uses no
  sign-in, so it is never built.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from botbuilder.schema import Activity
from botframework.connector import models as connector_models
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Deserializer, Model, Serializer
from msrest.universal_http.async_abc import AsyncClientResponse
from multidict import CIMultiDict

log = logging.getLogger(__name__)

TOKEN_REUSE_SECONDS = 240.0
MAX_CLIENTS = 256
# How long one request to the Bot Connector may take in all before it counts as failed (a time-out
# is retried by the notifier, so one hung request cannot hold a turn for more than this).
SEND_TIMEOUT_SECONDS = 30.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUS = frozenset({408, 500, 502, 503, 504})
_TRANSPORT_RETRIES = 3


class BufferedResponse(AsyncClientResponse):
    """A fully read HTTP response in msrest's shape.

    msrest's `HttpOperationError.response` is the response's `internal_response`; for stock
    (`requests`) that has `status_code` and `headers`, which our callers read (429 Retry-After),
    so this object is its own internal response and offers the same two attributes.
    """

    def __init__(self, request: Any, status: int, reason: str, headers: Any, body: bytes) -> None:
        super().__init__(request, None)
        self.internal_response = self
        self.status_code = status
        self.reason = reason
        self.headers = CIMultiDict(headers)
        self._body = body

    def body(self) -> bytes:
        return self._body


class ConnectorPool:
    """One aiohttp session (one connection pool) and the connector clients that share it."""

    def __init__(self, max_clients: int = MAX_CLIENTS, timeout: float | None = None) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._clients: OrderedDict[tuple[str, str, str], ConnectorClient] = OrderedDict()
        self._max_clients = max_clients
        self._timeout = timeout  # None: SEND_TIMEOUT_SECONDS when the session is made

    def session(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop that will use it.
        if self._session is None or self._session.closed:
            total = SEND_TIMEOUT_SECONDS if self._timeout is None else self._timeout
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=total),
                connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=30),
            )
        return self._session

    def get(self, key: tuple[str, str, str]) -> ConnectorClient | None:
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
        return client

    def put(self, key: tuple[str, str, str], client: ConnectorClient) -> None:
        self._clients[key] = client
        self._clients.move_to_end(key)
        while len(self._clients) > self._max_clients:
            self._clients.popitem(last=False)

    def adopt(self, client: ConnectorClient) -> ConnectorClient:
        """Give a client built by the SDK our pipeline (same policies, aiohttp transport) and
        conversation operations that serialize activities with `ActivitySerializer`."""
        config = client.config
        client.conversations = ConversationsOperations(
            client._client, config, ActivitySerializer(), client._deserialize
        )
        config.pipeline = AsyncPipeline(
            [
                config.user_agent_policy,
                _TokenPolicy(_TokenCache(config.credentials)),
                _RetryPolicy(),
                RawDeserializer(),
                config.http_logger_policy,
            ],
            _AiohttpSender(self),
        )
        return client

    async def close(self) -> None:
        self._clients.clear()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


_MODELS = {k: v for k, v in connector_models.__dict__.items() if isinstance(v, type)}
_PLAIN = (str, int, float, bool)


class _Unsupported(Exception):
    """A value `ActivitySerializer` leaves to msrest."""


class ActivitySerializer(Serializer):
    """msrest's serializer, with a direct path for `Activity` bodies.

    Produces exactly msrest's JSON for the types the Bot Framework schema uses (models, lists,
    dicts, str, numbers, bool, ISO dates, free-form objects) and hands anything else (bytes,
    flattened keys, XML) back to msrest.
    """

    def __init__(self) -> None:
        super().__init__(_MODELS)  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        if data_type == "Activity" and isinstance(data, Model) and not kwargs:
            try:
                return self._model(data)
            except _Unsupported:
                pass
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]

    def _model(self, model: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        readonly = getattr(model, "_validation", {})
        for attr, desc in model._attribute_map.items():
            if readonly.get(attr, {}).get("readonly", False):
                continue
            key = desc["key"]
            if attr == "additional_properties" or "." in key or not key:
                raise _Unsupported(key)
            value = getattr(model, attr, None)
            if value is not None:
                out[key] = self._typed(value, desc["type"])
        return out

    def _typed(self, value: Any, data_type: str) -> Any:
        if value is None:
            return None
        if data_type == "str":
            return value.value if hasattr(value, "value") else str(value)
        if data_type in ("int", "float", "bool"):
            return {"int": int, "float": float, "bool": bool}[data_type](value)
        if data_type == "iso-8601":
            return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
        if data_type == "object":
            return self._object(value)
        if data_type.startswith("[") and data_type.endswith("]"):
            return [self._typed(item, data_type[1:-1]) for item in value]
        if data_type.startswith("{") and data_type.endswith("}"):
            return {str(k): self._typed(v, data_type[1:-1]) for k, v in value.items()}
        if data_type in _MODELS and isinstance(value, Model):
            return self._model(value)
        raise _Unsupported(data_type)

    def _object(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN or value is None:
            return value
        if kind is dict:
            return {str(k): self._object(v) for k, v in value.items()}
        if kind is list:
            return [self._object(item) for item in value]
        if kind is datetime.datetime:
            return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
        if isinstance(value, Model):
            return self._model(value)
        raise _Unsupported(kind.__name__)


def activity_from_json(body: dict[str, Any]) -> Activity:
    """`Activity().deserialize(body)`, with a direct path for what Teams sends.

    Builds the same objects msrest builds (every attribute passed, None when absent, unknown
    keys in `additional_properties`) for the types the Bot Framework schema uses, and hands
    anything else to msrest: a value of an unexpected type, flattened keys, polymorphic models.
    Deserializing the incoming activity was about a sixth of a menu turn's CPU with msrest."""
    try:
        activity = _from_json(Activity, body)
    except _Unsupported:
        return Activity().deserialize(body)
    assert isinstance(activity, Activity)
    return activity


def _from_json(model: type[Model], data: Any) -> Model:
    if type(data) is not dict or getattr(model, "_subtype_map", None):
        raise _Unsupported(model.__name__)
    validation = getattr(model, "_validation", {})
    if any(v.get("readonly") or v.get("constant") for v in validation.values()):
        raise _Unsupported(model.__name__)
    kwargs: dict[str, Any] = {}
    known = set()
    for attr, desc in model._attribute_map.items():
        key = desc["key"]
        if attr == "additional_properties" or "." in key or "\\" in key or not key:
            raise _Unsupported(key)
        known.add(key)
        value = data.get(key)
        kwargs[attr] = None if value is None else _json_value(value, desc["type"])
    built = model(**kwargs)
    extra = {key: value for key, value in data.items() if key not in known}
    if extra:  # msrest keeps unknown keys (e.g. Teams' conversation.tenantId) here
        built.additional_properties = extra
    return built


def _json_value(value: Any, data_type: str) -> Any:
    kind = type(value)
    if data_type == "str":
        if kind is not str:
            raise _Unsupported("str")
        return value
    if (data_type == "bool" and kind is bool) or (data_type == "int" and kind is int):
        return value
    if data_type == "float" and kind in (int, float):
        return float(value)
    if data_type == "iso-8601" and kind is str:
        return Deserializer.deserialize_iso(value)  # type: ignore[no-untyped-call]
    if data_type == "object":
        return _json_object(value)
    if data_type.startswith("[") and data_type.endswith("]") and kind is list:
        return [None if v is None else _json_value(v, data_type[1:-1]) for v in value]
    if data_type.startswith("{") and data_type.endswith("}") and kind is dict:
        return {k: None if v is None else _json_value(v, data_type[1:-1]) for k, v in value.items()}
    model = _MODELS.get(data_type)
    if model is not None:
        return _from_json(model, value)
    raise _Unsupported(data_type)


def _json_object(value: Any) -> Any:
    """msrest's free-form objects: fresh dicts and lists, the JSON's own scalars."""
    kind = type(value)
    if kind is dict:
        return {k: _json_object(v) for k, v in value.items()}
    if kind is list:
        return [_json_object(v) for v in value]
    return value


class _AiohttpSender(AsyncHTTPSender[Any, Any]):
    """Sends a msrest request on the pool's shared aiohttp session and reads the whole body."""

    def __init__(self, pool: ConnectorPool) -> None:
        self._pool = pool

    async def __aenter__(self) -> _AiohttpSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None

    def build_context(self) -> None:
        return None

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        http_request = request.http_request
        try:
            async with self._pool.session().request(
                http_request.method,
                http_request.url,
                headers=dict(http_request.headers),
                data=http_request.data or None,
            ) as answer:
                body = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            # What callers of the stock (requests) transport catch for transport failures.
            raise ClientRequestError(f"Error occurred in request: {error!r}") from error
        response = BufferedResponse(
            http_request, answer.status, answer.reason or "", answer.headers, body
        )
        return Response(request, response)


class _Policy(AsyncHTTPPolicy[Any, Any]):
    async def _forward(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        assert self.next is not None, "a policy is always followed by the sender"
        response: Response[Any, Any] = await self.next.send(request, **kwargs)
        return response


class _RetryPolicy(_Policy):
    """Transport retries like the stock client's: refused connections for every method (nothing
    was sent), 408/5xx only for idempotent methods (a POST may have been delivered)."""

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        method = request.http_request.method.upper()
        for attempt in range(_TRANSPORT_RETRIES + 1):
            last = attempt == _TRANSPORT_RETRIES
            try:
                response = await self._forward(request, **kwargs)
            except ClientRequestError as error:
                if last or not isinstance(error.__cause__, aiohttp.ClientConnectorError):
                    raise
            else:
                status = response.http_response.status_code
                if last or status not in _RETRY_STATUS or method not in _IDEMPOTENT:
                    return response
            await asyncio.sleep(0.4 * attempt * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover


class _TokenCache:
    """The bearer token of one credentials object, fetched off the event loop and reused."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._token = ""
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def needed(self) -> bool:
        # Like the SDK's AppCredentials: no app id (local mode) or an anonymous skill: no token.
        app_id = getattr(self._credentials, "microsoft_app_id", None)
        return bool(app_id) and app_id != AuthenticationConstants.ANONYMOUS_SKILL_APP_ID

    async def token(self) -> str:
        if time.monotonic() - self._fetched < TOKEN_REUSE_SECONDS:
            return self._token
        async with self._lock:
            if time.monotonic() - self._fetched >= TOKEN_REUSE_SECONDS:
                # MSAL does blocking HTTP: never on the event loop.
                self._token = await asyncio.to_thread(self._credentials.get_access_token)
                self._fetched = time.monotonic()
        return self._token

    def forget(self) -> None:
        self._fetched = float("-inf")


class _TokenPolicy(_Policy):
    def __init__(self, tokens: _TokenCache) -> None:
        super().__init__()
        self._tokens = tokens

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        headers = request.http_request.headers
        if self._tokens.needed:
            headers["Authorization"] = f"Bearer {await self._tokens.token()}"
        else:
            headers.pop("Authorization", None)
        response = await self._forward(request, **kwargs)
        if response.http_response.status_code == 401:
            self._tokens.forget()  # revoked or rotated: fetch a new one next time
        return response


def app_id_of(claims_identity: ClaimsIdentity) -> str:
    """The bot's app id as the SDK derives it: audience claim, else app id claim."""
    claims = claims_identity.claims if claims_identity is not None else {}
    value = claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
    if value is None:
        value = claims.get(AuthenticationConstants.APP_ID_CLAIM)
    return str(value or "")


class CachingConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """The SDK's connector factory, asked once per (app id, service URL, audience)."""

    def __init__(self, inner: ConnectorFactory, app_id: str, pool: ConnectorPool) -> None:
        self._inner = inner
        self._app_id = app_id
        self._pool = pool

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience or "")
        client = self._pool.get(key)
        if client is None:
            client = self._pool.adopt(await self._inner.create(service_url, audience))
            self._pool.put(key, client)
        return client


class LazyUserTokenClient(UserTokenClient):  # type: ignore[misc]
    """Builds the SDK's user token client on first use (never, for a bot without sign-in)."""

    def __init__(self, build: Callable[[], Awaitable[UserTokenClient]]) -> None:
        self._build = build
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._build()
        return self._client

    async def get_user_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_user_token(*args, **kwargs)

    async def get_sign_in_resource(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_sign_in_resource(*args, **kwargs)

    async def sign_out_user(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).sign_out_user(*args, **kwargs)

    async def get_token_status(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_token_status(*args, **kwargs)

    async def get_aad_tokens(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).get_aad_tokens(*args, **kwargs)

    async def exchange_token(self, *args: Any, **kwargs: Any) -> Any:
        return await (await self._real()).exchange_token(*args, **kwargs)


class FastBotFrameworkAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's authentication, with connector clients reused and the token client lazy."""

    def __init__(self, inner: BotFrameworkAuthentication, pool: ConnectorPool | None = None):
        self._inner = inner
        self.pool = pool or ConnectorPool()
        self._token_clients: dict[str, LazyUserTokenClient] = {}

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = CachingConnectorFactory(
                result.connector_factory, app_id_of(result.claims_identity), self.pool
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return CachingConnectorFactory(
            self._inner.create_connector_factory(claims_identity),
            app_id_of(claims_identity),
            self.pool,
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # The SDK's token client depends only on the app id, so one per app id serves every turn.
        app_id = app_id_of(claims_identity)
        client = self._token_clients.get(app_id)
        if client is None:
            inner = self._inner

            async def build() -> UserTokenClient:
                return await inner.create_user_token_client(claims_identity)

            client = self._token_clients.setdefault(app_id, LazyUserTokenClient(build))
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the shared HTTP session (at application shutdown)."""
        await self.pool.close()


async def close_connectors(adapter: Any) -> None:
    """Release an adapter's shared HTTP connections (at application shutdown)."""
    auth = getattr(adapter, "bot_framework_authentication", None)
    if isinstance(auth, FastBotFrameworkAuthentication):
        await auth.close()
