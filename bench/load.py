"""The load generator: N requests in flight against one URL, for a fixed time or count."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of the successful requests

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _loopback(url: str) -> None:
    if not url.startswith(("http://127.0.0.1:", "http://localhost:", "http://[::1]:")):
        raise ValueError(f"the benchmarks only send to loopback, not {url}")


async def drive(
    url: str,
    make_body: Callable[[int], dict[str, Any]],
    *,
    concurrency: int,
    seconds: float,
    max_requests: int,
) -> LoadResult:
    """POST `make_body(i)` as JSON; stops at `seconds` or `max_requests`, whichever comes first."""
    _loopback(url)
    result = LoadResult()
    issued = 0
    deadline = time.monotonic() + seconds
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:

        async def worker() -> None:
            nonlocal issued
            while issued < max_requests and time.monotonic() < deadline:
                body = make_body(issued)
                issued += 1
                started = time.perf_counter()
                try:
                    async with session.post(url, json=body) as response:
                        await response.read()
                        good = 200 <= response.status < 300
                except (ClientError, OSError, TimeoutError):
                    good = False
                if good:
                    result.ok += 1
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.monotonic() - started
    return result
