"""Who may see or run something: a role from the directory for the authenticated person.

Every role-gated screen and action asks here (never card data); an inactive person has no role.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.people import Person, Role
from bot.services.context import Services


class NotAllowed(PermissionError):
    """The person does not hold a role that may see or do this."""


async def person_with_role(
    services: Services, tenant_id: str, user_id: str, roles: Iterable[Role]
) -> Person:
    """The active directory entry of this person if it holds one of `roles`; else NotAllowed."""
    if not tenant_id or not user_id:
        raise NotAllowed()
    person = await services.directory.get_person(tenant_id, user_id)
    if person is None or not person.active or not frozenset(roles) & person.roles:
        raise NotAllowed()
    return person


async def has_role(services: Services, tenant_id: str, user_id: str, roles: Iterable[Role]) -> bool:
    try:
        await person_with_role(services, tenant_id, user_id, roles)
    except NotAllowed:
        return False
    return True
