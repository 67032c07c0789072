"""The harness: starts processes, measures one scenario at a time, reports ratios to scenario a."""

from __future__ import annotations

import asyncio
import contextlib
import pstats
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bench.load import drive
from bench.proc import Usage, usage
from infra.local.services import (
    ROOT,
    azurite,
    azurite_connection_string,
    free_port,
    spawn,
    stop,
    wait_for_port,
)

WARMUP_REQUESTS = 30
TITLE = 64  # width of the scenario column in the table
BASELINE = "a"

__all__ = ["ROOT", "Bench", "Measurement", "Options", "run"]


@dataclass
class Options:
    keys: list[str]
    seconds: float = 3.0
    concurrency: int = 10
    max_requests: int = 30_000
    fanout: int = 5000
    profile: bool = False
    records: tuple[int, ...] = (1000, 100_000)  # scenario f: request counts seeded in Azurite
    azurite_connection: str | None = None  # reuse a running Azurite (the smoke test does)


@dataclass
class Measurement:
    """One scenario's figures; `actions` are turns (or messages for the fan-out)."""

    key: str
    title: str
    actions: int
    errors: int
    lost: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    cpu_ms_per_action: float | None
    cpu_percent: float
    rss_mb: float
    storage_per_action: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Azurite's own CPU per action (it shares the two cores with the bot): None without Azurite
    store_cpu_ms_per_action: float | None = None
    # per action, from the bot's transport meter: requests, reads, writes, pages, entities...
    storage_detail: dict[str, float] | None = None
    storage_warm: dict[str, float] | None = None  # d, e: the same, one turn at a time, warm

    @property
    def throughput(self) -> float:
        return self.actions / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Bot:
    """A process under test: where it listens and its process id."""

    url: str
    pid: int
    counters_url: str | None = None


class Bench:
    """What scenarios get: process helpers, a loopback connector, Azurite, a load driver."""

    def __init__(self, options: Options, workdir: Path, stack: contextlib.ExitStack) -> None:
        self.options = options
        self.workdir = workdir
        self._stack = stack
        self._azurite: str | None = options.azurite_connection
        self.azurite_pid: int | None = None  # only for an Azurite this bench started
        self.connector_url = ""
        self.profiles: dict[str, Path] = {}

    def azurite(self) -> str:
        """Azurite's connection string, started on first need via infra/local/services.py."""
        if self._azurite is None:
            port = free_port()
            process = self._stack.enter_context(
                azurite(port, self.workdir / "azurite", in_memory=True)
            )
            self.azurite_pid = process.pid
            self._azurite = azurite_connection_string(port)
        return self._azurite

    @contextlib.contextmanager
    def connector(self, teams_limits: bool = False) -> Iterator[str]:
        port = free_port()
        args = [sys.executable, "-m", "bench.connector", "--port", str(port)]
        process = spawn(args + (["--teams-limits"] if teams_limits else []))
        try:
            wait_for_port(port, 30, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)

    @contextlib.asynccontextmanager
    async def process(
        self, key: str, module: list[str], env: dict[str, str] | None = None
    ) -> AsyncIterator[Bot]:
        """Start `python -m <module...> --port P` (or BOT_PORT=P) and wait until it listens."""
        port = free_port()
        python = [sys.executable]
        if self.options.profile:
            profile = self.workdir / f"profile-{key}.pstats"
            self.profiles[key] = profile
            python += ["-m", "cProfile", "-o", str(profile)]
        args = [*python, "-m", *module]
        args += [] if env is not None and "BOT_PORT" in env else ["--port", str(port)]
        if env is not None and "BOT_PORT" in env:
            env = {**env, "BOT_PORT": str(port)}
        process = spawn(args, env=env, log=self.workdir / f"{key}.log")
        try:
            await asyncio.to_thread(wait_for_port, port, 60, process)
            yield Bot(f"http://127.0.0.1:{port}", process.pid)
        finally:
            await asyncio.to_thread(stop, process)

    async def turns(
        self,
        key: str,
        title: str,
        bot: Bot,
        make_activity: Callable[[int], dict[str, Any]],
        replies_per_turn: int = 1,
        max_requests: int | None = None,
    ) -> Measurement:
        """Warm up, then drive `/api/messages` and measure the bot process and the connector."""
        url = bot.url + "/api/messages"
        options = self.options
        warm = await drive(
            url, make_activity, concurrency=2, seconds=30, max_requests=WARMUP_REQUESTS
        )
        if warm.ok == 0:
            raise RuntimeError(f"scenario {key}: the bot answered no warm-up request")
        async with ClientSession() as session:
            await session.post(self.connector_url + "/_reset")
            storage_before = await _storage_requests(session, bot)
            metered_before = await _metered(session, bot)
            store_before = self._store_cpu() if bot.counters_url is not None else None
            before = usage(bot.pid)
            result = await drive(
                url,
                lambda i: make_activity(WARMUP_REQUESTS + i),
                concurrency=options.concurrency,
                seconds=options.seconds,
                max_requests=min(options.max_requests, max_requests or options.max_requests),
            )
            after = usage(bot.pid)
            store_after = self._store_cpu() if store_before is not None else None
            storage_after = await _storage_requests(session, bot)
            metered_after = await _metered(session, bot)
            stats = await (await session.get(self.connector_url + "/_stats")).json()
        measured = _measurement(
            key,
            title,
            result.ok,
            result.errors,
            lost=result.ok * replies_per_turn - int(stats["activities"]),
            seconds=result.seconds,
            latencies=(result.percentile(50), result.percentile(99)),
            before=before,
            after=after,
            storage=(storage_after - storage_before)
            if storage_before is not None and storage_after is not None
            else None,
        )
        if store_before is not None and store_after is not None and result.ok:
            measured.store_cpu_ms_per_action = (store_after - store_before) * 1000 / result.ok
        if metered_before is not None and metered_after is not None and result.ok:
            measured.storage_detail = {
                name: (metered_after[name] - metered_before[name]) / result.ok for name in METERED
            }
            measured.extra["storage per turn"] = storage_line(measured.storage_detail)
        return measured

    def _store_cpu(self) -> float | None:
        """Azurite's CPU seconds so far (None when it was not started by this bench)."""
        return usage(self.azurite_pid).cpu_seconds if self.azurite_pid is not None else None


METERED = ("requests", "reads", "writes", "pages", "point_reads", "entities", "written")


def storage_line(per_turn: dict[str, float]) -> str:
    """Storage per turn, by kind, from the bot's transport meter (bot/storage/metering.py)."""
    d = per_turn
    return (
        f"{d['requests']:.2f} requests: {d['reads']:.2f} reads ({d['point_reads']:.2f} point "
        f"reads, {d['pages']:.2f} query pages, {d['entities']:.2f} entities returned), "
        f"{d['writes']:.2f} writes ({d['written']:.2f} entities written)"
    )


async def _metered(session: ClientSession, bot: Bot) -> dict[str, int] | None:
    """The bot's transport meter totals (`GET /_debug/counters`), or None without counters."""
    if bot.counters_url is None:
        return None
    async with session.get(bot.counters_url) as response:
        storage = (await response.json()).get("storage")
    return None if storage is None else {name: int(storage[name]) for name in METERED}


async def _storage_requests(session: ClientSession, bot: Bot) -> int | None:
    if bot.counters_url is None:
        return None
    async with session.get(bot.counters_url) as response:
        return int((await response.json())["storage_requests"])


def _measurement(
    key: str,
    title: str,
    actions: int,
    errors: int,
    *,
    lost: int,
    seconds: float,
    latencies: tuple[float | None, float | None],
    before: Usage,
    after: Usage,
    storage: int | None,
    extra: dict[str, Any] | None = None,
) -> Measurement:
    cpu = after.cpu_seconds - before.cpu_seconds
    return Measurement(
        key=key,
        title=title,
        actions=actions,
        errors=errors,
        lost=lost,
        seconds=seconds,
        p50_ms=None if latencies[0] is None else latencies[0] * 1000,
        p99_ms=None if latencies[1] is None else latencies[1] * 1000,
        cpu_ms_per_action=cpu * 1000 / actions if actions else None,
        cpu_percent=100 * cpu / seconds if seconds > 0 else 0.0,
        rss_mb=after.rss_mb,
        storage_per_action=storage / actions if storage is not None and actions else None,
        extra=extra or {},
    )


def _ratio(value: float | None, base: float | None) -> float | None:
    if value is None or base is None or base == 0:
        return None
    return value / base


def _row(m: Measurement, base: Measurement | None) -> dict[str, Any]:
    row = asdict(m)
    row["throughput"] = m.throughput
    row["throughput_x_baseline"] = _ratio(m.throughput, base.throughput if base else None)
    row["cpu_per_action_x_baseline"] = _ratio(
        m.cpu_ms_per_action, base.cpu_ms_per_action if base else None
    )
    row["p50_x_baseline"] = _ratio(m.p50_ms, base.p50_ms if base else None)
    row["p99_x_baseline"] = _ratio(m.p99_ms, base.p99_ms if base else None)
    return row


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'':3}{'scenario':{TITLE}}{'turns/s':>9}{'x a':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'x a':>7}{'CPU ms/turn':>12}{'x a':>7}{'Azurite ms':>11}{'CPU %':>7}{'RSS MB':>8}"
        f"{'storage/turn':>13}{'lost':>6}{'err':>5}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['key']:3}{r['title'][: TITLE - 1]:{TITLE}}{r['throughput']:>9.1f}"
            f"{_fmt(r['throughput_x_baseline'], '.2f'):>7}{_fmt(r['p50_ms'], '.1f'):>8}"
            f"{_fmt(r['p99_ms'], '.1f'):>8}{_fmt(r['p99_x_baseline'], '.2f'):>7}"
            f"{_fmt(r['cpu_ms_per_action'], '.2f'):>12}"
            f"{_fmt(r['cpu_per_action_x_baseline'], '.2f'):>7}"
            f"{_fmt(r['store_cpu_ms_per_action'], '.2f'):>11}{r['cpu_percent']:>7.0f}"
            f"{r['rss_mb']:>8.0f}{_fmt(r['storage_per_action'], '.2f'):>13}"
            f"{r['lost']:>6}{r['errors']:>5}"
        )
        for name, value in r["extra"].items():
            lines.append(f"{'':6}{name}: {value}")
    return "\n".join(lines)


def by_package(stats: pstats.Stats, top: int = 15) -> list[tuple[str, float]]:
    """Own time summed per package (site-packages top level, stdlib module, or our package),
    as shares of the whole: where a turn's CPU goes, at a glance."""
    totals: dict[str, float] = {}
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if "site-packages/" in filename:
            name = "/".join(filename.split("site-packages/", 1)[1].split("/")[:2])
        elif filename.startswith(str(ROOT)):
            name = Path(filename).relative_to(ROOT).parts[0]
        elif filename == "~":
            name = f"builtin {function}"[:60]
        elif "/lib/python3" in filename:  # the standard library: its top-level module
            name = "stdlib " + Path(filename.split("/lib/python3", 1)[1].split("/", 2)[1]).stem
        else:
            name = filename
        totals[name] = totals.get(name, 0.0) + own
    whole = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]
    return [(name, share / whole) for name, share in ranked]


def profile_summary(path: Path, top: int = 25) -> str:
    """Own time per package, then the functions with the most own and cumulative time."""
    packages = by_package(pstats.Stats(str(path)))
    out = ["--- own time by package ---"]
    out += [f"{share:6.1%}  {name}" for name, share in packages]
    for order in ("tottime", "cumulative"):
        buffer = _Capture()
        stats = pstats.Stats(str(path), stream=buffer)  # type: ignore[arg-type]
        stats.strip_dirs().sort_stats(order).print_stats(top)
        out.append(f"--- by {order} ---\n" + buffer.text())
    return "\n".join(out)


class _Capture:
    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self._parts)


# A scenario: (bench, key, title) -> its measurement, with its title (see bench.common).
ScenarioTable = Mapping[str, tuple[Callable[["Bench", str, str], Awaitable[Measurement]], str]]


async def run(
    options: Options,
    scenarios: ScenarioTable,
    echo: Callable[[str], None] = lambda _line: None,
) -> dict[str, Any]:
    """Run the chosen scenarios (the baseline first) and return the report."""
    keys = sorted(options.keys, key=lambda k: (k != BASELINE, list(scenarios).index(k)))
    (ROOT / ".data").mkdir(exist_ok=True)
    measurements: list[Measurement] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / ".data") as tmp,
        contextlib.ExitStack() as stack,
    ):
        bench = Bench(options, Path(tmp), stack)
        with bench.connector() as connector_url:
            bench.connector_url = connector_url
            for key in keys:
                function, title = scenarios[key]
                echo(f"running {key}: {title} ...")
                measurement = await function(bench, key, title)
                measurements.append(measurement)
        base = next((m for m in measurements if m.key == BASELINE), None)
        rows = [_row(m, base) for m in measurements]
        echo("")
        echo(table(rows))
        profiles = {}
        for key, path in bench.profiles.items():
            if path.exists():
                profiles[key] = profile_summary(path)
                keep = ROOT / ".data" / "bench" / path.name
                keep.parent.mkdir(parents=True, exist_ok=True)
                keep.write_bytes(path.read_bytes())
                echo(f"\nprofile of {key} ({keep}):\n{profiles[key]}")
    return {
        "run": uuid.uuid4().hex[:8],
        "options": asdict(options),
        "baseline": BASELINE,
        "scenarios": rows,
        "profiles": profiles,
    }
