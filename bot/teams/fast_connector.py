"""Connector clients built once per (app, service URL, audience), and a lazy token client.

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
  audience), so credentials and their token cache live as long as the process, and has the
  `ConnectorPool` (`bot.teams.pool`) adopt it: aiohttp transport, tokens, retries, and the
  direct activity codec (`bot.teams.codec`).
- `create_user_token_client` returns a lazy client that is built on first use: the bot uses no
  sign-in, so it is never built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.teams.pool import ConnectorPool


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
