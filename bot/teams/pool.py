"""The Bot Connector's connection pool: one aiohttp session and the connector clients on it.

`ConnectorPool.adopt` gives a connector client built by the SDK a msrest pipeline that sends on
the shared session (connection reuse, no thread hop), keeping msrest's user agent, deserializer
and logger policies, and adding two of ours: the bearer token (from `bot.tokens`, MSAL off the
event loop) and transport retries (the shared `bot.retry` policy).

The three calls every turn and proactive message makes (send to a conversation, reply, update
an activity) skip msrest's operation and pipeline machinery (`DirectConversations`): the same
URL, headers, body, token, retries and errors, sent straight on the session. msrest's request
building (a Python `eval` per URL part), its five policies and its response deserializer were
about an eighth of an approval's CPU (docs/benchmarks.md); every other call goes through msrest.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import quote, urljoin

import aiohttp
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import AuthenticationConstants
from botframework.connector.models import ErrorResponseException, ResourceResponse
from msrest.async_client import ServiceClientAsync
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.serialization import Deserializer
from msrest.universal_http.async_abc import AsyncClientResponse
from multidict import CIMultiDict

from bot.retry import Retry, RetryPolicy, retry_after
from bot.teams.codec import MODELS, ActivitySerializer
from bot.tokens import TokenMemo
from cards.render import card_json

MAX_CLIENTS = 256
# How long one request to the Bot Connector may take in all before it counts as failed (a time-out
# is retried by the notifier, so one hung request cannot hold a turn for more than this).
SEND_TIMEOUT_SECONDS = 30.0
# Credentials the SDK built (not ours, e.g. a managed identity) say nothing about expiry; every
# token MSAL hands out has at least five minutes left, so reusing one for four is safe.
FOREIGN_TOKEN_REUSE_SECONDS = 240.0
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUS = frozenset({408, 500, 502, 503, 504})
_TRANSPORT_ATTEMPTS = 4
T = TypeVar("T")


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
    """One aiohttp session (one connection pool) and the connector clients that share it.

    `sleep` is the wait between transport retries (tests record it instead of sleeping).
    """

    def __init__(
        self,
        max_clients: int = MAX_CLIENTS,
        timeout: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._clients: OrderedDict[tuple[str, str, str], ConnectorClient] = OrderedDict()
        self._max_clients = max_clients
        self._timeout = timeout  # None: SEND_TIMEOUT_SECONDS when the session is made
        self.retries = RetryPolicy(attempts=_TRANSPORT_ATTEMPTS, base_delay=0.2, sleep=sleep)

    def session(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop that will use it.
        if self._session is None or self._session.closed:
            total = SEND_TIMEOUT_SECONDS if self._timeout is None else self._timeout
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=total),
                connector=aiohttp.TCPConnector(limit=100, keepalive_timeout=30),
            )
        return self._session

    async def fetch(
        self, method: str, url: str, headers: dict[str, str], data: Any, request: Any = None
    ) -> BufferedResponse:
        """One request on the shared session, its whole answer read; a transport failure is a
        `ClientRequestError` (what callers of the stock `requests` transport catch), caused by
        aiohttp's error. `request`: msrest's, kept on the answer."""
        try:
            async with self.session().request(method, url, headers=headers, data=data) as answer:
                body = await answer.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise ClientRequestError(f"Error occurred in request: {error!r}") from error
        return BufferedResponse(request, answer.status, answer.reason or "", answer.headers, body)

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
        # msrest's public client and deserializer for the operations, not the SDK client's own
        # private ones; all of them send through `config.pipeline`, set below.
        service = ServiceClientAsync(config)
        tokens = _TokenPolicy(config.credentials)
        client.conversations = DirectConversations(
            service,
            config,
            ActivitySerializer(),
            Deserializer(MODELS),  # type: ignore[no-untyped-call]
            pool=self,
            tokens=tokens,
        )
        config.pipeline = AsyncPipeline(
            [
                config.user_agent_policy,
                tokens,
                _RetryPolicy(self.retries),
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


class DirectConversations(ConversationsOperations):  # type: ignore[misc]
    """The SDK's conversation operations, with send, reply and update sent directly.

    Same request as msrest's (URL, `x-ms-conversation-id` on a reply, JSON of
    `ActivitySerializer`, user agent, bearer token), same retries (`_transport_retries`,
    as the pipeline's), same answers: a `ResourceResponse`, or `ErrorResponseException` carrying the
    response (status, headers, body) for anything but 200/201/202. Calls with custom headers,
    `raw` or operation options, and every other operation, go through msrest as before.
    """

    def __init__(
        self,
        client: ServiceClientAsync,
        config: Any,
        serializer: ActivitySerializer,
        deserializer: Deserializer,
        *,
        pool: ConnectorPool,
        tokens: _TokenPolicy,
    ) -> None:
        super().__init__(client, config, serializer, deserializer)
        self._activities = serializer
        self._errors = deserializer
        self._pool = pool
        self._tokens = tokens
        self._base = str(config.base_url).rstrip("/") + "/"
        self._agent = str(config.user_agent)

    async def send_to_conversation(self, conversation_id: str, activity: Any, **kwargs: Any) -> Any:
        if kwargs:
            return await super().send_to_conversation(conversation_id, activity, **kwargs)
        return await self._send("POST", conversation_id, "", activity, reply=False)

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Any, **kwargs: Any
    ) -> Any:
        if kwargs:
            return await super().reply_to_activity(conversation_id, activity_id, activity, **kwargs)
        return await self._send("POST", conversation_id, activity_id, activity, reply=True)

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Any, **kwargs: Any
    ) -> Any:
        if kwargs:
            return await super().update_activity(conversation_id, activity_id, activity, **kwargs)
        return await self._send("PUT", conversation_id, activity_id, activity, reply=False)

    async def _send(
        self, method: str, conversation_id: str, activity_id: str, activity: Any, *, reply: bool
    ) -> ResourceResponse:
        if conversation_id is None or ((reply or method == "PUT") and activity_id is None):
            raise ValueError("No value for given attribute")  # what msrest's url() raises
        path = f"v3/conversations/{quote(str(conversation_id), safe='')}/activities"
        if reply or method == "PUT":
            path += "/" + quote(str(activity_id), safe="")
        url = urljoin(self._base, path)
        body = card_json(self._activities.body(activity, "Activity"))
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self._agent,
        }
        if reply:  # the SDK sends it with a reply only
            headers["x-ms-conversation-id"] = str(conversation_id)

        async def send() -> BufferedResponse:
            authorization = await self._tokens.authorization()
            if authorization:
                headers["Authorization"] = authorization
            response = await self._pool.fetch(method, url, headers, body)
            if response.status_code == 401:
                self._tokens.forget()
            return response

        response = await _transport_retries(
            self._pool.retries, method, send, lambda response: response
        )
        if response.status_code not in (200, 201, 202):
            raise ErrorResponseException(self._errors, response)
        found = json.loads(response.body() or b"{}")
        return ResourceResponse(id=found.get("id") if isinstance(found, dict) else None)


# The SDK's operations read their URL template from the method (`self.<op>.metadata`).
for _name in ("send_to_conversation", "reply_to_activity", "update_activity"):
    getattr(DirectConversations, _name).metadata = getattr(ConversationsOperations, _name).metadata


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
        response = await self._pool.fetch(
            http_request.method,
            http_request.url,
            dict(http_request.headers),
            http_request.data or None,
            http_request,
        )
        return Response(request, response)


class _Policy(AsyncHTTPPolicy[Any, Any]):
    async def _forward(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        assert self.next is not None, "a policy is always followed by the sender"
        response: Response[Any, Any] = await self.next.send(request, **kwargs)
        return response


class _PassingAnswer(Exception):
    """The last passing answer, handed back to the caller when the retries are used up."""

    def __init__(self, answer: Any) -> None:
        super().__init__("passing answer")
        self.answer = answer


async def _transport_retries(
    policy: RetryPolicy,
    method: str,
    send: Callable[[], Awaitable[T]],
    status_of: Callable[[T], BufferedResponse],
) -> T:
    """The transport retry rules of both paths (msrest's pipeline and `DirectConversations`),
    like the stock client's: a refused connection again for every method (nothing was sent),
    408/5xx again only for idempotent methods (a POST may have been delivered; whether to send
    it again is the notifier's call); Retry-After honoured (503). `send` raises
    `ClientRequestError` for transport failures, caused by aiohttp's error."""
    idempotent = method.upper() in _IDEMPOTENT

    async def attempt() -> T:
        try:
            answer = await send()
        except ClientRequestError as error:
            if isinstance(error.__cause__, aiohttp.ClientConnectorError):
                raise Retry(error) from error.__cause__
            raise
        response = status_of(answer)
        if idempotent and response.status_code in _RETRY_STATUS:
            wait = retry_after(response.status_code, response.headers)
            raise Retry(_PassingAnswer(answer), wait)
        return answer

    try:
        return await policy.call(attempt)
    except _PassingAnswer as last:
        passed: T = last.answer
        return passed


class _RetryPolicy(_Policy):
    """`_transport_retries` in msrest's pipeline."""

    def __init__(self, policy: RetryPolicy) -> None:
        super().__init__()
        self._policy = policy

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        return await _transport_retries(
            self._policy,
            request.http_request.method,
            lambda: self._forward(request, **kwargs),
            lambda response: response.http_response,
        )


class _TokenPolicy(_Policy):
    """The bot's bearer token on every request (none in local mode); a 401 fetches anew."""

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        # Like the SDK's AppCredentials: no app id (local mode) or an anonymous skill: no token.
        app_id = getattr(credentials, "microsoft_app_id", None)
        self._needed = bool(app_id) and app_id != AuthenticationConstants.ANONYMOUS_SKILL_APP_ID
        self._tokens = _memo(credentials) if self._needed else None

    async def authorization(self) -> str:
        """The Authorization header's value ("" when the bot sends none)."""
        return f"Bearer {await self._tokens.get()}" if self._tokens is not None else ""

    def forget(self) -> None:
        """The token was refused (401: revoked or rotated): fetch a new one next time."""
        if self._tokens is not None:
            self._tokens.forget()

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        headers = request.http_request.headers
        authorization = await self.authorization()
        if authorization:
            headers["Authorization"] = authorization
        else:
            headers.pop("Authorization", None)
        response = await self._forward(request, **kwargs)
        if response.http_response.status_code == 401:
            self.forget()
        return response


def _memo(credentials: Any) -> TokenMemo:
    """Ours (`CachingAppCredentials`) share MSAL's answer; the SDK's are asked in a thread."""
    memo = getattr(credentials, "memo", None)
    if callable(memo):
        found = memo()
        if isinstance(found, TokenMemo):
            return found
    return TokenMemo(lambda: (credentials.get_access_token(), FOREIGN_TOKEN_REUSE_SECONDS))
