"""The bot with credentials and the tab's sign-on pointed at the loopback identity provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer

from bot.settings import Settings
from tests.e2e.test_authentication import APP_ID, SECRET, secured_settings
from tests.support.activities import TENANT, TeamsUser
from tests.support.connector import MockConnector
from tests.support.entra import FakeEntra

HOST = "integriteitsbot.woongroen.example"
RESOURCE = f"api://{HOST}/{APP_ID}"  # the manifest's webApplicationInfo.resource
OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


def tab_settings(base: Settings, entra: FakeEntra) -> Settings:
    entra.clients[APP_ID] = SECRET
    return secured_settings(base, entra, TAB_SSO_AUTHORITY=entra.base_url)


@dataclass
class TabBot:
    server: TestServer
    session: ClientSession
    connector: MockConnector
    service_url: str
    entra: FakeEntra

    def url(self, path: str) -> str:
        return str(self.server.make_url(path))

    def sso(self, user: TeamsUser, **overrides: Any) -> str:
        """The token TeamsJS would give `user`'s tab."""
        tenant = overrides.pop("tenant", TENANT)
        audience = overrides.pop("audience", RESOURCE)
        return self.entra.sso_token(tenant, user.aad_id, audience, name=user.name, **overrides)

    def channel(self) -> str:
        return self.entra.channel_token(APP_ID, self.service_url)

    async def post(self, activity: dict[str, Any]) -> ClientResponse:
        headers = {"Authorization": f"Bearer {self.channel()}"}
        return await self.session.post(self.url("/api/messages"), json=activity, headers=headers)

    async def get(self, path: str, token: str | None) -> ClientResponse:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return await self.session.get(self.url(path), headers=headers)
