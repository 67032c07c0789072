"""Two bot processes on one Azurite: no state between turns outside Table storage, so decisions
racing on both resolve to one. (The jobs' exactly-once is shown in tests/e2e/test_reminders.py.)"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.domain.requests import Status
from bot.storage.requests import RequestRepository
from bot.storage.tables import AzureTableStore
from infra.local.services import bot_args, free_port, spawn, stop, wait_for_port
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.flows import WINE, action, texts
from tests.support.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_bots(
    azurite_connection: str, table_prefix: str, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    ports = (free_port(), free_port())
    processes = []
    for n, port in enumerate(ports):
        env = {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection,
            "TABLE_PREFIX": table_prefix,
            "BOT_PORT": str(port),
            "DIRECTORY_FILE": str(ROOT / "infra" / "demo" / "directory.json"),
            # Two processes and Azurite share two cores here: this test is about the race, not
            # about Teams' few seconds, so a slow storage answer must not turn into "try again".
            "STORAGE_TIMEOUT_SECONDS": "30",
            # The background jobs (recovery, reminders, directory) are not what races here;
            # their exactly-once is shown in tests/e2e/test_reminders.py.
            "JOBS_INTERVAL_SECONDS": "0",
            "LOG_LEVEL": "DEBUG",
        }
        processes.append(spawn(bot_args(), env={**os.environ, **env}, log=tmp_path / f"bot{n}.log"))
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, 60, process)
        yield tuple(f"http://127.0.0.1:{p}/api/messages" for p in ports)  # type: ignore[misc]
    finally:
        for process in processes:
            stop(process)


@pytest.fixture
async def connector_server() -> AsyncIterator[tuple[MockConnector, str]]:
    mock = MockConnector()
    server = TestServer(mock.app(), host="127.0.0.1")
    await server.start_server()
    yield mock, str(server.make_url("/"))
    await server.close()


async def _post(session: ClientSession, url: str, activity: dict[str, object]) -> dict[str, object]:
    for _ in range(50):  # the second process may still be creating its tables
        response = await session.post(url, json=activity)
        if response.status != 503:
            break
        await asyncio.sleep(0.2)
    assert response.status == 200, await response.text()
    return await response.json() if response.content_type == "application/json" else {}


def _logs(folder: Path) -> str:
    """The two bots' logs, for a failure's message."""
    return "".join(f"\n--- {p.name}\n{p.read_text()[-4000:]}" for p in sorted(folder.glob("*.log")))


async def test_racing_decisions_on_two_processes_resolve_to_one(
    two_bots: tuple[str, str],
    connector_server: tuple[MockConnector, str],
    azurite_connection: str,
    table_prefix: str,
    tmp_path: Path,
) -> None:
    first, second = two_bots
    connector, service_url = connector_server
    async with ClientSession() as session:
        for user in (SANNE, PIETER):
            await _post(session, first, user.install(service_url))
        form = (await _post(session, second, SANNE.invoke(service_url, "gift.open")))["value"]
        data = {**action(form, "gift.submit")["data"], **WINE}  # type: ignore[arg-type]
        receipt = await _post(session, first, SANNE.invoke(service_url, "gift.submit", data))
        shown = texts(receipt["value"])  # type: ignore[arg-type]
        assert "staat bij Pieter" in shown, shown + _logs(tmp_path)
        [card] = [
            s.card
            for s in connector.to(PIETER.conversation_id)
            if s.card and s.method == "POST" and "van Sanne" in texts(s.card)
        ]
        pointer = action(card, "request.keep")["data"]
        answers = await asyncio.gather(
            _post(session, first, PIETER.invoke(service_url, "request.keep", pointer, "m1")),
            _post(session, second, PIETER.invoke(service_url, "request.give_back", pointer, "m1")),
            _post(session, second, PIETER.invoke(service_url, "request.keep", pointer, "m1")),
        )
    store = AzureTableStore(azurite_connection, table_prefix)
    try:
        repository = RequestRepository(store, KINDS)
        [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
        request = (await repository.get(TENANT, SANNE.aad_id, summary.id)).request  # type: ignore[union-attr]
    finally:
        await store.close()
    assert request.status in (Status.APPROVED, Status.DECLINED)
    assert [e.action for e in request.audit] == ["submitted", request.status.value]
    word = "Gezien door" if request.status is Status.APPROVED else "Besloten door"
    assert all(word in texts(a["value"]) for a in answers)  # type: ignore[arg-type]
    notices = [
        s for s in connector.to(SANNE.conversation_id) if s.card and "Besluit" in texts(s.card)
    ]
    assert len(notices) == 1
