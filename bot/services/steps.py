"""What follows a verdict or a decision, tracked (see `Step`): a gift to hand in is expected by
the secretariat on its collection register until it arrives; a gift to give back waits for the
employee to say it is back. Decisions, withdrawals and submissions call `follow`, which is
idempotent: a retry or the repair job may call it again."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain.kinds import AMSTERDAM, Kind
from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest, AuditEntry, DecisionRefused, Status, Step
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.services.raffle import take_out_of_announced
from bot.services.telling import tell
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import StoredRequest


class OverdueCards(Protocol):
    """The one card this module sends (dialogs' CardPresenter has it)."""

    def overdue_card(
        self, request: ApprovalRequest, locale: str, viewer_id: str
    ) -> dict[str, Any]: ...


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
    # Only a gift that was ever to be handed in can be on the register: the others (kept, or
    # refused from the start) cost no storage request here.
    if HAND_IN in (kind.steps.get(request.verdict), request.outcome):
        if await services.collection.cancel(request.tenant_id, request.id):
            # The secretariat had it: if it is on the announced raffle, the published record
            # must say it was taken out (never a silent change of what was published).
            await take_out_of_announced(services, request.tenant_id, request.id)


async def _load(services: Services, tenant_id: str, requester_id: str, rid: str) -> StoredRequest:
    stored = await services.requests.get(tenant_id, requester_id, rid)
    if stored is None:
        raise DecisionRefused("not_found")
    return stored


async def step_done(
    services: Services, tenant_id: str, requester_id: str, rid: str, by: str
) -> None:
    """Record on the request that its step is done (the secretariat received the gift)."""
    for attempt in range(ATTEMPTS):
        stored = await _load(services, tenant_id, requester_id, rid)
        step = stored.request.step
        if step is None or step.done:
            return
        now = services.clock()
        done = replace(
            stored.request,
            step=replace(step, done_at=now, done_by=by),
            audit=(*stored.request.audit, AuditEntry(now, by, "received")),
        )
        try:
            await services.requests.update(stored, done)
            return
        except (Conflict, AlreadyExists):
            await pause(attempt)
    log.error("could not record on %s that the gift was received", rid)


async def remind_overdue(services: Services, presenter: OverdueCards) -> int:
    """Gifts to hand in that have not arrived: after the due day the employee is reminded
    once; HAND_IN_ESCALATION_WORKING_DAYS later their approver is told. Each message is
    claimed with an ETag-guarded write of the request first, so it goes out once however many
    instances run this."""
    acted = 0
    today = services.clock().astimezone(AMSTERDAM).date()
    for tenant_id, gift in await services.collection.expected_everywhere():
        stored = await services.requests.get(tenant_id, gift.requester_id, gift.request_id)
        if stored is None:
            continue
        request = stored.request
        step = request.step
        if step is None or step.code != HAND_IN or step.done or step.due_on is None:
            continue
        if request.status is Status.WITHDRAWN:
            continue
        now = services.clock()
        if step.reminded_at is None and today > step.due_on:
            who, changed = request.requester.id, replace(step, reminded_at=now)
        elif (
            step.reminded_at is not None
            and step.escalated_at is None
            and today > add_working_days(step.due_on, services.settings.hand_in_escalation_days)
        ):
            who, changed = request.approver.id, replace(step, escalated_at=now)
        else:
            continue
        action = "hand_in_reminded" if who == request.requester.id else "hand_in_escalated"
        claimed = replace(
            request,
            step=changed,
            audit=(*request.audit, AuditEntry(now, "system", action, who)),
        )
        try:
            await services.requests.update(stored, claimed)
        except (Conflict, AlreadyExists):
            continue  # another instance claimed it (or the request changed): next pass
        await _tell(services, presenter, claimed, who)
        acted += 1
    return acted


async def _tell(
    services: Services, presenter: OverdueCards, request: ApprovalRequest, person_id: str
) -> None:
    failed = await tell(
        services,
        request.tenant_id,
        person_id,
        lambda locale: presenter.overdue_card(request, locale, person_id),
        "overdue hand-in not told",
    )
    if failed:  # written down, so the register shows that nobody was told
        await _note(services, request, "hand_in_not_told", f"{person_id}: {failed}")


async def _note(services: Services, request: ApprovalRequest, action: str, detail: str) -> None:
    for attempt in range(ATTEMPTS):
        stored = await services.requests.get(request.tenant_id, request.requester.id, request.id)
        if stored is None:
            return
        entry = AuditEntry(services.clock(), "system", action, detail)
        noted = replace(stored.request, audit=(*stored.request.audit, entry))
        try:
            await services.requests.update(stored, noted)
            return
        except (Conflict, AlreadyExists):
            await pause(attempt)
    log.error("audit entry %s on %s lost %d races in a row", action, request.id, ATTEMPTS)


async def confirm_returned(
    services: Services, actor_id: str, tenant_id: str, rid: str
) -> ApprovalRequest:
    """The employee says the gift is back with the giver (only they can; once is enough)."""
    for attempt in range(ATTEMPTS):
        stored = await _load(services, tenant_id, actor_id, rid)
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
