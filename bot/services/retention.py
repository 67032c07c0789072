"""Retention (AVG): every kind of record is kept for its configured period after it was closed,
then removed by a daily job, leaving only the fact of removal (`removals`).

Retention is a list of policies, one per kind of record; adding a register is one entry in
`retention_policies` (see `breach_register_policies`, the hook for the data-breach register).
The job runs once a day however many instances there are: the first to claim that day's lease
row does it (`leases`, ETag-guarded insert). Removal is idempotent, so a run that stops halfway
is finished by the next day's run: the fact of removal is written first, the record's head last.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.context import Services
from bot.settings import Settings
from bot.storage.removals import Removal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Expired:
    """One record past its retention period."""

    tenant_id: str
    kind: str  # e.g. "gift", "invitation", "breach"
    record_id: str
    where: str  # where the policy finds it again (for requests: the requester's id)


@dataclass(frozen=True)
class RetentionPolicy:
    name: str
    days: int
    find: Callable[[Services, datetime], Awaitable[list[Expired]]]  # closed before the cutoff
    remove: Callable[[Services, Expired], Awaitable[None]]  # idempotent


def retention_policies(settings: Settings) -> list[RetentionPolicy]:
    """Every kind of record we keep, with its period."""
    return [
        RetentionPolicy(
            "requests", settings.retention_requests_days, expired_requests, remove_request
        ),
        *breach_register_policies(settings),
    ]


def breach_register_policies(settings: Settings) -> list[RetentionPolicy]:
    """The data-breach register keeps closed reports for its own period."""
    return [
        RetentionPolicy(
            "breaches", settings.retention_breaches_days, expired_breaches, remove_breach
        )
    ]


async def expired_breaches(services: Services, cutoff: datetime) -> list[Expired]:
    """Closed reports closed before `cutoff`; open ones are never removed."""
    return [
        Expired(b.tenant_id, "breach", b.id, b.tenant_id)
        for b in await services.breaches.closed_before(cutoff)
    ]


async def remove_breach(services: Services, item: Expired) -> None:
    await services.breaches.remove(item.tenant_id, item.record_id)


async def run_retention(services: Services) -> int:
    """The daily job: returns how many records it removed (0 when another instance has today)."""
    now = services.clock()
    day = f"retention|{now.date().isoformat()}"
    if not await services.leases.claim(day, uuid.uuid4().hex, now):
        return 0
    removals = services.removals
    removed = 0
    for policy in retention_policies(services.settings):
        cutoff = now - timedelta(days=policy.days)
        for item in await policy.find(services, cutoff):
            await removals.record(
                Removal(item.tenant_id, item.kind, item.record_id, now, policy.name, policy.days)
            )
            await policy.remove(services, item)
            removed += 1
    if removed:
        log.info("retention removed %d record(s)", removed)
    return removed


async def expired_requests(services: Services, cutoff: datetime) -> list[Expired]:
    """Decided or withdrawn requests closed before `cutoff` (a scan: background jobs only),
    whose kind's retention also started before it: an approved side job is kept while it is
    current, and for the period after it ended (`Kind.retained_from`)."""
    expired = []
    for r in await services.requests.closed_before(cutoff):
        kind = services.kinds.get(r.kind)
        start = kind.retained_from(r) if kind is not None else r.closed_at()
        if start is not None and start < cutoff:
            expired.append(Expired(r.tenant_id, r.kind, r.id, r.requester.id))
    return expired


async def remove_request(services: Services, item: Expired) -> None:
    """The request, its audit trail, everyone's inbox row, its collection row and register copy."""
    stored = await services.requests.get(item.tenant_id, item.where, item.record_id)
    if stored is not None:
        await services.collection.remove(item.tenant_id, item.record_id)
        await services.requests.remove(stored.request)
