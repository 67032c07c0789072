"""The reminder job: pending requests are reminded to their approver, then escalated to the
approver's own manager. Each step is claimed with an ETag-guarded write of the request before
anything is sent, so with several instances every reminder goes out exactly once; nothing is
kept in memory, so restarts lose nothing.

A request a role decides (Communicatie, the director) is not moved when it lies too long:
whoever oversees that role is told (the RvC chair about the director, the holder's manager or
the director about Communicatie), and the role keeps deciding."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from bot.domain.people import Role
from bot.domain.reminders import Due, ReminderPolicy, due
from bot.domain.requests import ApprovalRequest, ApproverRole, AuditEntry, Person, reroute
from bot.services.approvals import Presenter, _note, _send_to_approver
from bot.services.approvers import (
    RVC_ROUTES,
    NoApprover,
    RoleNotConfigured,
    deciding_role,
    fallback_approver,
    role_holder,
    role_holders,
)
from bot.services.context import Services
from bot.services.notify import DeliveryError, FeedNotice
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.requests import StoredRequest

log = logging.getLogger(__name__)

# The activity-feed types, declared in the Teams app manifest (infra/appPackage/manifest.json).
REMINDER_ACTIVITY = "approvalReminder"
ESCALATION_ACTIVITY = "approvalEscalated"


def _token() -> str:
    """Tells this instance's claim apart from another's made at the same moment."""
    return uuid.uuid4().hex[:12]


async def remind_and_escalate(
    services: Services, presenter: Presenter, policy: ReminderPolicy
) -> int:
    """One pass over every pending request; returns how many reminders/escalations it sent."""
    acted = 0
    for tenant_id, entry in await services.requests.pending_everywhere():
        stored = await services.requests.get(tenant_id, entry.requester_id, entry.request_id)
        if stored is None:
            continue
        kind = services.kinds.get(stored.request.kind)
        if kind is not None and kind.blocked(stored.request) is not None:
            continue  # the approver cannot decide yet (a side job waiting for HR's advice)
        noted = kind is not None and kind.choices.acknowledgement(stored.request)
        # The RvC's own route is never escalated to a manager or the integrity officer (who
        # report to the director): reminded once, like a report that is only taken note of.
        noted = noted or stored.request.approver_role in RVC_ROUTES
        step = due(stored.request, services.clock(), policy, noted)
        if step is Due.REMIND:
            acted += await _remind(services, presenter, stored)
        elif step is Due.ESCALATE:
            acted += await _escalate(services, presenter, stored)
    return acted


async def _claim(services: Services, stored: StoredRequest, claimed: ApprovalRequest) -> bool:
    """True when this instance won the right to act (another instance may have been first)."""
    try:
        await services.requests.update(stored, claimed)
    except (Conflict, AlreadyExists):
        # Another instance claimed it first, or our own write landed while its answer was lost
        # (the Azure SDK's retry then meets the ETag it changed): each claim carries a token of
        # its own in its audit entry, so the re-read tells which.
        again = await services.requests.get(claimed.tenant_id, claimed.requester.id, claimed.id)
        return again is not None and claimed.audit[-1] in again.request.audit
    return True


async def _current(services: Services, request: ApprovalRequest) -> ApprovalRequest:
    """The request as stored now: sending took a while, and a decision made meanwhile must not
    be overwritten in the inbox by the state from before the send."""
    stored = await services.requests.get(request.tenant_id, request.requester.id, request.id)
    return stored.request if stored is not None else request


async def _remind(services: Services, presenter: Presenter, stored: StoredRequest) -> int:
    now = services.clock()
    request = stored.request
    claimed = replace(
        request,
        reminded_at=now,
        audit=(
            *request.audit,
            AuditEntry(now, "system", "reminded", f"{request.approver.id} (claim {_token()})"),
        ),
    )
    if not await _claim(services, stored, claimed):
        return 0
    error, message_id = await _send_to_approver(services, presenter, claimed, reminder=True)
    if error is not None:
        await _note(services, claimed, "reminder_undelivered", error)
    elif message_id:
        await services.requests.put_inbox(await _current(services, claimed), message_id=message_id)
    for other in claimed.co_approvers:  # the whole RvC decides: each member is reminded
        error, message_id = await _send_to_approver(
            services, presenter, replace(claimed, approver=other), reminder=True
        )
        if error is not None:
            await _note(services, claimed, "reminder_undelivered", f"{other.id}: {error}")
        elif message_id:
            current = await _current(services, claimed)
            await services.requests.put_inbox(current, other.id, message_id)
    await _to_feed(services, presenter, claimed, escalated=False)
    return 1


async def _escalate(services: Services, presenter: Presenter, stored: StoredRequest) -> int:
    now = services.clock()
    request = stored.request
    role = deciding_role(request.approver_role)
    if role is not None:
        return await _tell_overseer(services, presenter, stored, role)
    target = await _escalation_target(services, request)
    if target is None:
        return 0
    escalated = replace(
        reroute(
            request,
            target,
            ApproverRole.ESCALATION,
            f"no decision in time (claim {_token()})",
            now,
            "escalated",
        ),
        escalated_at=now,
    )
    if not await _claim(services, stored, escalated):
        return 0
    await services.requests.remove_inbox(request.tenant_id, request.approver.id, request.id)
    error, message_id = await _send_to_approver(services, presenter, escalated)
    if error is not None:
        await _note(services, escalated, "undelivered", error)
    await services.requests.put_inbox(await _current(services, escalated), message_id=message_id)
    services.menu_facts.drop((escalated.tenant_id, escalated.approver.id))
    await _to_feed(services, presenter, escalated, escalated=True)
    return 1


async def _tell_overseer(
    services: Services, presenter: Presenter, stored: StoredRequest, role: Role
) -> int:
    """A request a role decides lies too long: the role's overseer gets a card for their
    information (no buttons: they are not its approver) and the trail says so; the request
    stays with the role. Once, claimed like any escalation."""
    now = services.clock()
    request = stored.request
    overseer = await _overseer(services, request, role)
    if overseer is None:
        log.warning("request %s not escalated: nobody oversees role %s", request.id, role.value)
        return 0
    claimed = replace(
        request,
        escalated_at=now,
        audit=(
            *request.audit,
            AuditEntry(now, "system", "overseer_told", f"{overseer.id} (claim {_token()})"),
        ),
    )
    if not await _claim(services, stored, claimed):
        return 0
    reference = await services.conversations.get(request.tenant_id, overseer.id)
    if reference is None:
        await _note(services, claimed, "overseer_not_told", "NoConversationReference")
        return 1
    locale = reference.locale or services.settings.default_locale
    card = presenter.overdue_notice(claimed, locale, overseer.id)
    try:
        await services.notifier.send_card(request.tenant_id, overseer.id, card, reference)
    except DeliveryError as error:
        await _note(services, claimed, "overseer_not_told", type(error).__name__)
    return 1


async def _overseer(services: Services, request: ApprovalRequest, role: Role) -> Person | None:
    """Who is told when a role leaves a request lying: about the director, the RvC chair;
    about Communicatie, the holder's own manager, else the director. Never the requester or
    the approver."""
    mine = (request.requester.id, request.approver.id)
    if role is not Role.DIRECTOR:
        manager = await services.managers.manager_of(request.tenant_id, request.approver.id)
        if manager is not None and manager.id not in mine:
            return manager
    above = Role.RVC_CHAIR if role is Role.DIRECTOR else Role.DIRECTOR
    found = await role_holders(request.tenant_id, above, services.directory, *mine)
    return found[0] if found else None


async def _to_feed(
    services: Services, presenter: Presenter, request: ApprovalRequest, escalated: bool
) -> None:
    """The reminder or escalation in the approver's Teams activity feed too, when configured;
    the chat message (sent already) is what they get when Graph refuses."""
    if services.feed is None:
        return
    reference = await services.conversations.get(request.tenant_id, request.approver.id)
    locale = (reference.locale if reference else "") or services.settings.default_locale
    preview, topic = presenter.feed_texts(request, locale, escalated)
    notice = FeedNotice(
        ESCALATION_ACTIVITY if escalated else REMINDER_ACTIVITY,
        preview,
        topic,
        # A click on the entry opens the personal chat with the bot, where the card is.
        f"https://teams.microsoft.com/l/chat/0/0?users=28:{services.settings.app_id}",
        {"reference": request.id},
    )
    made = await services.feed.notify(request.tenant_id, request.approver.id, notice)
    log.info("request %s %s in the activity feed: %s", request.id, notice.activity_type, made)


async def _escalation_target(services: Services, request: ApprovalRequest) -> Person | None:
    """The approver's own manager; else the integrity officer; never the requester. A request
    the director did not decide in time goes up to the RvC chair, never down to someone who
    reports to the director (with no chair, it is not escalated and the log says so)."""
    approver = await services.directory.get_person(request.tenant_id, request.approver.id)
    if approver is not None and approver.has(Role.DIRECTOR):
        try:
            chair = await role_holder(
                request.tenant_id, Role.RVC_CHAIR, request.requester.id, services.directory
            )
        except RoleNotConfigured:
            return None
        return chair if chair.id != request.approver.id else None
    manager = await services.managers.manager_of(request.tenant_id, request.approver.id)
    if manager is not None and manager.id not in (request.requester.id, request.approver.id):
        return manager
    try:
        fallback = await fallback_approver(
            request.tenant_id, request.requester.id, services.directory
        )
    except NoApprover:
        log.error("request %s cannot be escalated: no integrity officer", request.id)
        return None
    return fallback if fallback.id != request.approver.id else None
