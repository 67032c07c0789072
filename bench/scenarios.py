"""The scenarios. Adding one is one function: `@scenario(key, title)` on
`async def s(bench, key, title) -> Measurement`, usually starting a process with
`bench.process(...)` and measuring it with `bench.turns(...)`.

Scenarios d, e and f (the approval engine and the personal registers) live in `bench/flows.py`.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientSession

from bench.load import percentile
from bench.proc import usage
from bench.run import Bench, Measurement, _measurement

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


@scenario("a", "stock botbuilder echo, one card (baseline)")
async def stock_echo(bench: Bench, key: str, title: str) -> Measurement:
    async with bench.process(key, ["bench.echo_stock"]) as bot:
        return await bench.turns(key, title, bot, messages(bench.connector_url + "/"))


@scenario("a2", "same echo, our fast_connector at the edge")
async def fast_echo(bench: Bench, key: str, title: str) -> Measurement:
    async with bench.process(key, ["bench.echo_stock", "--fast"]) as bot:
        return await bench.turns(key, title, bot, messages(bench.connector_url + "/"))


@scenario("b", "raw aiohttp echo, same HTTP work (floor)")
async def raw_echo(bench: Bench, key: str, title: str) -> Measurement:
    async with bench.process(key, ["bench.echo_raw"]) as bot:
        return await bench.turns(key, title, bot, messages(bench.connector_url + "/"))


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


@scenario("c", "our bot: message -> menu card (Azurite)")
async def our_menu(bench: Bench, key: str, title: str) -> Measurement:
    async with bench.process(key, ["bot"], env=bot_env(bench)) as bot:
        bot.counters_url = bot.url + "/_debug/counters"
        await wait_healthy(bot.url)
        return await bench.turns(key, title, bot, messages(bench.connector_url + "/"))


@scenario("g", "fan-out: proactive cards, Teams limits (per message)")
async def fan_out_scenario(bench: Bench, key: str, title: str) -> Measurement:
    """N proactive cards through TeamsNotifier, in this process, to a rate-limiting connector."""
    import os

    from bot.services.fanout import fan_out
    from bot.settings import load_settings
    from bot.storage.repositories import CONVERSATIONS, TABLES, ConversationReferences
    from bot.storage.store import Write
    from bot.storage.tables import AzureTableStore
    from bot.teams.adapter import build_adapter
    from bot.teams.fast_connector import close_connectors
    from bot.teams.proactive import TeamsNotifier, teams_limiter

    count = bench.options.fanout
    requests = 0

    def on_request() -> None:
        nonlocal requests
        requests += 1

    with bench.connector(teams_limits=True) as limited_url:
        store = AzureTableStore(bench.azurite(), "fan" + uuid.uuid4().hex[:8], on_request)
        await store.ensure_tables(TABLES)
        people = [user_id(i) for i in range(count)]
        for start in range(0, count, 100):  # seed the references, 100 per transaction
            writes = [
                Write(
                    "upsert",
                    person,
                    {"Reference": _reference(limited_url, person), "Locale": "nl-NL"},
                )
                for person in people[start : start + 100]
            ]
            await store.transact(CONVERSATIONS, TENANT, writes)
        settings = load_settings({}, dotenv=None)  # the production pace (45/s), not the env's
        adapter = build_adapter(settings)
        limiter = teams_limiter(settings.teams_sends_per_second)
        notifier = TeamsNotifier(adapter, "", ConversationReferences(store), limiter)
        latencies: list[float] = []

        async def send(person: str) -> None:
            started = time.perf_counter()
            await notifier.send_card(TENANT, person, CARD)
            latencies.append(time.perf_counter() - started)

        requests = 0
        before = usage(os.getpid())
        result = await fan_out(people, send, concurrency=bench.options.concurrency)
        after = usage(os.getpid())
        async with ClientSession() as session:
            stats = await (await session.get(limited_url + "/_stats")).json()
        await close_connectors(adapter)
        await store.close()
    delivered = int(stats["conversations_delivered"])
    return _measurement(
        key,
        title,
        result.sent,
        len(result.failed),
        lost=count - delivered,
        seconds=result.seconds,
        latencies=(percentile(latencies, 50), percentile(latencies, 99)),
        before=before,
        after=after,
        storage=requests,
        extra={
            "sustained rate": f"{result.rate:.1f}/s = {result.rate / 50:.2f} x Teams' 50/s limit",
            "messages": f"{count} asked, {delivered} delivered, {len(result.failed)} failed",
            "429s": f"{stats['throttled']} received, {stats['unretried_429']} left unretried",
            "note": "CPU and latency are of the sending process; latency includes pacing",
        },
    )


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


# d, e: the approval engine; f: storage per screen (registered on import).
from bench import flows as _flows  # noqa: E402, F401
from bench import screens as _screens  # noqa: E402, F401
