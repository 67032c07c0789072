"""Reading the registers and the yearly overview: who may, and the records they are made of.

Roles come from the directory for the authenticated person, on every action and again when an
export is downloaded; card data never grants anything.
"""

from __future__ import annotations

from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest
from bot.services.context import Services

REGISTER_ROLES = frozenset({Role.INTEGRITY_OFFICER, Role.HR})
OVERVIEW_ROLES = frozenset({Role.DIRECTOR, Role.RVC_CHAIR, Role.INTEGRITY_OFFICER})


async def departments(services: Services, tenant_id: str) -> dict[str, str]:
    """Person id -> department, from the directory (one partition)."""
    return {p.id: p.department for p in await services.directory.people(tenant_id)}


async def requests_of(services: Services, tenant_id: str, kind: str) -> list[ApprovalRequest]:
    """Every request of one kind in the tenant (a scan on Kind; see docs/data-model.md)."""
    return await services.requests.of_kind_in_tenant(tenant_id, kind)


async def all_requests(services: Services, tenant_id: str) -> list[ApprovalRequest]:
    """Every request of every kind of the app in the tenant, for the yearly overview."""
    out: list[ApprovalRequest] = []
    for kind in services.kinds.names:
        out += await requests_of(services, tenant_id, kind)
    return out
