"""Telling a role holder of a request they do not decide on (letting and sales of a relative's
home, so the employee is kept out of that case): a card once, its delivery in the trail.

Idempotent: the trail says whether it was told ("informed"), so a submission's retry does not
send twice; a failed delivery is written in the trail ("not_informed") and told to the
requester, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest, AuditEntry, Person
from bot.services.approvals import load
from bot.services.approvers import RoleNotConfigured, role_holder
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.services.telling import tell
from bot.storage.errors import AlreadyExists, Conflict

log = logging.getLogger(__name__)

INFORMED = "informed"
NOT_INFORMED = "not_informed"


@dataclass(frozen=True)
class Informed:
    """Who holds the role (None: nobody in the directory) and whether they have the card."""

    person: Person | None
    delivered: bool


def was_informed(request: ApprovalRequest, role: Role) -> bool:
    """Whether the trail says the role holder has the card."""
    return any(e.action == INFORMED and e.detail == role.value for e in request.audit)


async def inform(
    services: Services,
    request: ApprovalRequest,
    role: Role,
    card: Callable[[ApprovalRequest, str, str], dict[str, Any]],
) -> Informed:
    """Send `card(request, locale, viewer id)` to the holder of `role` (never the requester)."""
    try:
        person = await role_holder(
            request.tenant_id, role, request.requester.id, services.directory
        )
    except RoleNotConfigured:
        log.warning("request %s: nobody told, role %s not configured", request.id, role.value)
        return Informed(None, False)
    if was_informed(request, role):
        return Informed(person, True)
    failed = await tell(
        services,
        request.tenant_id,
        person.id,
        lambda locale: card(request, locale, person.id),
        f"{role.value} not told of {request.id}",
    )
    if failed is not None:
        await _trail(services, request, NOT_INFORMED, f"{role.value}: {failed}")
        return Informed(person, False)
    await _trail(services, request, INFORMED, role.value)
    return Informed(person, True)


async def _trail(services: Services, request: ApprovalRequest, action: str, detail: str) -> None:
    """Append an audit entry, re-read and re-applied while other writes win the race."""
    for attempt in range(ATTEMPTS):
        stored = await load(services, request.tenant_id, request.requester.id, request.id)
        entry = AuditEntry(services.clock(), "system", action, detail)
        noted = replace(stored.request, audit=(*stored.request.audit, entry))
        try:
            await services.requests.update(stored, noted)
            return
        except (Conflict, AlreadyExists):
            await pause(attempt)
    log.error("audit entry %s on %s lost %d races in a row", action, request.id, ATTEMPTS)
