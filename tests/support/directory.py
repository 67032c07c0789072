"""Woongroen's directory in the loopback Graph, and the settings of a bot deployed with an app id.

`fill_graph` puts the demo directory (infra/demo/directory.json) into a `FakeGraph`: its people as
users, its managers for `GET /users/{id}/manager`, its roles as members of one security group
per role (`GROUPS`). `production_settings` are the settings a real deployment has (app id,
secret, tenant, the role groups, an https public address, the real meldregeling page), pointed
at the loopback identity provider and Graph.
"""

from __future__ import annotations

import json
from typing import Any

from bot.domain.people import Role
from bot.settings import Settings, load_settings, role_group_variable
from tests.conftest import DEMO_DIRECTORY
from tests.support.activities import TENANT
from tests.support.entra import FakeEntra
from tests.support.graph import FakeGraph

APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
SECRET = "test-only-client-secret"
PUBLIC_URL = "https://integriteitsbot.woongroen.example"
MELDREGELING = "https://intranet.woongroen.example/meldregeling"

# One Entra ID security group per role (object ids).
GROUPS: dict[Role, str] = {
    Role.DIRECTOR: "9a000000-0000-4000-8000-000000000001",
    Role.RVC_CHAIR: "9a000000-0000-4000-8000-000000000002",
    Role.PRIVACY_OFFICER: "9a000000-0000-4000-8000-000000000003",
    Role.PRIVACY_DEPUTY: "9a000000-0000-4000-8000-000000000004",
    Role.HR: "9a000000-0000-4000-8000-000000000005",
    Role.INTEGRITY_OFFICER: "9a000000-0000-4000-8000-000000000006",
    Role.SECRETARIAT: "9a000000-0000-4000-8000-000000000007",
    Role.PROCUREMENT: "9a000000-0000-4000-8000-000000000008",
    Role.LETTING_SALES: "9a000000-0000-4000-8000-000000000101",
    Role.COMMUNICATIONS: "9a000000-0000-4000-8000-000000000102",
}


def demo_people() -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = json.loads(DEMO_DIRECTORY.read_text("utf-8"))["people"]
    return people


def fill_graph(fake: FakeGraph) -> None:
    """The demo directory as Entra ID holds it."""
    people = demo_people()
    by_id = {p["id"]: p for p in people}
    for person in people:
        fake.put_user(
            person["id"],
            displayName=person["name"],
            mail=person["email"],
            department=person["department"],
            jobTitle="Medewerker",
            accountEnabled=True,
        )
        for role in person.get("roles", []):
            fake.add_member(GROUPS[Role(role)], person["id"])
        manager = by_id.get(person.get("managerId") or "")
        if manager is not None:
            fake.managers[person["id"]] = {
                "id": manager["id"],
                "displayName": manager["name"],
                "mail": manager["email"],
            }


def group_settings(groups: dict[Role, str] | None = None) -> dict[str, str]:
    return {role_group_variable(role): group for role, group in (groups or GROUPS).items()}


def production_settings(
    base: Settings, entra: FakeEntra, graph_url: str = "", **extra: str
) -> Settings:
    """Settings of a deployment with an app id (directory from Graph unless `extra` gives a
    DIRECTORY_FILE), on the test's own tables."""
    environ = {
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
        "GRAPH_LOGIN_URL": entra.base_url,
        "BOT_PUBLIC_URL": PUBLIC_URL,
        "MELDREGELING_URL": MELDREGELING,
        "JOBS_INTERVAL_SECONDS": "0",
        **({"GRAPH_BASE_URL": graph_url} if graph_url else {}),
        **group_settings(),
    }
    environ.update(extra)
    return load_settings({k: v for k, v in environ.items() if v}, dotenv=None)
