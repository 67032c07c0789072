"""Scenarios a, a2, b, c and g: the echo baselines, the menu turn and the fan-out. Adding one
is one function: `@scenario(key, title)` (bench.common) on `async def s(bench, key, title) ->
Measurement`, usually starting a process with `bench.process(...)` and measuring it with
`bench.turns(...)`; list its module in bench/catalog.py.

Scenarios d and e (the approval engine) are in `bench/flows.py`, f (storage per screen) in
`bench/screens.py`.
"""

from __future__ import annotations

import time
import uuid

from aiohttp import ClientSession

from bench.common import (
    CARD,
    TENANT,
    _reference,
    bot_env,
    messages,
    scenario,
    user_id,
    wait_healthy,
)
from bench.load import percentile
from bench.proc import usage
from bench.run import Bench, Measurement, _measurement


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
