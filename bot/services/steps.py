"""What follows a verdict or a decision, tracked (see `Step`): a gift to hand in is expected by
the secretariat on its collection register until it arrives; a gift to give back waits for the
employee to say it is back. Decisions, withdrawals and submissions call `follow`, which is
idempotent: a retry or the repair job may call it again."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.kinds import AMSTERDAM, Kind
from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest, AuditEntry, DecisionRefused, Status, Step
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.storage.errors import AlreadyExists, Conflict

log = logging.getLogger(__name__)

HAND_IN = "hand_in"
GIVE_BACK = "give_back"


def add_working_days(start: date, days: int) -> date:
    """The working day (Monday to Friday) `days` working days after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


async def next_step(
    services: Services, kind: Kind[Any], request: ApprovalRequest, now: datetime
) -> Step | None:
    """The step that follows where `request` stands now; an unchanged step keeps its dates."""
    code = kind.step_code(request)
    if code is None:
        return request.step if request.status is Status.WITHDRAWN else None
    if request.step is not None and request.step.code == code:
        return request.step
    if code != HAND_IN:
        return Step(code)
    today = now.astimezone(AMSTERDAM).date()
    secretariat = await services.directory.with_role(request.tenant_id, Role.SECRETARIAT)
    names = ", ".join(p.name for p in secretariat if p.active)
    if not names:
        log.warning("no secretariat in the directory: %s names no one to hand in to", request.id)
    return Step(
        HAND_IN,
        due_on=add_working_days(today, services.settings.hand_in_working_days),
        to=names,
    )


async def with_step(services: Services, request: ApprovalRequest, now: datetime) -> ApprovalRequest:
    """`request` with the step that follows its state (unchanged for kinds without steps)."""
    kind = services.kinds.get(request.kind)
    if kind is None or not kind.steps:
        return request
    return replace(request, step=await next_step(services, kind, request, now))


async def follow(services: Services, request: ApprovalRequest) -> None:
    """Make the collection register agree with the request: a gift to hand in is expected
    there; one that is no longer to be handed in (given back, kept, withdrawn) is taken off,
    or marked to go back when the secretariat already has it. Never enters a raffle then."""
    kind = services.kinds.get(request.kind)
    if kind is None or not kind.steps:
        return
    step = request.step
    if step is not None and step.code == HAND_IN and request.status is not Status.WITHDRAWN:
        collected = kind.collected_as(request)
        if collected is not None:
            description, cents = collected
            await services.collection.expect(request, description, cents)
        return
    await services.collection.cancel(request.tenant_id, request.id)


async def confirm_returned(
    services: Services, actor_id: str, tenant_id: str, rid: str
) -> ApprovalRequest:
    """The employee says the gift is back with the giver (only they can; once is enough)."""
    from bot.services.approvals import load  # the engine imports this module

    for attempt in range(ATTEMPTS):
        stored = await load(services, tenant_id, actor_id, rid)
        request = stored.request
        if request.requester.id != actor_id:
            raise DecisionRefused("not_requester_step")
        step = request.step
        if step is None or step.code != GIVE_BACK or request.status is Status.WITHDRAWN:
            raise DecisionRefused("no_step")
        if step.done:
            return request  # a repeat
        now = services.clock()
        done = replace(
            request,
            step=replace(step, done_at=now, done_by=actor_id),
            audit=(*request.audit, AuditEntry(now, actor_id, "returned")),
        )
        try:
            await services.requests.update(stored, done)
        except (Conflict, AlreadyExists):
            again = await services.requests.get(tenant_id, actor_id, rid)
            if again is not None and again.request.step and again.request.step.done:
                return again.request  # ours landed, its answer lost
            await pause(attempt)
            continue
        return done
    raise Conflict(f"could not record that {rid} was given back")
