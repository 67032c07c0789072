"""Local mode and tests: the directory file marks someone inactive; at the next start their
pending requests move like those of someone who left Entra ID (docs/directory.md)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import background_jobs
from bot.domain.requests import ApproverRole
from bot.services.jobs import run_pass
from bot.settings import Settings
from tests.conftest import DEMO_DIRECTORY
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.flows import WINE, click, open_flow
from tests.support.leaks import Clock, services_of, start_bot


async def test_an_approver_marked_inactive_in_the_file_hands_over_at_the_next_start(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    session: ClientSession,
    clock: Clock,
    tmp_path: Path,
) -> None:
    first = await start_bot(settings, connector, aiohttp_server, session, clock)
    for user in (SANNE, PIETER, LOTTE):
        await first.post(user.install(first.service_url))
    await click(first, SANNE, await open_flow(first, SANNE, "gift.open"), "gift.submit", WINE)
    [summary] = await services_of(first).requests.for_requester(TENANT, SANNE.aad_id)
    before = await run_pass(background_jobs(services_of(first)))
    assert before["directory"] == 0  # nothing to move while everyone is active

    raw = json.loads(DEMO_DIRECTORY.read_text("utf-8"))
    for person in raw["people"]:
        if person["id"] == PIETER.aad_id:
            person["active"] = False
    changed = tmp_path / "directory.json"
    changed.write_text(json.dumps(raw), "utf-8")
    second = await start_bot(
        replace(settings, directory_file=changed), connector, aiohttp_server, session, clock
    )
    first.connector.sent.clear()
    done = await run_pass(background_jobs(services_of(second)))

    assert done["directory"] == 1
    services = services_of(second)
    stored = await services.requests.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    assert (stored.request.approver.id, stored.request.approver_role) == (
        LOTTE.aad_id,
        ApproverRole.FALLBACK,
    )
    assert await services.requests.waiting(TENANT, PIETER.aad_id) == []
    assert len(second.connector.to(LOTTE.conversation_id)) == 1
    assert (await run_pass(background_jobs(services)))["directory"] == 0  # handled once


async def test_healthz_says_the_directory_came_from_the_file_and_when(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    session: ClientSession,
    clock: Clock,
) -> None:
    bot = await start_bot(settings, connector, aiohttp_server, session, clock)
    async with session.get(bot.server.make_url("/healthz")) as response:
        assert response.status == 200
        directory = (await response.json())["directory"]
    people = len(json.loads(DEMO_DIRECTORY.read_text("utf-8"))["people"])
    assert directory == {
        "source": "file",
        "lastSync": clock.now.isoformat(),
        "ageSeconds": 0,
        "people": people,
    }
