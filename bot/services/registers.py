"""Reading the registers and the yearly overview: who may, and the records they are made of.

Roles come from the directory for the authenticated person, on every action and again when an
export is downloaded; card data never grants anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest
from bot.services.context import Services

REGISTER_ROLES = frozenset({Role.INTEGRITY_OFFICER, Role.HR})
OVERVIEW_ROLES = frozenset({Role.DIRECTOR, Role.RVC_CHAIR, Role.INTEGRITY_OFFICER})


async def departments(services: Services, tenant_id: str) -> dict[str, str]:
    """Person id -> department, from the directory (one partition)."""
    return {p.id: p.department for p in await services.directory.people(tenant_id)}


# How many years a register offers: requests are kept seven years after they close.
YEARS_BACK = 8


def offered_years(this_year: int) -> list[int]:
    """The years a register or overview offers, newest first (next year too: an invitation can
    be for an event next year)."""
    return list(range(this_year + 1, this_year - YEARS_BACK, -1))


async def requests_of(
    services: Services, tenant_id: str, kind: str, years: Iterable[int]
) -> list[ApprovalRequest]:
    """The requests of one kind filed under the given years: one register partition per year
    (a kind whose entries count onwards, like current side jobs: one partition in all), so what
    is read is what is shown."""
    known = services.kinds.get(kind)
    if known is not None and known.counts_onwards:
        return await services.requests.register(tenant_id, kind, 0)
    found = await asyncio.gather(
        *(services.requests.register(tenant_id, kind, year) for year in sorted(set(years)))
    )
    return [request for part in found for request in part]


async def submitted_in(services: Services, tenant_id: str, year: int) -> list[ApprovalRequest]:
    """Every request of every kind with a register submitted in `year`, for the yearly overview
    (per kind: the partitions its marker names, read by key range)."""
    names = [k.name for k in services.kinds if k.has_register]
    found = await asyncio.gather(
        *(services.requests.submitted_in(tenant_id, name, year) for name in names)
    )
    return [request for part in found for request in part]
