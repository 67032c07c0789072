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
from datetime import UTC, date, datetime, timedelta

from bot.domain.violations import retained_from
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
    logged: bool = True  # its removals leave a fact of removal (not the facts themselves)


def retention_policies(settings: Settings) -> list[RetentionPolicy]:
    """Every kind of record we keep, with its period."""
    return [
        RetentionPolicy(
            "requests", settings.retention_requests_days, expired_requests, remove_request
        ),
        *breach_register_policies(settings),
        RetentionPolicy(
            "trailer", settings.retention_trailer_days, expired_bookings, remove_booking
        ),
        RetentionPolicy(
            "violations",
            settings.retention_violations_days,
            expired_violations,
            remove_violation,
        ),
        RetentionPolicy("raffles", settings.retention_raffles_days, expired_raffles, remove_raffle),
        RetentionPolicy(
            "acknowledgements",
            settings.retention_acknowledgements_days,
            expired_acknowledgements,
            remove_acknowledgements,
        ),
        RetentionPolicy(
            "supplier_contacts",
            settings.retention_supplier_contacts_days,
            expired_supplier_contacts,
            remove_supplier_contact,
        ),
        RetentionPolicy(
            "removals",
            settings.retention_removals_days,
            expired_removals,
            remove_removal,
            logged=False,
        ),
    ]


async def expired_raffles(services: Services, cutoff: datetime) -> list[Expired]:
    """Raffles drawn (or, never drawn, announced) before the cutoff."""
    return [
        Expired(r.tenant_id, "raffle", r.id, r.tenant_id)
        for r in await services.raffles.everywhere()
        if (r.drawn_at or r.announced_at or cutoff) < cutoff
    ]


async def remove_raffle(services: Services, item: Expired) -> None:
    await services.raffles.remove(item.tenant_id, item.record_id)


async def expired_acknowledgements(services: Services, cutoff: datetime) -> list[Expired]:
    """A year's acknowledgements, once the period has passed since that year ended."""
    return [
        Expired(c.tenant_id, "acknowledgements", str(c.year), c.tenant_id)
        for c in await services.acknowledgements.campaigns()
        if datetime(c.year + 1, 1, 1, tzinfo=UTC) <= cutoff
    ]


async def remove_acknowledgements(services: Services, item: Expired) -> None:
    await services.acknowledgements.remove_year(item.tenant_id, int(item.record_id))


async def expired_supplier_contacts(services: Services, cutoff: datetime) -> list[Expired]:
    """A supplier contact whose last confirmation or mail (else import) is past the period."""
    repository = services.supplier_contacts
    return [
        Expired(c.tenant_id, "supplier_contact", c.id, c.tenant_id)
        for tenant_id in await repository.tenants()
        for c in await repository.contacts(tenant_id)
        if c.last_activity < cutoff
    ]


async def remove_supplier_contact(services: Services, item: Expired) -> None:
    await services.supplier_contacts.remove(item.tenant_id, item.record_id)


async def expired_removals(services: Services, cutoff: datetime) -> list[Expired]:
    """Facts of removal older than their own period (removing them leaves nothing behind)."""
    return [
        Expired(r.tenant_id, "removal", f"{r.kind}|{r.record_id}", r.tenant_id)
        for r in await services.removals.before(cutoff)
    ]


async def remove_removal(services: Services, item: Expired) -> None:
    kind, _, record_id = item.record_id.partition("|")
    await services.removals.forget(item.tenant_id, kind, record_id)


async def expired_bookings(services: Services, cutoff: datetime) -> list[Expired]:
    """Trailer bookings (held or cancelled) for a day before the cutoff's day."""
    return [
        Expired(b.tenant_id, "trailer_booking", b.id, b.day.isoformat())
        for b in await services.trailer.before(cutoff.date())
    ]


async def remove_booking(services: Services, item: Expired) -> None:
    await services.trailer.remove(item.tenant_id, date.fromisoformat(item.where), item.record_id)


async def expired_violations(services: Services, cutoff: datetime) -> list[Expired]:
    """Cases of the confidential register whose period (from the decision, or from the
    recording when never decided) ended before the cutoff. The fact of removal names the kind
    and the case's id only (`OVT-...`, no name), like every other removal."""
    return [
        Expired(v.tenant_id, "violation", v.id, v.tenant_id)
        for v in await services.violations.everywhere()
        if retained_from(v) < cutoff
    ]


async def remove_violation(services: Services, item: Expired) -> None:
    await services.violations.remove(item.tenant_id, item.record_id)


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
            if policy.logged:
                await removals.record(
                    Removal(
                        item.tenant_id, item.kind, item.record_id, now, policy.name, policy.days
                    )
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
