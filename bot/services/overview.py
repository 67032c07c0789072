"""The yearly integrity overview's records: every request and data-leak report of a tenant,
reduced to the plain records `bot.domain.overview` counts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.breaches import Breach
from bot.domain.kinds import Kinds
from bot.domain.overview import LeakRecord, Overview, RequestRecord, local_year, yearly_overview
from bot.domain.requests import ApprovalRequest
from bot.domain.violations import counts
from bot.services.context import Services
from bot.services.registers import submitted_in


def request_record(kinds: Kinds, request: ApprovalRequest) -> RequestRecord:
    kind = kinds.get(request.kind)
    return RequestRecord(
        kind=request.kind,
        status=request.status.value,
        verdict=request.verdict,
        reasons=request.reasons,
        submitted_at=request.created_at,
        decided_at=request.decided_at,
        value_cents=kind.value_of(request) if kind is not None else None,
    )


def leak_record(breach: Breach) -> LeakRecord:
    ap = breach.ap
    return LeakRecord(
        discovered_at=breach.clock_start,  # the 72 hours run from awareness
        ap_decided_at=ap.at if ap else None,
        ap_notified=bool(ap and ap.yes),
    )


@dataclass(frozen=True)
class YearlyOverview:
    overview: Overview
    years: list[int]  # years with data (and this year), newest first


async def yearly(services: Services, tenant_id: str, year: int, this_year: int) -> YearlyOverview:
    """The overview of `year` (counted by the day of submission): the register copies submitted
    that year, wherever they are filed, the tenant's breach register (one partition), the
    trailer's bookings of that year, and the violations register's numbers (one partition;
    counting shows no case, so it is no view on any case's trail: only numbers leave here)."""
    kinds = services.kinds
    found = await submitted_in(services, tenant_id, year)
    requests = [request_record(kinds, r) for r in found]
    leaks = [leak_record(b) for b in await services.breaches.register(tenant_id)]
    seen = {this_year, year, *await services.requests.submission_years(tenant_id)}
    seen |= {local_year(r.submitted_at) for r in requests}
    seen |= {local_year(leak.discovered_at) for leak in leaks}
    trailer = await services.trailer.year_facts(tenant_id, year)
    cases = [s.violation for s in await services.violations.all(tenant_id)]
    overview = yearly_overview(kinds, requests, leaks, year, trailer, counts(cases, year))
    return YearlyOverview(overview, sorted(seen, reverse=True))
