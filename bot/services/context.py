"""The dependencies every use case and dialog gets, built once by the app factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from bot.cache import TtlCache
from bot.domain.kinds import Kinds
from bot.domain.people import Role
from bot.services.approvers import ManagerLookup
from bot.services.locks import KeyedLocks
from bot.services.notify import ActivityFeed, Mailer, Notifier
from bot.settings import Settings
from bot.storage.acknowledgements import AcknowledgementRepository
from bot.storage.breaches import BreachRepository
from bot.storage.collection import Collection
from bot.storage.exports import ExportTickets
from bot.storage.leases import Leases
from bot.storage.negotiations import Negotiations
from bot.storage.raffles import RaffleRepository
from bot.storage.removals import RemovalLog
from bot.storage.repositories import ConversationReferences, DirectoryRepository
from bot.storage.requests import Requests
from bot.storage.seal import Seal
from bot.storage.store import TableStore
from bot.storage.supplier_contacts import SupplierContactRepository, SupplierContacts
from bot.storage.trailer import Trailer
from bot.storage.violations import Violations


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
    negotiations: Negotiations  # the parties in negotiation (procurement's list)
    trailer: Trailer  # the trailer's bookings (§3, footnote 1)
    violations: Violations  # the confidential register of violations and measures
    clock: Callable[[], datetime] = utc_now
    # Seals the copy of a request its approver's card carries (bot.storage.seal).
    seal: Seal = field(default_factory=Seal.ephemeral)
    # (tenant, person) -> (roles, has an inbox): shapes the menu only, so a minute's lag is fine.
    submitting: KeyedLocks = field(default_factory=KeyedLocks)  # request ids being submitted
    # Requests whose deciding turn in this process saw its write fail (it may have landed):
    # nobody is announcing them, so a repeat here settles them at once (see approvals.settle).
    unannounced: TtlCache[str, bool] = field(default_factory=lambda: TtlCache(3600.0))
    menu_facts: TtlCache[tuple[str, str], tuple[frozenset[Role], bool]] = field(
        default_factory=lambda: TtlCache(60.0)
    )
    # The Teams activity feed for reminders and escalations (None: chat messages only).
    feed: ActivityFeed | None = None
    # E-mail from the bot's mailbox through Graph (MAIL_SENDER; None: no mail is sent).
    mailer: Mailer | None = None

    # The other aggregates' repositories, over the same store (made once, on first use). The
    # store itself is for the app's life cycle (create tables, ping, close), not for use cases.
    @cached_property
    def breaches(self) -> BreachRepository:
        """Data-leak reports and their trails."""
        return BreachRepository(self.store)

    @cached_property
    def raffles(self) -> RaffleRepository:
        return RaffleRepository(self.store)

    @cached_property
    def acknowledgements(self) -> AcknowledgementRepository:
        return AcknowledgementRepository(self.store)

    @cached_property
    def supplier_contacts(self) -> SupplierContacts:
        """Suppliers' contacts and whether they confirmed they know the code."""
        return SupplierContactRepository(self.store)

    @cached_property
    def leases(self) -> Leases:
        """Work done once across instances (retention's day, a raffle in progress)."""
        return Leases(self.store)

    @cached_property
    def removals(self) -> RemovalLog:
        return RemovalLog(self.store)

    @cached_property
    def tickets(self) -> ExportTickets:
        """One-time download links."""
        return ExportTickets(self.store)
