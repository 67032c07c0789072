"""Helpers for the data-leak tests: a settable clock, a store that fails on demand, a bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.services.context import Services
from bot.settings import Settings
from bot.storage.errors import StorageUnavailable
from bot.storage.store import TableStore
from dialogs.kinds import RequestKind
from tests.e2e.conftest import BotUnderTest
from tests.support.connector import MockConnector

START = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam


@dataclass
class Clock:
    """The time the bot sees; tests move it."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FlakyStore:
    """A real TableStore that raises StorageUnavailable for chosen (method, table) pairs.

    `failures[(method, table)]` is how many calls still fail (-1: all of them)."""

    inner: TableStore
    failures: dict[tuple[str, str], int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)
        if not callable(target):
            return target

        async def call(*args: Any, **kwargs: Any) -> Any:
            table = str(args[0]) if args else ""
            left = self.failures.get((name, table), 0)
            if left:
                self.failures[(name, table)] = left - 1 if left > 0 else left
                raise StorageUnavailable("injected")
            return await target(*args, **kwargs)

        return call


async def start_bot(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Any],
    session: ClientSession,
    clock: Clock,
    store: TableStore | None = None,
    kinds: tuple[RequestKind[Any], ...] | None = None,
) -> BotUnderTest:
    """The real app (jobs not run by a timer: tests run them) on a loopback port; `kinds`
    replaces the product's request kinds."""
    app = init_app(replace(settings, jobs_interval=0), store, clock=clock, kinds=kinds)
    server: TestServer = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    return BotUnderTest(server, session, mock, service_url + "/")


def services_of(bot: BotUnderTest) -> Services:
    return bot.server.app[SERVICES]
