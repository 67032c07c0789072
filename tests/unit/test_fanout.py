"""The token bucket and the bounded fan-out, on a fake clock (no real waiting)."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.fanout import TokenBucket, fan_out


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def grant_times(bucket: TokenBucket, time: FakeTime, count: int) -> list[float]:
    async def run() -> list[float]:
        granted = []
        for _ in range(count):
            await bucket.acquire()
            granted.append(time.now)
        return granted

    return asyncio.run(run())


def test_the_bucket_lets_a_burst_through_then_paces_at_the_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=3, clock=time.clock, sleep=time.sleep)
    granted = grant_times(bucket, time, 6)
    assert granted[:3] == [100.0, 100.0, 100.0]
    assert granted[3:] == pytest.approx([100.1, 100.2, 100.3])


@pytest.mark.parametrize(("rate", "burst"), [(45, 5), (50, 1), (7, 2)])
def test_no_one_second_window_holds_more_than_burst_plus_rate(rate: float, burst: int) -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=rate, burst=burst, clock=time.clock, sleep=time.sleep)
    granted = grant_times(bucket, time, 300)
    for i, start in enumerate(granted):
        in_window = sum(1 for t in granted[i:] if t < start + 1.0)
        assert in_window <= burst + rate
    # and it does not go slower than asked: 300 grants take (300 - burst) / rate seconds
    assert granted[-1] - granted[0] == pytest.approx((300 - burst) / rate)


def test_an_idle_bucket_does_not_save_up_more_than_the_burst() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=2, clock=time.clock, sleep=time.sleep)
    grant_times(bucket, time, 2)
    time.now += 60  # a quiet minute
    granted = grant_times(bucket, time, 4)
    assert granted[1] == granted[0]
    assert granted[2] == pytest.approx(granted[0] + 0.1)


def test_pause_holds_everyone_back_for_the_retry_after() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=10, burst=5, clock=time.clock, sleep=time.sleep)
    bucket.pause(2.0)
    granted = grant_times(bucket, time, 1)
    assert granted == [pytest.approx(102.0)]


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
