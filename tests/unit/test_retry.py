"""The one retry policy for outbound HTTP (`bot.retry`)."""

from __future__ import annotations

import email.utils
import time

import pytest

from bot.retry import Retry, RetryPolicy, retry_after


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


class Refused(Exception):
    pass


def test_retry_after_is_read_from_429_and_503_only() -> None:
    assert retry_after(429, {"Retry-After": "7"}) == 7.0
    assert retry_after(503, {"Retry-After": "2.5"}) == 2.5
    assert retry_after(502, {"Retry-After": "7"}) is None
    assert retry_after(429, {}) is None
    assert retry_after(429, {"Retry-After": "soon"}) is None


def test_retry_after_is_capped_at_a_minute_and_never_negative() -> None:
    assert retry_after(429, {"Retry-After": "3600"}) == 60.0
    assert retry_after(429, {"Retry-After": "-5"}) == 0.0


def test_retry_after_as_an_http_date_is_the_time_until_then() -> None:
    header = email.utils.formatdate(time.time() + 20, usegmt=True)
    seconds = retry_after(503, {"Retry-After": header})
    assert seconds is not None and 18.0 <= seconds <= 20.0


async def test_the_server_s_wait_is_honoured_then_backoff_with_jitter() -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=4, base_delay=1.0, sleep=sleeps)
    answers = [Retry(Refused(), 7.0), Retry(Refused()), Retry(Refused())]

    async def attempt() -> str:
        if answers:
            raise answers.pop(0)
        return "ok"

    assert await policy.call(attempt) == "ok"
    assert sleeps.seconds[0] == 7.0
    assert 1.0 <= sleeps.seconds[1] <= 3.0  # 2 * (0.5 .. 1.5)
    assert 2.0 <= sleeps.seconds[2] <= 6.0  # 4 * (0.5 .. 1.5)


async def test_when_attempts_run_out_the_callers_error_is_raised() -> None:
    sleeps = Sleeps()
    calls: list[int] = []

    async def attempt() -> None:
        calls.append(1)
        raise Retry(Refused("still throttled"), 1.0)

    with pytest.raises(Refused, match="still throttled"):
        await RetryPolicy(attempts=3, sleep=sleeps).call(attempt)
    assert len(calls) == 3
    assert sleeps.seconds == [1.0, 1.0]


async def test_any_other_error_ends_the_call_at_once() -> None:
    sleeps = Sleeps()
    calls: list[int] = []

    async def attempt() -> None:
        calls.append(1)
        raise Refused("403")

    with pytest.raises(Refused):
        await RetryPolicy(attempts=5, sleep=sleeps).call(attempt)
    assert calls == [1]
    assert sleeps.seconds == []


def test_the_blocking_variant_follows_the_same_policy() -> None:
    waits: list[float] = []
    answers = [Retry(Refused(), 0.5)]

    def attempt() -> int:
        if answers:
            raise answers.pop(0)
        return 3

    assert RetryPolicy(sync_sleep=waits.append).call_sync(attempt) == 3
    assert waits == [0.5]


async def test_a_single_attempt_policy_never_waits() -> None:
    sleeps = Sleeps()

    async def attempt() -> None:
        raise Retry(Refused("busy"), 5.0)

    with pytest.raises(Refused):
        await RetryPolicy(attempts=1, sleep=sleeps).call(attempt)
    assert sleeps.seconds == []
