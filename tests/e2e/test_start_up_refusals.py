"""Start refuses what cannot work (issue #17, point 2): with an app id, the app does not start
when the privacy office, the HR advisors or the integrity officer cannot be resolved, and the
message names the setting to fix. (Settings that are wrong on their own, such as an http
BOT_PUBLIC_URL or the placeholder MELDREGELING_URL, are refused when they are read:
tests/unit/test_settings.py, and `python -m bot` below.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.app import READY, init_app
from bot.domain.people import Role
from bot.services.directory_sync import StartupRefused
from bot.settings import Settings
from tests.conftest import DEMO_DIRECTORY, ROOT
from tests.support.directory import APP_ID, GROUPS, SECRET, fill_graph, production_settings
from tests.support.entra import FakeEntra
from tests.support.graph import FakeGraph, served

FATIMA = "0f6c2a10-1111-4a1e-9c01-000000000004"
EMPTY_GROUP = "9a000000-0000-4000-8000-0000000000ee"


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    fake, url = await served(entra, aiohttp_server, (APP_ID, SECRET))
    fill_graph(fake)
    return fake, url


async def refused(settings: Settings, aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    with pytest.raises(StartupRefused) as raised:
        await aiohttp_server(init_app(settings))
    return str(raised.value)


async def test_an_empty_hr_group_stops_start_up_naming_its_setting(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    environment = production_settings(settings, entra, graph[1], GROUP_HR_ID=EMPTY_GROUP)
    message = await refused(environment, aiohttp_server)
    assert message.startswith("GROUP_HR_ID:") and EMPTY_GROUP in message


async def test_a_privacy_group_of_disabled_accounts_stops_start_up(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    graph[0].put_user(FATIMA, accountEnabled=False)  # the privacy group's only member
    message = await refused(production_settings(settings, entra, graph[1]), aiohttp_server)
    assert message.startswith("GROUP_PRIVACY_OFFICER_ID:")


async def test_filling_the_group_and_starting_again_works_at_once(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    """The refused start did a round; the restart right after finds the new member anyway."""
    fake, url = graph
    fake.remove_member(GROUPS[Role.INTEGRITY_OFFICER], "0f6c2a10-1111-4a1e-9c01-000000000006")
    environment = production_settings(settings, entra, url)
    assert (await refused(environment, aiohttp_server)).startswith("GROUP_INTEGRITY_OFFICER_ID:")
    fake.add_member(GROUPS[Role.INTEGRITY_OFFICER], "0f6c2a10-1111-4a1e-9c01-000000000006")
    app = init_app(environment)
    await aiohttp_server(app)
    assert app[READY].is_set()


async def test_a_refused_graph_token_stops_start_up_naming_the_secret(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    environment = production_settings(settings, entra, graph[1], MicrosoftAppPassword="wrong")
    message = await refused(environment, aiohttp_server)
    assert message.startswith("MicrosoftAppPassword:") and "invalid_client" in message


async def test_missing_graph_permissions_stop_start_up_naming_them(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    graph[0].fail_next(403)
    message = await refused(production_settings(settings, entra, graph[1]), aiohttp_server)
    assert "User.Read.All" in message and "GroupMember.Read.All" in message


async def test_a_directory_file_without_an_integrity_officer_stops_start_up(
    settings: Settings,
    entra: FakeEntra,
    tmp_path: Path,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    raw = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    for person in raw["people"]:
        person["roles"] = [r for r in person.get("roles", []) if r != "integrity_officer"]
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(raw), "utf-8")
    environment = production_settings(settings, entra, DIRECTORY_FILE=str(path))
    message = await refused(environment, aiohttp_server)
    assert message.startswith("DIRECTORY_FILE:") and "integrity_officer" in message


async def test_the_demo_directory_file_with_an_app_id_starts(
    settings: Settings, entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> None:
    environment = production_settings(settings, entra, DIRECTORY_FILE=str(DEMO_DIRECTORY))
    app = init_app(environment)
    await aiohttp_server(app)
    assert app[READY].is_set()


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"BOT_PUBLIC_URL": ""}, "BOT_PUBLIC_URL"),
        ({"BOT_PUBLIC_URL": "http://integriteitsbot.woongroen.example"}, "BOT_PUBLIC_URL"),
        ({"MELDREGELING_URL": ""}, "MELDREGELING_URL"),  # the default: the placeholder
        ({"GROUP_PRIVACY_OFFICER_ID": ""}, "GROUP_PRIVACY_OFFICER_ID"),
    ],
)
def test_python_m_bot_stops_with_a_message_naming_the_setting(
    environ: dict[str, str], named: str, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": SECRET,
        "MicrosoftAppTenantId": "6d1f3a52-8c4e-4b7a-9e21-5f0c3d8b7a10",
        "BOT_PUBLIC_URL": "https://integriteitsbot.woongroen.example",
        "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
        **{f"GROUP_{role.value.upper()}_ID": group for role, group in GROUPS.items()},
    }
    env.update(environ)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        env={k: v for k, v in env.items() if v},
        cwd=tmp_path,  # no .env there
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {named} "), result.stderr
