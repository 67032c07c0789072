"""The token bucket (aiolimiter underneath, so real, short waits) and the bounded fan-out."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.fanout import TokenBucket, fan_out

# Timer slack on a busy machine: a grant may come this much after its slot, never before.
LATE = 0.15


async def grant_times(bucket: TokenBucket, count: int) -> list[float]:
    """When each of `count` back-to-back acquisitions was granted, from the first call."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    granted = []
    for _ in range(count):
        await bucket.acquire()
        granted.append(loop.time() - started)
    return granted


async def test_the_bucket_lets_a_burst_through_then_paces_at_the_rate() -> None:
    # slow enough that a paced third grant (0.4 s) could not pass for part of the burst
    bucket = TokenBucket(rate=5, burst=3)
    granted = await grant_times(bucket, 6)
    assert all(t < LATE for t in granted[:3])
    for got, slot in zip(granted[3:], [0.2, 0.4, 0.6], strict=True):
        assert slot - 0.005 <= got <= slot + LATE


async def test_no_one_second_window_holds_more_than_burst_plus_rate() -> None:
    async def check(rate: float, burst: int) -> None:
        count = int(burst + rate * 1.5)
        granted = await grant_times(TokenBucket(rate=rate, burst=burst), count)
        for i, start in enumerate(granted):
            in_window = sum(1 for t in granted[i:] if t < start + 1.0)
            assert in_window <= burst + rate
        # and it does not go slower than asked: the grants take (count - burst) / rate seconds
        # (plus one late wake-up at most: a leaky bucket does not add up lateness)
        expected = (count - burst) / rate
        assert expected - 0.01 <= granted[-1] - granted[0] <= expected + 0.5

    # three buckets at once (their waits overlap, so this takes 1.5 s, not 4.5 s)
    await asyncio.gather(check(45, 5), check(50, 1), check(7, 2))


async def test_an_idle_bucket_does_not_save_up_more_than_the_burst() -> None:
    bucket = TokenBucket(rate=20, burst=2)
    await grant_times(bucket, 2)
    await asyncio.sleep(0.3)  # a quiet while: six slots' worth
    granted = await grant_times(bucket, 4)
    assert granted[1] - granted[0] < LATE
    assert 0.045 <= granted[2] - granted[0] <= 0.05 + LATE


async def test_pause_holds_everyone_back_for_the_retry_after() -> None:
    bucket = TokenBucket(rate=10, burst=5)
    bucket.pause(0.3)
    granted = await asyncio.gather(grant_times(bucket, 1), grant_times(bucket, 1))
    assert all(0.3 <= times[0] <= 0.3 + LATE for times in granted)


def test_the_bucket_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(rate=1, burst=0)


async def test_fan_out_sends_every_item_once_and_bounds_concurrency() -> None:
    in_flight = 0
    peak = 0
    seen: list[int] = []

    async def send(item: int) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        seen.append(item)
        in_flight -= 1

    result = await fan_out(range(200), send, concurrency=7)
    assert sorted(seen) == list(range(200))
    assert result.sent == 200 and result.failed == []
    assert peak == 7


async def test_fan_out_reports_failures_and_carries_on() -> None:
    async def send(item: int) -> None:
        if item % 10 == 3:
            raise ConnectionError(f"no {item}")

    result = await fan_out(iter(range(50)), send, concurrency=4)
    assert result.sent == 45
    assert sorted(item for item, _ in result.failed) == [3, 13, 23, 33, 43]
    assert all(isinstance(error, ConnectionError) for _, error in result.failed)


async def test_fan_out_paces_with_its_rate() -> None:
    sent_at: list[float] = []
    loop = asyncio.get_running_loop()

    async def send(item: int) -> None:
        sent_at.append(loop.time())

    result = await fan_out(range(11), send, concurrency=5, rate=100, burst=1)
    assert result.sent == 11
    # 11 sends at 100/s: the last leaves at least ~0.1 s after the first
    assert sent_at[-1] - sent_at[0] >= 0.09
    assert result.rate > 0


async def test_fan_out_refuses_zero_concurrency() -> None:
    async def send(item: int) -> None:
        return None

    with pytest.raises(ValueError, match="concurrency"):
        await fan_out([1], send, concurrency=0)
