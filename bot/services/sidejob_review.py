"""Once a year everyone is asked whether each declared side job is still current (§4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.requests import ApprovalRequest, AuditEntry, DecisionRefused, Status
from bot.domain.sidejobs import SideJob
from bot.services.approvals import load
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.storage.errors import AlreadyExists, Conflict

YEAR = timedelta(days=365)
KIND = "sidejob"

ReviewCard = Callable[[ApprovalRequest, str], dict[str, Any]]


def _job(request: ApprovalRequest) -> SideJob | None:
    return request.facts if isinstance(request.facts, SideJob) else None


def last_confirmed(request: ApprovalRequest) -> datetime:
    job = _job(request)
    if job is not None and job.confirmed_at is not None:
        return job.confirmed_at
    return request.decided_at or request.created_at


def needs_review(request: ApprovalRequest, now: datetime) -> bool:
    """Approved, not ended, confirmed more than a year ago, and not asked since."""
    job = _job(request)
    if request.status is not Status.APPROVED or job is None or job.ended_on is not None:
        return False
    last = last_confirmed(request)
    if job.review_asked_at is not None and job.review_asked_at > last:
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
        job = _job(request)
        if job is None or not needs_review(request, now):
            continue
        claimed = replace(
            request,
            facts=replace(job, review_asked_at=now),
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
            fresh_job = _job(fresh.request)
            if fresh_job is not None:
                facts = replace(fresh_job, review_asked_at=None)
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
        job = _job(request)
        if request.kind != KIND or job is None or job.ended_on is not None:
            return request
        now = services.clock()
        if current:
            facts = replace(job, confirmed_at=now)
            action = "confirmed_current"
        else:
            facts = replace(job, ended_on=now.date())
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
