"""Shared steps of the reliability tests: install people, declare, count what storage holds."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app import SERVICES
from bot.domain.requests import AuditEntry
from bot.storage.requests import INBOX, REQUESTS
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import SANNE, TENANT, TeamsUser
from tests.support.flows import click, open_flow

STORAGE_BANNER_NL = "Ik kan je gegevens nu niet opslaan"


async def install(bot: BotUnderTest, *users: TeamsUser) -> None:
    for user in users:
        response = await bot.post(user.install(bot.service_url))
        assert response.status == 200, await response.text()
    bot.connector.sent.clear()


async def declare(
    bot: BotUnderTest, fields: dict[str, str], user: TeamsUser = SANNE
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open the gift form and submit it; (the form, the card Teams shows after)."""
    form = await open_flow(bot, user, "gift.open")
    return form, await click(bot, user, form, "gift.submit", fields)


async def request_rows(bot: BotUnderTest) -> list[Any]:
    """Every request head in storage (not its audit rows), straight from the table."""
    store = bot.server.app[SERVICES].store
    rows = await store.scan(REQUESTS, {})
    return [r for r in rows if "|a|" not in r.row]


async def audit_rows(bot: BotUnderTest) -> list[AuditEntry]:
    """Every audit entry of every request in storage (each request keeps its trail inside it)."""
    services = bot.server.app[SERVICES]
    entries: list[AuditEntry] = []
    for head in await request_rows(bot):
        requester = str(head.data["RequesterId"])
        tenant = head.partition.split("|", 1)[0]
        stored = await services.requests.get(tenant, requester, head.row[2:])
        if stored is not None:
            entries += stored.request.audit
    return entries


async def inbox_rows(bot: BotUnderTest) -> list[Any]:
    rows = await bot.server.app[SERVICES].store.scan(INBOX, {})
    return list(rows)


async def stored_request(bot: BotUnderTest, user: TeamsUser = SANNE) -> Any:
    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, user.aad_id)
    stored = await repository.get(TENANT, user.aad_id, summary.id)
    assert stored is not None
    return stored.request


async def eventually(check: Any, seconds: float = 10.0) -> None:
    """Wait until `await check()` is true."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.05)
