"""With credentials, every request is JWT-validated by the SDK against the configured identity
provider (a loopback fake speaking OpenID metadata + JWKS), and replies carry the bot's own token
from the OAuth2 client-credentials flow (MSAL against the fake's token endpoint)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, web
from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.settings import Settings, load_settings
from bot.teams.adapter import build_adapter
from bot.teams.http import messages_handler
from tests.conftest import DEMO_DIRECTORY
from tests.support.activities import SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.entra import FakeEntra, new_key

APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
SECRET = "test-only-client-secret"


def secured_settings(base: Settings, entra: FakeEntra, **extra: str) -> Settings:
    return load_settings(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": SECRET,
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppTenantId": TENANT,
            "AZURE_STORAGE_CONNECTION_STRING": base.storage_connection_string,
            "TABLE_PREFIX": base.table_prefix,
            "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": entra.channel_metadata_url,
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": "https://api.botframework.com",
            "TO_CHANNEL_FROM_BOT_LOGIN_URL": entra.authority(TENANT),
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": "https://api.botframework.com",
            # What start-up requires with an app id (#17, point 2): people and roles (here from
            # the demo file), an https public address and the real meldregeling page.
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            "BOT_PUBLIC_URL": "https://integriteitsbot.woongroen.example",
            "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
            **extra,
        },
        dotenv=None,
    )


class SecuredBot:
    def __init__(self, server: TestServer, session: ClientSession, connector: MockConnector,
                 service_url: str, entra: FakeEntra) -> None:  # fmt: skip
        self.server = server
        self.session = session
        self.connector = connector
        self.service_url = service_url
        self.entra = entra

    async def post(self, activity: dict[str, Any], token: str | None) -> ClientResponse:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await self.session.post(
            str(self.server.make_url("/api/messages")), json=activity, headers=headers
        )

    def token(self, **overrides: Any) -> str:
        return self.entra.channel_token(APP_ID, self.service_url, **overrides)


@pytest.fixture
async def secured(
    settings: Settings,
    entra: FakeEntra,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[SecuredBot]:
    entra.clients[APP_ID] = SECRET
    app = init_app(secured_settings(settings, entra))
    server = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    async with ClientSession() as session:
        yield SecuredBot(server, session, mock, service_url + "/", entra)


async def test_a_valid_token_is_accepted_and_the_reply_carries_the_bots_own_token(
    secured: SecuredBot,
) -> None:
    response = await secured.post(SANNE.message(secured.service_url, "hallo"), secured.token())
    assert response.status == 200
    [reply] = secured.connector.sent
    assert reply.card is not None
    [issued] = secured.entra.issued
    assert issued.client_id == APP_ID
    assert issued.scope == "https://api.botframework.com/.default"
    assert reply.authorization == f"Bearer {issued.access_token}"


async def test_the_outgoing_token_is_fetched_once_for_many_turns(secured: SecuredBot) -> None:
    for text in ("hallo", "menu", "help"):
        response = await secured.post(SANNE.message(secured.service_url, text), secured.token())
        assert response.status == 200
    assert len(secured.connector.sent) == 3
    assert secured.entra.token_requests == 1
    assert {sent.authorization for sent in secured.connector.sent} == {
        f"Bearer {secured.entra.issued[0].access_token}"
    }


REFUSALS: dict[str, Callable[[SecuredBot], str | None]] = {
    "wrong audience": lambda bot: bot.token(audience="11111111-2222-4333-8444-555555555555"),
    "wrong issuer": lambda bot: bot.token(issuer="https://sts.example.org/"),
    "expired": lambda bot: bot.token(lifetime=-3600),
    "bad signature": lambda bot: bot.token(key=new_key()),
    "alg none": lambda bot: bot.entra.unsigned_token(APP_ID, bot.service_url),
    "other serviceUrl": lambda bot: bot.entra.channel_token(APP_ID, "https://evil.example/"),
    "garbage": lambda bot: "not-a-jwt",
    "no token": lambda bot: None,
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_a_bad_or_missing_token_is_a_401_and_nothing_is_processed(
    secured: SecuredBot, case: str
) -> None:
    token = REFUSALS[case](secured)
    for activity in (
        SANNE.message(secured.service_url, "hallo"),
        SANNE.install(secured.service_url),
        SANNE.invoke(secured.service_url, "menu.open"),
    ):
        response = await secured.post(activity, token)
        assert response.status == 401, case
        assert await response.json() == {"error": "unauthorized"}
    assert secured.connector.sent == []
    stored = await secured.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id)
    assert stored is None
    assert secured.entra.token_requests == 0


async def test_a_scheme_other_than_bearer_is_a_401(secured: SecuredBot) -> None:
    response = await secured.session.post(
        str(secured.server.make_url("/api/messages")),
        json=SANNE.message(secured.service_url, "hallo"),
        headers={"Authorization": "Basic " + secured.token()},
    )
    assert response.status == 401
    assert secured.connector.sent == []


async def test_an_unreachable_identity_provider_is_a_503_not_a_401(
    settings: Settings,
    entra: FakeEntra,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    # Port 9 (discard) on loopback: nothing listens, the metadata fetch fails.
    unreachable = secured_settings(
        settings,
        entra,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL="http://127.0.0.1:9/.well-known/openidconfiguration",
    )
    server = await aiohttp_server(init_app(unreachable))
    mock, service_url = connector
    token = entra.channel_token(APP_ID, service_url + "/")
    async with ClientSession() as session:
        response = await session.post(
            str(server.make_url("/api/messages")),
            json=SANNE.message(service_url + "/", "hallo"),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status == 503
    assert mock.sent == []


async def test_a_failure_inside_an_authenticated_turn_is_a_500_not_a_401(
    settings: Settings,
    entra: FakeEntra,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    """PermissionError is what the SDK raises for bad tokens; raised by the bot after a valid
    token, it must not be reported to Teams as the caller's fault."""

    class FailingBot:
        async def on_turn(self, turn_context: object) -> None:
            raise PermissionError("the bot's own failure")

    adapter = build_adapter(secured_settings(settings, entra))
    adapter.on_turn_error = None  # let the failure reach the HTTP edge
    app = web.Application()
    app.router.add_post("/api/messages", messages_handler(adapter, FailingBot()))
    server = await aiohttp_server(app)
    _, service_url = connector
    token = entra.channel_token(APP_ID, service_url + "/")
    async with ClientSession() as session:
        response = await session.post(
            str(server.make_url("/api/messages")),
            json=SANNE.message(service_url + "/", "hallo"),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status == 500


async def test_without_credentials_local_mode_needs_no_token(bot: Any) -> None:
    # The contrast case: the foundation tests post without a token and are served.
    response = await bot.post(SANNE.message(bot.service_url, "hallo"))
    assert response.status == 200
    assert bot.connector.sent[0].authorization is None


OTHER_TENANT = "0a0b0c0d-1111-4222-8333-944445555666"


def from_other_tenant(activity: dict[str, Any]) -> dict[str, Any]:
    conversation = {**activity["conversation"], "tenantId": OTHER_TENANT}
    return {
        **activity,
        "conversation": conversation,
        "channelData": {"tenant": {"id": OTHER_TENANT}},
    }


async def test_a_valid_token_from_another_tenant_is_refused_before_anything_is_stored(
    secured: SecuredBot,
) -> None:
    """Reproduced before: a valid Bot Framework token with a foreign tenant was fully served
    (its reference and a data-leak report stored)."""
    for activity in (
        SANNE.install(secured.service_url),
        SANNE.message(secured.service_url, "hallo"),
        SANNE.invoke(secured.service_url, "dataleak.register"),
    ):
        response = await secured.post(from_other_tenant(activity), secured.token())
        assert response.status == 403
        assert "tenant" in (await response.json())["error"]
    assert secured.connector.sent == []
    services = secured.server.app[SERVICES]
    assert await services.conversations.get(OTHER_TENANT, SANNE.aad_id) is None
    assert await services.conversations.get(TENANT, SANNE.aad_id) is None


async def test_an_activity_from_another_channel_than_teams_is_refused(
    secured: SecuredBot,
) -> None:
    """Reproduced before: a `directline` activity with a chosen aadObjectId got the breach
    register (the real Bot Framework keys are endorsed for Direct Line too)."""
    secured.entra.endorsements = ["msteams", "directline", "webchat"]
    for activity in (
        SANNE.install(secured.service_url),
        SANNE.invoke(secured.service_url, "dataleak.register"),
    ):
        response = await secured.post({**activity, "channelId": "directline"}, secured.token())
        assert response.status == 403
        assert "channel" in (await response.json())["error"]
    assert secured.connector.sent == []
    assert await secured.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id) is None


async def test_our_own_tenant_in_teams_is_still_served(secured: SecuredBot) -> None:
    response = await secured.post(SANNE.install(secured.service_url), secured.token())
    assert response.status == 200
    assert await secured.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id) is not None
