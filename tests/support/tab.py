"""The bot with credentials and the tab's sign-on pointed at the loopback identity provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer

from bot.settings import Settings
from tests.e2e.test_authentication import APP_ID, SECRET, secured_settings
from tests.support.activities import PIETER, SANNE, TENANT, TeamsUser
from tests.support.connector import MockConnector
from tests.support.entra import FakeEntra
from tests.support.graph import FakeGraph

HOST = "integriteitsbot.woongroen.example"
RESOURCE = f"api://{HOST}/{APP_ID}"  # the manifest's webApplicationInfo.resource
OTHER_TENANT = "11111111-2222-4333-8444-555555555555"


def tab_settings(base: Settings, entra: FakeEntra, graph_url: str) -> Settings:
    """Credentials, the loopback identity provider for the channel, the tab's sign-on and the
    Graph app token, and the loopback Graph for the manager lookup."""
    entra.clients[APP_ID] = SECRET
    return secured_settings(
        base,
        entra,
        TAB_SSO_AUTHORITY=entra.base_url,
        GRAPH_LOGIN_URL=entra.base_url,
        GRAPH_BASE_URL=graph_url,
    )


async def start_graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> str:
    """The loopback Graph, where Sanne's manager is Pieter (as in the demo directory)."""
    graph = FakeGraph(entra)
    graph.managers[SANNE.aad_id] = {
        "id": PIETER.aad_id,
        "displayName": PIETER.name,
        "mail": "pieter.bakker@woongroen.example",
        "jobTitle": "Teamleider",
    }
    server = await aiohttp_server(graph.app())
    return str(server.make_url("")).rstrip("/")


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
