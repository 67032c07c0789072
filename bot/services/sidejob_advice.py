"""HR's advice on a side job (§4): the manager decides after consulting HR. When HR has not
advised within HR_ADVICE_WORKING_DAYS, HR is reminded once; after a further
HR_ADVICE_GRACE_WORKING_DAYS the manager may decide without HR's advice, and is told so. Each
step is claimed with an ETag-guarded write of the request before anything is sent (as the
reminder job does), so with several instances each goes out exactly once."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.requests import (
    ADVICE_REMINDED,
    ApprovalRequest,
    AuditEntry,
    Status,
)
from bot.domain.sidejobs import AdviceDates, SideJob, advice_step
from bot.services.approvals import Presenter, _note, _send_to_approver, _update_card
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.services.steps import add_working_days
from bot.settings import Settings
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import StoredRequest

log = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KIND = "sidejob"


def advice_dates(settings: Settings, asked_on: date) -> AdviceDates:
    """When HR advises by, and from when the manager may decide without, for advice asked on
    `asked_on` (the day the side job was filed)."""
    due = add_working_days(asked_on, settings.hr_advice_days)
    return AdviceDates(due, add_working_days(due, settings.hr_advice_grace_days))


def dates_of(settings: Settings, request: ApprovalRequest) -> AdviceDates:
    """The dates recorded on the side job when it was filed (or, for one filed before they
    were, counted from that day with today's settings)."""
    job = request.facts
    counted = advice_dates(settings, request.created_at.astimezone(AMSTERDAM).date())
    if isinstance(job, SideJob) and job.advice_due and job.decide_from:
        return AdviceDates(job.advice_due, job.decide_from)
    return counted


async def chase_advice(services: Services, presenter: Presenter) -> int:
    """One pass over the pending side jobs; returns how many reminders and releases it sent."""
    acted = 0
    now = services.clock()
    today = now.astimezone(AMSTERDAM).date()
    for summary in await services.requests.of_kind(KIND, Status.PENDING):
        if summary.advisor is None or summary.advice:
            continue
        stored = await services.requests.get(summary.tenant_id, summary.requester.id, summary.id)
        if stored is None:
            continue
        step = advice_step(stored.request, today, dates_of(services.settings, stored.request))
        if step is None:
            continue
        claimed = await _claim(services, stored, step)
        if claimed is None:
            continue  # another instance has it
        if step == ADVICE_REMINDED:
            await _remind_hr(services, presenter, claimed)
        else:
            await _release(services, presenter, claimed)
        acted += 1
    return acted


async def _claim(services: Services, stored: StoredRequest, action: str) -> ApprovalRequest | None:
    """Write the step into the trail (ETag-guarded); None when another instance was first."""
    request = stored.request
    token = uuid.uuid4().hex[:12]
    entry = AuditEntry(services.clock(), "system", action, f"claim {token}")
    claimed = replace(request, audit=(*request.audit, entry))
    try:
        await services.requests.update(stored, claimed)
    except (Conflict, AlreadyExists):
        # Our own write may have landed with its answer lost: the token tells.
        again = await services.requests.get(request.tenant_id, request.requester.id, request.id)
        if again is None or entry not in again.request.audit:
            return None
    return claimed


async def _remind_hr(services: Services, presenter: Presenter, request: ApprovalRequest) -> None:
    advisor = request.advisor
    if advisor is None:
        return
    reference = await services.conversations.get(request.tenant_id, advisor.id)
    locale = reference.locale if reference else services.settings.default_locale
    try:
        await services.notifier.send_card(
            request.tenant_id,
            advisor.id,
            presenter.advisor_card(request, locale, reminder=True),
            reference,
        )
    except DeliveryError as error:
        log.warning("HR not reminded of advice on %s: %s", request.id, type(error).__name__)
        await _note(services, request, "advice_reminder_undelivered", type(error).__name__)


async def _release(services: Services, presenter: Presenter, request: ApprovalRequest) -> None:
    """The manager may decide now: their card shows the buttons, and they are told."""
    log.info("no HR advice on %s in time: the manager may decide without it", request.id)
    entry = await services.requests.inbox_entry(request.tenant_id, request.approver.id, request.id)
    if entry is not None and entry.message_id:
        await _update_card(services, request.approver.id, entry.message_id, request, presenter)
    error, _ = await _send_to_approver(services, presenter, request, reminder=True)
    if error is not None:
        await _note(services, request, "advice_lapse_undelivered", error)
