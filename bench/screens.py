"""Scenario f: what each screen costs in storage, the way Azure bills it, at 1,000 and at 100,000
records (`--records`), counted at the transport by the bot itself (`DEBUG_COUNTERS=1`,
bot/storage/metering.py).

Per size: seed through the repository (bench/seeding.py), start the bot, open every screen
once to warm it, then `REPEATS` times as the right person over the real invoke; per open, the
storage requests, pages and entities the bot's storage client was answered, and the latency
(Azurite's, for information: the emulator filters every row for every query, Azure does not).
The target is the ratio of entities and pages between the largest and the smallest size.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from bench.common import TENANT, bot_env, scenario, user_id, wait_healthy
from bench.flows import invoke, seeded_store
from bench.load import percentile
from bench.proc import usage
from bench.run import Bench, Bot, Measurement, _measurement
from bench.seeding import BLOCK, KINDS, THIS_YEAR, Block, seed_in_processes

REPEATS = 2
TARGET = 1.5
OFFICER = user_id(3_000_000)  # integrity officer: every register and the overview
REFUSALS = ("zijn alleen voor", "is alleen voor", "niet bereikbaar")
COUNTED = ("requests", "reads", "writes", "pages", "entities", "point_reads")


class Refused(RuntimeError):
    """The bot answered a screen with its error card."""


@dataclass(frozen=True)
class Screen:
    name: str
    person: str
    verb: str
    data: dict[str, str]


@dataclass
class Cost:
    """One screen at one size: storage per open (the mean of REPEATS, which agree) and latency."""

    counts: dict[str, float]
    latencies_ms: list[float]
    tables: dict[str, int]  # entities returned per table, per open

    def line(self) -> str:
        c = self.counts
        latency = percentile(self.latencies_ms, 50) or 0.0
        return (
            f"{c['requests']:.0f} requests ({c['reads']:.0f} reads: {c['pages']:.0f} pages, "
            f"{c['point_reads']:.0f} point reads; {c['writes']:.0f} writes), "
            f"{c['entities']:,.0f} entities ({self.by_table()}); Azurite p50 {latency:.0f} ms"
        )

    def by_table(self) -> str:
        return ", ".join(f"{n:,} {table}" for table, n in sorted(self.tables.items()))


def screens() -> list[Screen]:
    block = Block(0)
    year = str(THIS_YEAR)
    out = [
        Screen("mijn meldingen", block.requester(0), "mine.open", {}),
        Screen("openstaand", block.approver(0), "pending.open", {}),
    ]
    out += [
        Screen(f"register {kind} {year}", OFFICER, "register.show", {"kind": kind, "year": year})
        for kind in KINDS
    ]
    out.append(Screen(f"overview {year}", OFFICER, "overview.open", {"year": year}))
    return out


def directory_file(bench: Bench) -> str:
    """Block 0's people and the integrity officer: the same directory at every size. The bot
    loads it in order after /healthz answers, so the officer comes last: once the registers let
    them in, the loading (and its writes) is over."""
    block = Block(0)
    people: list[dict[str, Any]] = [
        {"id": block.approver(i), "name": f"Leidinggevende {i}", "department": f"Team {i}"}
        for i in range(50)
    ]
    people += [
        {
            "id": block.requester(i),
            "name": f"Medewerker {i}",
            "department": f"Team {i % 5}",
            "managerId": block.approver(i),
        }
        for i in range(50)
    ]
    people.append({"id": OFFICER, "name": "Integriteit", "roles": ["integrity_officer"]})
    path = bench.workdir / "directory-screens.json"
    path.write_text(json.dumps({"tenantId": TENANT, "people": people}), encoding="utf-8")
    return str(path)


@scenario("f", "screens: storage per screen (entities, pages), 1k vs 100k records")
async def screen_costs(bench: Bench, key: str, title: str) -> Measurement:
    sizes = sorted(bench.options.records)
    costs: dict[int, dict[str, Cost]] = {}
    seeding: dict[int, float] = {}
    latencies: list[float] = []
    cpu = 0.0
    first = last = None
    for size in sizes:
        env = bot_env(bench)
        env["DIRECTORY_FILE"] = directory_file(bench)
        store = await seeded_store(bench, env["TABLE_PREFIX"])
        await store.close()
        seeding[size] = await seed_in_processes(bench.azurite(), env["TABLE_PREFIX"], size)
        async with bench.process(f"{key}-{size}", ["bot"], env=env) as bot:
            bot.counters_url = bot.url + "/_debug/counters"
            await wait_healthy(bot.url)
            before = usage(bot.pid)
            costs[size] = await _open_screens(bench, bot, env["TABLE_PREFIX"])
            after = usage(bot.pid)
            first = first or before
            last = after
            cpu += after.cpu_seconds - before.cpu_seconds
        latencies += [ms for cost in costs[size].values() for ms in cost.latencies_ms]
    assert first is not None and last is not None
    opens = sum(len(c.latencies_ms) for by in costs.values() for c in by.values())
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    measured = _measurement(
        key,
        title,
        opens,
        0,
        lost=0,
        seconds=sum(latencies) / 1000,
        latencies=(None if p50 is None else p50 / 1000, None if p99 is None else p99 / 1000),
        before=first,
        after=last,
        storage=int(
            sum(
                c.counts["requests"] * len(c.latencies_ms)
                for by in costs.values()
                for c in by.values()
            )
        ),
    )
    measured.cpu_ms_per_action = cpu * 1000 / opens if opens else None
    measured.extra = _report(costs, sizes, seeding)
    return measured


async def _open_screens(bench: Bench, bot: Bot, prefix: str) -> dict[str, Cost]:
    """Warm every screen once, then open each REPEATS times, one at a time."""
    url = bot.url + "/api/messages"
    out: dict[str, Cost] = {}
    async with ClientSession(timeout=ClientTimeout(total=600)) as session:

        async def counters() -> dict[str, Any]:
            assert bot.counters_url is not None
            async with session.get(bot.counters_url) as response:
                storage: dict[str, Any] = (await response.json())["storage"]
                return storage

        async def open_once(screen: Screen) -> float:
            activity = invoke(bench.connector_url + "/", screen.person, screen.verb, screen.data)
            started = time.perf_counter()
            async with session.post(url, json=activity) as response:
                body = await response.json()
            elapsed = time.perf_counter() - started
            _check(screen, response.status, body)
            return elapsed * 1000

        for screen in screens():  # warm; /healthz answers before the directory is loaded
            for attempt in range(60):
                try:
                    await open_once(screen)
                    break
                except Refused:
                    if attempt == 59:
                        raise
                    await asyncio.sleep(0.5)
        for screen in screens():
            totals = {name: 0.0 for name in COUNTED}
            tables: dict[str, int] = {}
            latencies = []
            for _ in range(REPEATS):
                before = await counters()
                latencies.append(await open_once(screen))
                after = await counters()
                for name in COUNTED:
                    totals[name] += (after[name] - before[name]) / REPEATS
                for table, tally in after["tables"].items():
                    was = before["tables"].get(table, {}).get("entities", 0)
                    tables[table] = tables.get(table, 0) + tally["entities"] - was
            shown = {t.removeprefix(prefix): n // REPEATS for t, n in tables.items() if n}
            out[screen.name] = Cost(totals, latencies, shown)
    return out


def _check(screen: Screen, status: int, body: Any) -> None:
    """The screen answered with its card, not an error or a refusal."""
    card = (body or {}).get("value") if isinstance(body, dict) else None
    if status != 200 or not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise RuntimeError(f"{screen.name}: HTTP {status}, no card: {str(body)[:300]}")
    text = json.dumps(card, ensure_ascii=False)
    if any(refusal in text for refusal in REFUSALS):
        raise Refused(f"{screen.name}: refused: {text[:300]}")


def _report(
    costs: dict[int, dict[str, Cost]], sizes: list[int], seeding: dict[int, float]
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for size in sizes:
        blocks = -(-size // BLOCK)
        extra[f"seeded {size:,} records"] = (
            f"{seeding[size]:.0f} s through RequestRepository.create + put_inbox "
            f"({blocks} block(s) of {BLOCK:,}: tenant-years)"
        )
    small, large = sizes[0], sizes[-1]
    for name in costs[small]:
        for size in sizes:
            extra[f"{name} @ {size:,}"] = costs[size][name].line()
        if large != small:
            extra[f"{name} {large:,}/{small:,}"] = _ratios(costs[small][name], costs[large][name])
    return extra


def _ratios(small: Cost, large: Cost) -> str:
    def ratio(name: str) -> str:
        base, big = small.counts[name], large.counts[name]
        if base == big == 0:
            return f"{name} 0 at both"
        if base == 0:
            return f"{name} {big:,.0f}/0"
        verdict = "ok" if big / base <= TARGET else "OVER"
        return f"{name} {big / base:.2f}x {verdict}"

    latency: Callable[[Cost], float] = lambda c: percentile(c.latencies_ms, 50) or 0.0  # noqa: E731
    info = latency(large) / latency(small) if latency(small) else 0.0
    return (
        f"{ratio('entities')}, {ratio('pages')}, {ratio('requests')} "
        f"(target <= {TARGET}x); Azurite latency {info:.2f}x (information)"
    )
