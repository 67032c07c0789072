"""Retention with an injected clock: closed requests older than their period disappear with their
trail, inbox and collection rows, leaving only the fact of removal; once a day, on one instance."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.domain.requests import APPROVE, ApprovalRequest, decide, withdraw
from bot.services.context import Services
from bot.services.retention import retention_policies, run_retention
from bot.settings import Settings
from bot.storage.removals import RemovalLog
from bot.storage.requests import COLLECTION, INBOX, REGISTER, REQUESTS
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import TENANT
from tests.support.card_samples import _gift_request

YEAR = timedelta(days=365)
NOW = datetime(2034, 3, 1, 3, 0, tzinfo=UTC)


async def stored(services: Services, rid: str, created: datetime, close: str) -> ApprovalRequest:
    """A gift request created at `created`, with inbox and collection rows, closed if asked."""
    request = dataclasses.replace(
        _gift_request(verdict="hand_in"), id=rid, tenant_id=TENANT, created_at=created
    )
    request = dataclasses.replace(
        request, audit=tuple(dataclasses.replace(e, at=created) for e in request.audit)
    )
    saved = await services.requests.create(request)
    await services.collection.expect(request, "Kerstpakket", 7500)
    closed = request
    if close == "approved":
        closed = decide(request, "u2", APPROVE, "", created + timedelta(days=2))
    elif close == "withdrawn":
        closed = withdraw(request, "u1", created + timedelta(days=1))
    if closed is not request:
        await services.requests.update(saved, closed)
    await services.requests.put_inbox(closed)
    return closed


async def rows_of(services: Services, rid: str) -> int:
    """How many rows anywhere still hold this request."""
    trail = await services.store.query(REQUESTS, f"{TENANT}|u1", f"r|{rid}", f"r|{rid}}}")
    inbox = [r for r in await services.store.query(INBOX, f"{TENANT}|u2") if r.row == rid]
    kept = [r for r in await services.store.query(COLLECTION, TENANT) if r.row == rid]
    copy = [r for r in await services.store.scan(REGISTER, {}) if r.row.endswith(f"|{rid}")]
    return len(trail) + len(inbox) + len(kept) + len(copy)


async def test_expired_closed_requests_are_removed_and_only_the_fact_is_kept(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    days = services.settings.retention_requests_days
    assert days == 2555
    old = NOW - timedelta(days=days) - timedelta(days=10)
    await stored(services, "CAD-OLD-APPROVED", old, "approved")
    await stored(services, "CAD-OLD-WITHDRAWN", old, "withdrawn")
    await stored(services, "CAD-OLD-PENDING", old - 3 * YEAR, "")  # never decided: kept
    await stored(services, "CAD-RECENT", NOW - 6 * YEAR, "approved")  # within 7 years: kept
    assert (
        await rows_of(services, "CAD-OLD-APPROVED") == 4
    )  # the request (its trail inside), inbox, collection and register rows

    at_night = dataclasses.replace(services, clock=lambda: NOW)
    assert await run_retention(at_night) == 2

    assert await rows_of(services, "CAD-OLD-APPROVED") == 0
    assert await rows_of(services, "CAD-OLD-WITHDRAWN") == 0
    assert await rows_of(services, "CAD-OLD-PENDING") == 4
    assert await rows_of(services, "CAD-RECENT") == 4
    # "mijn meldingen" (the requester's index row) no longer lists what was removed
    listed = [s.id for s in await services.requests.summaries(TENANT, "u1")]
    assert sorted(listed) == ["CAD-OLD-PENDING", "CAD-RECENT"]
    removals = await RemovalLog(services.store).for_tenant(TENANT)
    assert sorted((r.record_id, r.kind, r.policy, r.removed_at) for r in removals) == [
        ("CAD-OLD-APPROVED", "gift", "requests", NOW),
        ("CAD-OLD-WITHDRAWN", "gift", "requests", NOW),
    ]
    assert await run_retention(at_night) == 0  # today's run is done


async def test_the_daily_run_happens_once_with_two_instances(
    bot: BotUnderTest,
    settings: Settings,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:
    first = bot.server.app[SERVICES]
    other = init_app(settings)
    await aiohttp_server(other)
    await other[READY].wait()
    second = other[SERVICES]
    days = timedelta(days=first.settings.retention_requests_days)
    old = NOW - days - timedelta(days=10)
    for n in range(5):
        await stored(first, f"CAD-OLD-{n}", old - timedelta(days=n), "approved")

    def clocked(services: Services, moment: datetime) -> Services:
        return dataclasses.replace(services, clock=lambda: moment)

    results = await asyncio.gather(
        run_retention(clocked(first, NOW)),
        run_retention(clocked(second, NOW)),
        run_retention(clocked(second, NOW + timedelta(hours=1))),
    )
    assert sorted(results) == [0, 0, 5]
    # approved two days after it was made: one hour younger than the period at NOW
    await stored(first, "CAD-NEXT", NOW - days - timedelta(days=2, hours=-1), "approved")
    assert await rows_of(first, "CAD-NEXT") == 4
    assert await run_retention(clocked(second, NOW + timedelta(hours=20))) == 0  # same day
    assert await run_retention(clocked(second, NOW + timedelta(days=1))) == 1  # the next day


def test_retention_is_a_list_of_policies_with_configured_periods(settings: Settings) -> None:
    custom = dataclasses.replace(settings, retention_requests_days=30)
    assert [(p.name, p.days) for p in retention_policies(custom)] == [
        ("requests", 30),
        ("breaches", custom.retention_breaches_days),
        ("trailer", custom.retention_trailer_days),
        ("violations", custom.retention_violations_days),
        ("raffles", custom.retention_raffles_days),
        ("acknowledgements", custom.retention_acknowledgements_days),
        ("supplier_contacts", custom.retention_supplier_contacts_days),
        ("removals", custom.retention_removals_days),
    ]


async def test_supplier_contacts_are_removed_after_their_last_confirmation_or_mail(
    bot: BotUnderTest,
) -> None:
    from bot.domain.supplier_contacts import ContactLine, imported

    services = bot.server.app[SERVICES]
    days = services.settings.retention_supplier_contacts_days
    assert days == 1825

    def contact(email: str, at: datetime) -> Any:
        return imported(None, ContactLine(1, "Jan", "Vos", email), TENANT, "u6", at)

    old = contact("old@vos.nl", NOW - timedelta(days=days + 1))
    confirmed_lately = dataclasses.replace(
        contact("kept@vos.nl", NOW - timedelta(days=days + 100)),
        confirmed_at=NOW - timedelta(days=days - 1),
    )
    await services.supplier_contacts.put_all([old, confirmed_lately])
    at_night = dataclasses.replace(services, clock=lambda: NOW)
    assert await run_retention(at_night) == 1
    assert [c.email for c in await services.supplier_contacts.contacts(TENANT)] == ["kept@vos.nl"]
    removals = await services.removals.for_tenant(TENANT)
    assert [(r.kind, r.record_id, r.policy) for r in removals] == [
        ("supplier_contact", old.id, "supplier_contacts")
    ]  # the fact of removal names no address


async def test_raffles_acknowledgements_and_old_facts_of_removal_have_their_periods(
    bot: BotUnderTest,
) -> None:
    from bot.domain.people import Person
    from bot.storage.raffles import Prize, RaffleRecord
    from bot.storage.removals import Removal

    services = bot.server.app[SERVICES]
    settings = services.settings
    assert (settings.retention_raffles_days, settings.retention_acknowledgements_days) == (
        2555,
        1825,
    )
    assert settings.retention_removals_days == 3650

    def raffle(rid: str, drawn: datetime) -> RaffleRecord:
        return RaffleRecord(
            rid, TENANT, "5eed", "sha256-fisher-yates-v1", drawn, "u6", ("u1",), (),
            (Prize("CAD-1", "Wijn", "u1", "Sanne"),), "c", drawn, "u6",
        )  # fmt: skip

    old_raffle = raffle("R-OLD", NOW - timedelta(days=2556))
    recent_raffle = raffle("R-RECENT", NOW - timedelta(days=2554))
    await services.raffles.record(old_raffle)
    await services.raffles.record(recent_raffle)
    people = [Person("u1", "Sanne")]
    await services.acknowledgements.start(TENANT, 2028, people, "u6", NOW - 6 * YEAR)
    await services.acknowledgements.start(TENANT, 2029, people, "u6", NOW - 5 * YEAR)
    ancient = NOW - timedelta(days=3651)
    await services.removals.record(Removal(TENANT, "gift", "CAD-ANCIENT", ancient, "requests", 7))

    at_night = dataclasses.replace(services, clock=lambda: NOW)
    # the raffle, the year 2028 (ended more than 5 years before 1 March 2034), the old fact
    assert await run_retention(at_night) == 3
    assert [r.id for r in await services.raffles.all(TENANT)] == ["R-RECENT"]
    assert await services.acknowledgements.people(TENANT, 2028) == []
    assert await services.acknowledgements.campaign(TENANT, 2028) is None
    assert [a.person_id for a in await services.acknowledgements.people(TENANT, 2029)] == ["u1"]
    removals = await services.removals.for_tenant(TENANT)
    assert sorted((r.kind, r.record_id, r.policy) for r in removals) == [
        ("acknowledgements", "2028", "acknowledgements"),
        ("raffle", "R-OLD", "raffles"),
    ]  # the ancient fact is gone, and its going left no fact behind


async def test_past_trailer_bookings_are_removed_after_their_period(bot: BotUnderTest) -> None:
    from datetime import date

    from bot.domain.trailer import Booker, Booking, Slot

    services = bot.server.app[SERVICES]
    assert services.settings.retention_trailer_days == 90
    today = NOW.date()

    def booking(id: str, day: date, slot: Slot, booker: Booker = Booker.EMPLOYEE) -> Booking:
        return Booking(TENANT, id, day, slot, booker, "u1", "Sanne", "u1", NOW - 2 * YEAR)

    old_day = date.fromordinal(today.toordinal() - 91)
    kept_day = date.fromordinal(today.toordinal() - 89)
    mine = booking("old-mine", old_day, Slot.DAY)
    await services.trailer.take(mine)
    await services.trailer.take(booking("old-tenant", old_day, Slot.MORNING, Booker.TENANT), [mine])
    await services.trailer.take(booking("recent", kept_day, Slot.AFTERNOON))
    at_night = dataclasses.replace(services, clock=lambda: NOW)
    assert await run_retention(at_night) == 2
    assert await services.trailer.on_day(TENANT, old_day) == []
    assert await services.trailer.cancelled(TENANT, old_day) == []
    assert [b.id for b in await services.trailer.on_day(TENANT, kept_day)] == ["recent"]
    removals = await RemovalLog(services.store).for_tenant(TENANT)
    assert sorted((r.record_id, r.kind, r.policy) for r in removals) == [
        ("old-mine", "trailer_booking", "trailer"),
        ("old-tenant", "trailer_booking", "trailer"),
    ]


async def test_the_violations_register_keeps_a_case_five_years_after_the_decision(
    bot: BotUnderTest,
) -> None:
    """The confidential register has its own period (RETENTION_VIOLATIONS_DAYS): from the
    director's decision, or from the recording for a case never decided. The case goes trail
    and all; the fact of removal names the kind and the id only."""
    from bot.domain.violations import Measure, TrailEntry, Violation
    from bot.storage.removals import REMOVALS
    from bot.storage.violations import VIOLATIONS

    services = bot.server.app[SERVICES]
    assert services.settings.retention_violations_days == 1825

    def case(vid: str, recorded: datetime, decided: datetime | None) -> Violation:
        return Violation(
            TENANT, vid, "u1", "Sanne de Vries", "u2", "Pieter Bakker", "§2", "Kerstpakket",
            Measure.WARNING, recorded,
            decision=Measure.WARNING if decided else None, decided_by="u6" if decided else "",
            decided_at=decided, trail=(TrailEntry(recorded, "u2", "recorded"),),
        )  # fmt: skip

    period = timedelta(days=1825)
    old = case("OVT-OLD", NOW - period - YEAR, NOW - period - timedelta(days=1))
    # Recorded long ago but decided within the period: kept.
    late = case("OVT-LATE", NOW - period - YEAR, NOW - period + timedelta(days=1))
    never = case("OVT-NEVER", NOW - period - timedelta(days=1), None)
    fresh = case("OVT-FRESH", NOW - timedelta(days=10), None)
    for violation in (old, late, never, fresh):
        await services.violations.create(violation)
    at_night = dataclasses.replace(services, clock=lambda: NOW)
    assert await run_retention(at_night) == 2
    kept = [s.violation.id for s in await services.violations.all(TENANT)]
    assert sorted(kept) == ["OVT-FRESH", "OVT-LATE"]
    rows = [r.row for r in await services.store.query(VIOLATIONS, TENANT)]
    assert sorted(rows) == ["OVT-FRESH", "OVT-LATE"]  # nothing of the others is left
    removals = await RemovalLog(services.store).for_tenant(TENANT)
    logged = sorted((r.kind, r.record_id, r.policy, r.retention_days) for r in removals)
    assert logged == [
        ("violation", "OVT-NEVER", "violations", 1825),
        ("violation", "OVT-OLD", "violations", 1825),
    ]
    # The fact of removal carries nothing of the case (no name, no rule, no facts).
    stored_facts = " ".join(
        str(v) for r in await services.store.scan(REMOVALS, {}) for v in r.data.values()
    )
    assert "Sanne" not in stored_facts and "Kerstpakket" not in stored_facts


async def side_job(
    services: Services, rid: str, approved: datetime, ended: datetime | None
) -> ApprovalRequest:
    """An approved side job, ended on `ended` (None: still current)."""
    from bot.domain.sidejobs import SideJob

    job = SideJob(
        role="Penningmeester",
        organisation="VV Groen",
        paid="unpaid",
        hours=6,
        touches=False,
        touches_how="",
        start=approved.date(),
        ended_on=ended.date() if ended else None,
    )
    request = dataclasses.replace(
        _gift_request(),
        id=rid,
        kind="sidejob",
        tenant_id=TENANT,
        facts=job,
        verdict="manager_after_hr",
        reasons=(),
        created_at=approved - timedelta(days=2),
    )
    request = dataclasses.replace(
        request, audit=tuple(dataclasses.replace(e, at=request.created_at) for e in request.audit)
    )
    saved = await services.requests.create(request)
    decided = decide(request, "u2", APPROVE, "", approved)
    await services.requests.update(saved, decided)
    await services.requests.put_inbox(decided)
    return decided


async def test_a_current_side_job_is_kept_as_long_as_it_lasts_plus_the_period(
    bot: BotUnderTest,
) -> None:
    """§4 side jobs one still has are not removed seven years after approval; once ended, the
    retention period counts from the end."""
    services = bot.server.app[SERVICES]
    days = services.settings.retention_requests_days
    long_ago = NOW - timedelta(days=days) - 3 * YEAR
    await side_job(services, "NEV-CURRENT", long_ago, None)
    await side_job(services, "NEV-ENDS-LATER", long_ago, NOW + YEAR)  # an end still to come
    await side_job(services, "NEV-ENDED-RECENTLY", long_ago, NOW - 2 * YEAR)
    await side_job(services, "NEV-ENDED-LONG-AGO", long_ago, long_ago + YEAR)

    at_night = dataclasses.replace(services, clock=lambda: NOW)
    assert await run_retention(at_night) == 1

    repository = services.requests
    for kept in ("NEV-CURRENT", "NEV-ENDS-LATER", "NEV-ENDED-RECENTLY"):
        assert await repository.get(TENANT, "u1", kept) is not None, kept
    assert await repository.get(TENANT, "u1", "NEV-ENDED-LONG-AGO") is None
