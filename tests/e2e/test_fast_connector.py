"""The connector reuse at the edge: one client and one connection per service URL, tokens still
sent when an app id is configured, the token client never built, and Teams' errors intact."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AppCredentials,
    AuthenticationConstants,
    ClaimsIdentity,
    ServiceClientCredentialsFactory,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.app import SERVICES
from bot.settings import load_settings
from bot.teams.adapter import adapter_configuration
from bot.teams.fast_connector import FastBotFrameworkAuthentication
from bot.teams.pool import ConnectorPool
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import SANNE
from tests.support.capture import Capture, capture_server

APP_ID = "2b7c4f0e-9d1a-4c3b-8e5f-6a7b8c9d0e1f"


@dataclass
class Recorder:
    """A connector endpoint that records who called, with what token, and can fail."""

    calls: list[tuple[str, str, str]] = field(default_factory=list)  # method, auth, peer
    statuses: list[int] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.calls.append(
            (request.method, request.headers.get("Authorization", ""), str(peer and peer[1]))
        )
        status = self.statuses.pop(0) if self.statuses else 200
        if status != 200:
            return web.json_response(
                {"error": {"code": "x", "message": "y"}},
                status=status,
                headers={"Retry-After": "7"},
            )
        return web.json_response({"id": f"m{len(self.calls)}"})


@pytest.fixture
async def recorder(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/v3/conversations/{conversation}/activities", rec.handle)
    app.router.add_route("*", "/v3/conversations/{conversation}/activities/{id}", rec.handle)
    server = await aiohttp_server(app)
    yield rec, str(server.make_url("/"))


class FixedTokenCredentials(AppCredentials):  # type: ignore[misc]
    """The SDK's credentials base class with a token we know (instead of MSAL and Entra ID)."""

    def __init__(self, app_id: str) -> None:
        super().__init__(app_id=app_id)
        self.fetches = 0

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.fetches += 1
        return f"token-{self.fetches}"


class FixedCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    def __init__(self) -> None:
        self.created: list[FixedTokenCredentials] = []

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id: str, *args: Any, **kwargs: Any) -> AppCredentials:
        credentials = FixedTokenCredentials(app_id)
        self.created.append(credentials)
        return credentials


def bot_claims(app_id: str) -> ClaimsIdentity:
    return ClaimsIdentity(
        {
            AuthenticationConstants.AUDIENCE_CLAIM: app_id,
            AuthenticationConstants.APP_ID_CLAIM: app_id,
        },
        True,
    )


class Sleeps:
    """Records the waits between transport retries, without waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def fast_auth(
    factory: ServiceClientCredentialsFactory | None = None, sleeps: Sleeps | None = None
) -> Any:
    settings = load_settings({}, dotenv=None)
    sdk = ConfigurationBotFrameworkAuthentication(
        adapter_configuration(settings), credentials_factory=factory
    )
    return FastBotFrameworkAuthentication(sdk, ConnectorPool(sleep=sleeps or Sleeps()))


def message(text: str = "hi") -> Activity:
    return Activity(type="message", text=text)


async def test_turns_reuse_one_client_and_one_connection(bot: BotUnderTest) -> None:
    for _ in range(3):
        response = await bot.post(SANNE.message(bot.service_url, "hallo"))
        assert response.status == 200
    assert len(bot.connector.sent) == 3
    adapter = bot.server.app[SERVICES].notifier._adapter  # the app's only adapter
    pool = adapter.bot_framework_authentication.pool
    assert len(pool._clients) == 1
    session = pool.session()
    assert len(session.connector._conns) == 1  # one kept-alive connection, reused


async def test_with_an_app_id_every_request_carries_the_token_fetched_once(
    recorder: tuple[Recorder, str],
) -> None:
    rec, service_url = recorder
    factory = FixedCredentialsFactory()
    auth = fast_auth(factory)
    try:
        for _ in range(3):
            connector = await auth.create_connector_factory(bot_claims(APP_ID)).create(
                service_url, None
            )
            await connector.conversations.send_to_conversation("a:1", message())
        assert [auth_header for _, auth_header, _ in rec.calls] == ["Bearer token-1"] * 3
        assert len(factory.created) == 1  # one client, one credentials, one MSAL cache
        assert factory.created[0].fetches == 1
        assert len({peer for _, _, peer in rec.calls}) == 1  # one TCP connection
    finally:
        await auth.close()


async def test_without_an_app_id_no_token_is_sent(recorder: tuple[Recorder, str]) -> None:
    rec, service_url = recorder
    auth = fast_auth()
    try:
        connector = await auth.create_connector_factory(bot_claims("")).create(service_url, None)
        await connector.conversations.send_to_conversation("a:1", message())
        assert rec.calls[0][1] == ""
    finally:
        await auth.close()


async def test_a_429_reaches_the_caller_with_status_and_retry_after(
    recorder: tuple[Recorder, str],
) -> None:
    rec, service_url = recorder
    rec.statuses = [429]
    auth = fast_auth()
    try:
        connector = await auth.create_connector_factory(bot_claims("")).create(service_url, None)
        with pytest.raises(HttpOperationError) as caught:
            await connector.conversations.send_to_conversation("a:1", message())
        assert caught.value.response.status_code == 429
        assert caught.value.response.headers.get("Retry-After") == "7"
        assert len(rec.calls) == 1
    finally:
        await auth.close()


async def test_a_503_on_post_is_not_repeated_but_on_put_it_is(
    recorder: tuple[Recorder, str],
) -> None:
    rec, service_url = recorder
    sleeps = Sleeps()
    auth = fast_auth(sleeps=sleeps)
    try:
        connector = await auth.create_connector_factory(bot_claims("")).create(service_url, None)
        rec.statuses = [503]
        with pytest.raises(HttpOperationError):
            await connector.conversations.send_to_conversation("a:1", message())
        assert len(rec.calls) == 1  # a POST may have been delivered: the notifier decides
        rec.statuses = [503, 503]
        update = message("changed")
        update.id = "m1"
        await connector.conversations.update_activity("a:1", "m1", update)
        assert [method for method, _, _ in rec.calls[1:]] == ["PUT", "PUT", "PUT"]
        assert sleeps.seconds == [7.0, 7.0]  # each 503 said Retry-After: 7
    finally:
        await auth.close()


async def test_an_unreachable_connector_is_a_client_request_error() -> None:
    auth = fast_auth()
    try:
        connector = await auth.create_connector_factory(bot_claims("")).create(
            "http://127.0.0.1:9/", None
        )
        with pytest.raises(ClientRequestError):
            await connector.conversations.send_to_conversation("a:1", message())
    finally:
        await auth.close()


async def test_the_user_token_client_is_not_built_until_used() -> None:
    built: list[ClaimsIdentity] = []

    class Answering:
        async def get_user_token(self, *args: Any) -> str:
            return "user-token"

    class Spy(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
        async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
            built.append(claims_identity)  # stands in for the SDK's (which calls out to Azure)
            return Answering()

    auth = FastBotFrameworkAuthentication(
        Spy(adapter_configuration(load_settings({}, dotenv=None)))
    )
    first = await auth.create_user_token_client(bot_claims(""))
    second = await auth.create_user_token_client(bot_claims(""))
    assert first is second
    assert built == []
    assert await first.get_user_token("u", "conn", "msteams", None) == "user-token"
    assert await first.get_user_token("u", "conn", "msteams", None) == "user-token"
    assert len(built) == 1
    await auth.close()


@pytest.fixture
async def capture(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[Capture, str]]:
    yield await capture_server(aiohttp_server, "/teams/")


async def test_the_direct_calls_send_what_msrest_sends(capture: tuple[Capture, str]) -> None:
    # Send, reply and update, each once directly and once through msrest (custom headers take
    # the msrest path): the same method, path (a Teams thread id quoted the same), the SDK's
    # headers and the same JSON; and the same answer back.
    cap, service_url = capture
    factory = FixedCredentialsFactory()
    auth = fast_auth(factory)
    conversation = "19:abc@thread.tacv2;messageid=1700000000000"
    try:
        connector = await auth.create_connector_factory(bot_claims(APP_ID)).create(
            service_url, None
        )
        operations = connector.conversations
        activity = message("Jouw melding CAD-1 is goedgekeurd [ok]")
        activity.attachments = []
        answers = []
        for extra in ({}, {"custom_headers": {"x-test": "msrest"}}):
            answers.append(await operations.send_to_conversation(conversation, activity, **extra))
            answers.append(
                await operations.reply_to_activity(conversation, "m/1", activity, **extra)
            )
            answers.append(await operations.update_activity(conversation, "m 1", activity, **extra))
    finally:
        await auth.close()
    direct, through_msrest = cap.seen[:3], cap.seen[3:]
    for (method, path, headers, body), (m_method, m_path, m_headers, m_body) in zip(
        direct, through_msrest, strict=True
    ):
        assert (method, path, body) == (m_method, m_path, m_body)
        for name in ("Authorization", "Content-Type", "Accept", "x-ms-conversation-id"):
            assert headers.get(name) == m_headers.get(name), name
        assert headers["User-Agent"] == m_headers["User-Agent"]
    # (aiohttp's URL type leaves characters a path may hold as they are; "/" and " " stay quoted)
    thread = "/teams/v3/conversations/19:abc@thread.tacv2;messageid=1700000000000/activities"
    assert [path for _, path, _, _ in direct] == [thread, f"{thread}/m%2F1", f"{thread}/m%201"]
    assert [a.id for a in answers[:3]] == ["m1", "m2", "m3"]
    assert [a.id for a in answers[3:]] == ["m4", "m5", "m6"]


async def test_a_refused_token_is_fetched_anew_for_the_next_direct_call(
    capture: tuple[Capture, str],
) -> None:
    cap, service_url = capture
    cap.statuses = [401]
    factory = FixedCredentialsFactory()
    auth = fast_auth(factory)
    try:
        connector = await auth.create_connector_factory(bot_claims(APP_ID)).create(
            service_url, None
        )
        with pytest.raises(HttpOperationError) as caught:
            await connector.conversations.send_to_conversation("a:1", message())
        assert caught.value.response.status_code == 401
        await connector.conversations.send_to_conversation("a:1", message())
    finally:
        await auth.close()
    assert [headers["Authorization"] for _, _, headers, _ in cap.seen] == [
        "Bearer token-1",
        "Bearer token-2",
    ]
