"""The dependencies every use case and dialog gets, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.cache import TtlCache
from bot.domain.kinds import Kinds
from bot.domain.people import Role
from bot.services.approvers import ManagerLookup
from bot.services.locks import KeyedLocks
from bot.services.notify import Notifier
from bot.settings import Settings
from bot.storage.breaches import BreachRepository
from bot.storage.collection import Collection
from bot.storage.repositories import ConversationReferences, DirectoryRepository
from bot.storage.requests import Requests
from bot.storage.store import TableStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: TableStore
    conversations: ConversationReferences
    directory: DirectoryRepository
    notifier: Notifier
    requests: Requests
    collection: Collection
    managers: ManagerLookup
    kinds: Kinds  # the app's request kinds; every list of kinds comes from here
    clock: Callable[[], datetime] = utc_now
    # (tenant, person) -> (roles, has an inbox): shapes the menu only, so a minute's lag is fine.
    submitting: KeyedLocks = field(default_factory=KeyedLocks)  # request ids being submitted
    menu_facts: TtlCache[tuple[str, str], tuple[frozenset[Role], bool]] = field(
        default_factory=lambda: TtlCache(60.0)
    )

    @property
    def breaches(self) -> BreachRepository:
        """Data-leak reports (a thin view over `store`, so it needs no wiring of its own)."""
        return BreachRepository(self.store)
