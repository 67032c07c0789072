"""The once-per-deployment migration that gives older requests their register copies runs on one
instance, once."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.app import SERVICES
from bot.services.migrations import REGISTER_COPIES_DONE, copy_to_registers
from bot.storage.requests import REQUESTS, TRAIL, _request_columns
from tests.e2e.conftest import BotUnderTest
from tests.integration.test_requests import a_request


async def test_older_requests_are_copied_once_across_instances(bot: BotUnderTest) -> None:
    services = bot.server.app[SERVICES]
    for n in range(3):
        old = dataclasses.replace(a_request(f"CAD-OLD{n}"), tenant_id="tenant")
        head = {k: v for k, v in _request_columns(old).items() if not k.startswith(TRAIL)}
        await services.store.insert(REQUESTS, "tenant|sanne", f"r|{old.id}", head)

    done = await asyncio.gather(copy_to_registers(services), copy_to_registers(services))

    assert sorted(done) == [0, 3]
    assert await services.leases.held_for_good(REGISTER_COPIES_DONE)
    assert len(await services.requests.register("tenant", "gift", old.created_at.year)) == 3
    assert await copy_to_registers(services) == 0
