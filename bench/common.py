"""What every scenario shares: the scenario table and its decorator, the bench's tenant and
people, Teams-shaped activities, and how a bot under test is started."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientSession

from bench.run import Bench, Measurement

Scenario = Callable[[Bench, str, str], Awaitable[Measurement]]
SCENARIOS: dict[str, tuple[Scenario, str]] = {}

TENANT = "6d1f3a52-8c4e-4b7a-9e21-5f0c3d8b7a10"
BOT = {"id": "28:integriteitsbot", "name": "Integriteitsbot"}
CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hoi"}]}


def scenario(key: str, title: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[key] = (function, title)
        return function

    return register


def user_id(i: int) -> str:
    return str(uuid.UUID(int=i + 1))


def activity(service_url: str, person: str, kind: str, activity_id: str) -> dict[str, Any]:
    """The parts every Teams activity from `person` in their personal chat shares."""
    return {
        "type": kind,
        "id": activity_id,
        "timestamp": "2026-11-29T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{person}", "name": "Bench Gebruiker", "aadObjectId": person},
        "recipient": BOT,
        "conversation": {
            "id": f"a:bench-{person}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "nl-NL",
    }


def messages(service_url: str, users: int = 50) -> Callable[[int], dict[str, Any]]:
    """Teams-shaped message activities from `users` people in turn, one per call."""

    def make(i: int) -> dict[str, Any]:
        return {
            **activity(service_url, user_id(i % users), "message", f"bench-{i}"),
            "text": "hallo",
        }

    return make


def bot_env(bench: Bench) -> dict[str, str]:
    return {
        "BOT_PORT": "0",  # replaced by a free port
        "AZURE_STORAGE_CONNECTION_STRING": bench.azurite(),
        "TABLE_PREFIX": "bench" + uuid.uuid4().hex[:8],
        "DEBUG_COUNTERS": "1",
        # Background jobs (reminders, recovery, retention) would scan the seeded tables during
        # the measured window and be counted as the turns' storage requests.
        "JOBS_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "MicrosoftAppId": "",
    }


async def wait_healthy(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with ClientSession() as session:
        while time.monotonic() < deadline:
            async with session.get(url + "/healthz") as response:
                if response.status == 200:
                    return
            await asyncio.sleep(0.2)
    raise TimeoutError("the bot never became healthy")


def _reference(service_url: str, person: str) -> str:
    return json.dumps(
        {
            "activityId": None,
            "user": {"id": f"29:{person}", "aadObjectId": person},
            "bot": BOT,
            "conversation": {
                "id": f"a:fan-{person}",
                "conversationType": "personal",
                "tenantId": TENANT,
            },
            "channelId": "msteams",
            "locale": "nl-NL",
            "serviceUrl": service_url + "/",
        }
    )
