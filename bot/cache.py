"""A time-limited, size-bounded read cache (cachetools' `TTLCache`), for data that only shapes
what is shown or where something is sent (never who may act).

Authorisation always reads storage afresh; a cached menu, conversation reference or approver
choice may lag a change by `seconds`. When full, the least recently used entry goes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(TTLCache[K, V]):
    """`TTLCache` with the three verbs the callers use: `get`, `put` and `drop`."""

    def __init__(
        self, seconds: float, size: int = 4096, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(maxsize=size, ttl=seconds, timer=now)

    def put(self, key: K, value: V) -> None:
        self[key] = value

    def drop(self, key: K) -> None:
        self.pop(key, None)
