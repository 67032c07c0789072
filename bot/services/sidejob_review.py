"""Once a year everyone is asked whether each declared side job is still current (§4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.requests import ApprovalRequest, AuditEntry, DecisionRefused, Status
from bot.services.approvals import load
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.storage.errors import AlreadyExists, Conflict

YEAR = timedelta(days=365)
KIND = "sidejob"

ReviewCard = Callable[[ApprovalRequest, str], dict[str, Any]]


def last_confirmed(request: ApprovalRequest) -> datetime:
    confirmed = request.facts.get("confirmedAt")
    if isinstance(confirmed, str) and confirmed:
        return datetime.fromisoformat(confirmed)
    return request.decided_at or request.created_at


def needs_review(request: ApprovalRequest, now: datetime) -> bool:
    """Approved, not ended, confirmed more than a year ago, and not asked since."""
    if request.status is not Status.APPROVED or request.facts.get("endedOn"):
        return False
    last = last_confirmed(request)
    asked = request.facts.get("reviewAskedAt")
    if isinstance(asked, str) and asked and datetime.fromisoformat(asked) > last:
        return False
    return now - last >= YEAR


async def ask_yearly(services: Services, card: ReviewCard) -> int:
    """Send the yearly question for every side job due; each claimed once (ETag)."""
    now = services.clock()
    asked = 0
    for summary in await services.requests.of_kind(KIND, Status.APPROVED):
        if not needs_review(summary, now):
            continue
        stored = await load(services, summary.tenant_id, summary.requester.id, summary.id)
        request = stored.request
        if not needs_review(request, now):
            continue
        claimed = replace(
            request,
            facts={**request.facts, "reviewAskedAt": now.isoformat()},
            audit=(*request.audit, AuditEntry(now, "system", "review_asked")),
        )
        try:
            await services.requests.update(stored, claimed)
        except (Conflict, AlreadyExists):
            continue
        reference = await services.conversations.get(request.tenant_id, request.requester.id)
        locale = reference.locale if reference else services.settings.default_locale
        try:
            await services.notifier.send_card(
                request.tenant_id, request.requester.id, card(claimed, locale)
            )
            asked += 1
        except DeliveryError:
            # Not asked after all: clear the claim so the next pass tries again.
            fresh = await load(services, request.tenant_id, request.requester.id, request.id)
            facts = {k: v for k, v in fresh.request.facts.items() if k != "reviewAskedAt"}
            await services.requests.update(fresh, replace(fresh.request, facts=facts))
    return asked


async def answer_review(
    services: Services, tenant_id: str, requester_id: str, rid: str, actor_id: str, current: bool
) -> ApprovalRequest:
    """The employee says the side job is still current, or has ended."""
    for _ in range(3):
        stored = await load(services, tenant_id, requester_id, rid)
        request = stored.request
        if actor_id != request.requester.id:
            raise DecisionRefused("not_requester")
        if request.kind != KIND or request.facts.get("endedOn"):
            return request
        now = services.clock()
        if current:
            facts = {**request.facts, "confirmedAt": now.isoformat()}
            action = "confirmed_current"
        else:
            facts = {**request.facts, "endedOn": now.date().isoformat()}
            action = "ended"
        updated = replace(
            request, facts=facts, audit=(*request.audit, AuditEntry(now, actor_id, action))
        )
        try:
            await services.requests.update(stored, updated)
            return updated
        except (Conflict, AlreadyExists):
            continue
    return (await load(services, tenant_id, requester_id, rid)).request
