"""The approval engine's use cases: submit a request, decide it, withdraw it.

Order matters for "never lost": the request is written before anyone is notified; a notification
that cannot be delivered is rerouted to the fallback approver and written in the audit trail. A
request that a role decides (Communicatie, the director) or the RvC is never rerouted to the
fallback approver: it goes to another holder of the role, or stays recorded as undelivered.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain.kinds import Kind
from bot.domain.people import Actor, Role
from bot.domain.requests import (
    NO_ADVISOR,
    ApprovalRequest,
    ApproverRole,
    AuditEntry,
    DecisionRefused,
    Facts,
    Person,
    Status,
    advise,
    decide,
    may_decide,
    request_id,
    reroute,
    withdraw,
)
from bot.services.approvers import (
    RVC_ROUTES,
    deciding_role,
    fallback_approver,
    find_route,
    role_approver,
    role_holders,
)
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.services.notify import DeliveryError, NoConversationReference
from bot.services.steps import follow, with_step
from bot.services.telling import tell
from bot.storage.errors import AlreadyExists, Conflict, NotFound, StorageError
from bot.storage.repositories import StoredReference
from bot.storage.requests import StoredRequest, sealed_request, unsealed_request

log = logging.getLogger(__name__)


class Presenter(Protocol):
    """Renders the cards the engine sends (implemented in dialogs, which own the cards)."""

    def approver_card(
        self, request: ApprovalRequest, locale: str, *, sealed: str = ""
    ) -> dict[str, Any]:
        """`sealed`: the stored request's sealed copy, carried by the decision buttons."""
        ...

    def decision_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]: ...

    def withdrawal_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]: ...

    def advisor_card(
        self, request: ApprovalRequest, locale: str, reminder: bool = False
    ) -> dict[str, Any]: ...

    def reminder_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]: ...

    def overdue_card(
        self, request: ApprovalRequest, locale: str, viewer_id: str
    ) -> dict[str, Any]: ...

    def feed_texts(self, request: ApprovalRequest, locale: str, escalated: bool) -> tuple[str, str]:
        """(preview text, topic) of the activity-feed entry for a reminder or escalation."""
        ...

    def handover_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]: ...

    def overdue_notice(
        self, request: ApprovalRequest, locale: str, viewer_id: str
    ) -> dict[str, Any]:
        """For whoever oversees the role that has not decided in time: the request, no buttons."""
        ...

    def receipt_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        """The requester's own card (their receipt) as the request now is."""
        ...


class RequestNotFound(LookupError):
    """No request with that id for that requester."""


@dataclass(frozen=True)
class Draft:
    """What a flow hands to the engine: the kind-specific facts and the rules' outcome."""

    kind: str
    prefix: str  # reference prefix, e.g. CAD for gifts
    facts: Facts
    verdict: str
    reasons: tuple[str, ...]
    form_id: str  # the same form submitted twice (double click, Teams retry) is one request
    advisor_role: Role | None = None  # e.g. HR advises on side jobs before the manager decides
    decider_role: Role | None = None  # decided by this role instead of the manager (the press)
    receipt_message: str = ""  # the chat message the form was on: it becomes the receipt


# How long a "redelivery" claim holds: a sender that read the request after the claim must not
# send too; after this, a claim that died with its instance may be taken over.
REDELIVERY_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class Submitted:
    request: ApprovalRequest
    created: bool  # False: this form had been submitted already
    delivered: bool  # the approver has the card
    rerouted: bool  # it went to the fallback approver
    completed: bool = False  # a repeat that finished a half-done earlier submission


async def submit(services: Services, presenter: Presenter, actor: Actor, draft: Draft) -> Submitted:
    """Record the request (first), then put it before the approver.

    The same form again (a retry after "could not save", Teams redelivering the invoke, a double
    click) is the same request: it is never recorded twice, and if the first attempt stopped
    half-way (recorded, but not in the approver's inbox) the repeat completes it."""
    rid = request_id(draft.prefix, actor.tenant_id, actor.user_id, draft.form_id)
    # Repeats of one submission in this process wait for the first, then see its outcome (a
    # redelivered invoke must not race its original into sending a second approval card).
    async with services.submitting.hold(rid):
        result = await _submit(services, presenter, actor, draft, rid)
    await follow(services, result.request)  # every time: a retry finishes what one left undone
    return result


async def _submit(
    services: Services, presenter: Presenter, actor: Actor, draft: Draft, rid: str
) -> Submitted:
    # No read first: a repeat is found by the insert below failing (one round trip less).
    now = services.clock()
    co_approvers: tuple[Person, ...] = ()
    if draft.decider_role is not None:
        approver, role = await role_approver(
            actor.tenant_id, draft.decider_role, actor.user_id, services.directory
        )
    else:
        route = await find_route(
            actor.tenant_id, actor.user_id, services.directory, services.managers
        )
        approver, role, co_approvers = route.approver, route.role, route.co_approvers
    advisor = await _advisor(services, actor.tenant_id, draft.advisor_role, actor.user_id, approver)
    audit: tuple[AuditEntry, ...] = (AuditEntry(now, actor.user_id, "submitted"),)
    if draft.advisor_role is not None and advisor is None:
        # Never skipped silently: the trail, the cards and the register say it was decided
        # without the advice, and the log names the missing role (no personal data).
        log.warning(
            "no %s in the directory to advise on %s: the approver decides without advice",
            draft.advisor_role.value,
            rid,
        )
        audit = (*audit, AuditEntry(now, "system", NO_ADVISOR, draft.advisor_role.value))
    # Read once: the approver's Teams id (for card refresh), language and where to send.
    reference = await services.conversations.get(actor.tenant_id, approver.id)
    watchers = tuple(m for m in (actor.mri, reference.user_mri if reference else "") if m)
    for other in co_approvers:
        watchers = (*watchers, *filter(None, [await _mri(services, actor.tenant_id, other)]))
    request = ApprovalRequest(
        id=rid,
        kind=draft.kind,
        tenant_id=actor.tenant_id,
        requester=Person(actor.user_id, actor.name),
        approver=approver,
        approver_role=role,
        facts=draft.facts,
        verdict=draft.verdict,
        reasons=draft.reasons,
        created_at=now,
        audit=audit,
        watchers=watchers,
        advisor=advisor,
        receipt_message=draft.receipt_message[:200],
        co_approvers=co_approvers,
    )
    request = await with_step(services, request, now)
    try:
        stored = await services.requests.create(request)
    except AlreadyExists:  # this form was submitted before (double click, Teams retry)
        again = await services.requests.get(actor.tenant_id, actor.user_id, rid)
        if again is None:
            raise
        return await complete(services, presenter, again)
    stored, delivered, rerouted, message_id = await _deliver(services, presenter, stored, reference)
    await services.requests.put_inbox(stored.request, message_id=message_id)
    services.menu_facts.drop((actor.tenant_id, stored.request.approver.id))  # "openstaand" now
    await _deliver_to_co_approvers(services, presenter, stored.request)
    if advisor is not None:
        services.menu_facts.drop((actor.tenant_id, advisor.id))
        await _ask_advice(services, presenter, stored.request, advisor)
    return Submitted(stored.request, created=True, delivered=delivered, rerouted=rerouted)


async def complete(services: Services, presenter: Presenter, stored: StoredRequest) -> Submitted:
    """Finish a recorded submission that stopped before its approver's inbox row was written
    (storage failed after the request was saved): deliver the card and write the row.

    A request with its inbox row is complete and left alone. The work is claimed with an
    ETag-guarded audit entry ("redelivery"), so a retry and the recovery job, or two instances,
    never both deliver it. A card may reach the approver twice when storage failed exactly
    between sending it and writing the row; it never reaches nobody."""
    request = stored.request
    done = Submitted(request, created=False, delivered=True, rerouted=False)
    if not request.pending:
        return done
    if await services.requests.inbox_entry(request.tenant_id, request.approver.id, request.id):
        return done
    now = services.clock()
    claims = [e.at for e in request.audit if e.action == "redelivery"]
    if claims and now - max(claims) < REDELIVERY_CLAIM:
        return done  # another attempt claimed it and may still be sending
    entry = AuditEntry(now, "system", "redelivery", "no inbox row")
    try:
        stored = await services.requests.update(
            stored, replace(request, audit=(*request.audit, entry))
        )
    except (Conflict, AlreadyExists):
        return done  # someone else claimed it
    log.warning("completing a half-done submission %s", request.id)
    stored, delivered, rerouted, message_id = await _deliver(services, presenter, stored)
    await services.requests.put_inbox(stored.request, message_id=message_id)
    await _deliver_to_co_approvers(services, presenter, stored.request)
    advisor = stored.request.advisor
    if advisor is not None and not await services.requests.inbox_entry(
        request.tenant_id, advisor.id, request.id
    ):
        await _ask_advice(services, presenter, stored.request, advisor)
    return Submitted(
        stored.request, created=False, delivered=delivered, rerouted=rerouted, completed=True
    )


async def _deliver_to_co_approvers(
    services: Services, presenter: Presenter, request: ApprovalRequest
) -> None:
    """Everyone else who may decide (the whole RvC) gets the card too, once, and has it in
    their "openstaand"; one who cannot be reached is written in the trail."""
    for person in request.co_approvers:
        if await services.requests.inbox_entry(request.tenant_id, person.id, request.id):
            continue
        reference = await services.conversations.get(request.tenant_id, person.id)
        message_id = ""
        if reference is None:
            await _note(services, request, "undelivered", f"{person.id}: NoConversationReference")
        else:
            card = presenter.approver_card(
                request, reference.locale or services.settings.default_locale
            )
            try:
                message_id = await services.notifier.send_card(
                    request.tenant_id, person.id, card, reference
                )
            except DeliveryError as error:
                why = f"{person.id}: {type(error).__name__}"
                await _note(services, request, "undelivered", why)
        await services.requests.put_inbox(request, person.id, message_id)
        services.menu_facts.drop((request.tenant_id, person.id))


async def _update_co_approvers(
    services: Services, presenter: Presenter, request: ApprovalRequest
) -> None:
    """After the first decision (or a withdrawal) every other decider's card shows it and it
    leaves their "openstaand"."""
    decider = request.decided_by or request.approver.id
    for person in request.deciders:
        if person.id == decider or not request.co_approvers:
            continue
        entry = await services.requests.inbox_entry(request.tenant_id, person.id, request.id)
        if entry is None:
            continue
        if entry.message_id:
            await _update_card(services, person.id, entry.message_id, request, presenter)
        await services.requests.put_inbox(request, person.id, entry.message_id)
        services.menu_facts.drop((request.tenant_id, person.id))


async def _advisor(
    services: Services, tenant_id: str, role: Role | None, requester_id: str, approver: Person
) -> Person | None:
    if role is None:
        return None
    for person in await services.directory.with_role(tenant_id, role):
        if person.id not in (requester_id, approver.id):
            return Person(person.id, person.name)
    return None


async def _ask_advice(
    services: Services, presenter: Presenter, request: ApprovalRequest, advisor: Person
) -> None:
    """The advisor gets their own card; undeliverable is written in the audit trail."""
    reference = await services.conversations.get(request.tenant_id, advisor.id)
    locale = reference.locale if reference else services.settings.default_locale
    try:
        message_id = await services.notifier.send_card(
            request.tenant_id, advisor.id, presenter.advisor_card(request, locale)
        )
    except DeliveryError as error:
        await _note(services, request, "advisor_not_notified", type(error).__name__)
        message_id = ""
    await services.requests.put_inbox(request, advisor.id, message_id, role="advisor")


async def _deliver(
    services: Services,
    presenter: Presenter,
    stored: StoredRequest,
    reference: StoredReference | None = None,
) -> tuple[StoredRequest, bool, bool, str]:
    """Send the approval card; on failure reroute to the fallback approver, never drop it.

    Returns the stored request, whether it was delivered, whether it was rerouted, and the id
    of the approver's card."""
    request = stored.request
    error, message_id = await _send_to_approver(
        services, presenter, request, known=reference, sealed=sealed_request(services.seal, stored)
    )
    if error is None:
        return stored, True, False, message_id
    now = services.clock()
    failed = replace(
        request,
        audit=(*request.audit, AuditEntry(now, "system", "undelivered", error)),
    )
    role = deciding_role(request.approver_role)
    if role is not None:
        return await _deliver_within_role(services, presenter, stored, failed, role, error)
    if request.approver_role in RVC_ROUTES:
        # Never to the integrity officer (who reports to the director): recorded, and the
        # recovery and reminder jobs try the RvC again.
        log.error("approval card undeliverable to the RvC for %s", request.id)
        return await services.requests.update(stored, failed), False, False, ""
    if request.approver_role is not ApproverRole.FALLBACK:
        fallback = await fallback_approver(
            request.tenant_id, request.requester.id, services.directory
        )
        rerouted = reroute(failed, fallback, ApproverRole.FALLBACK, error, now)
        stored, rerouted, second, message_id = await _move_and_send(
            services, presenter, stored, rerouted
        )
        if second is None:
            return stored, True, True, message_id
        failed = replace(
            rerouted, audit=(*rerouted.audit, AuditEntry(now, "system", "undelivered", second))
        )
        log.error("approval card undeliverable to manager and fallback for %s", request.id)
        return await services.requests.update(stored, failed), False, True, ""
    log.error("approval card undeliverable to the fallback approver for %s", request.id)
    return await services.requests.update(stored, failed), False, False, ""


async def _move_and_send(
    services: Services, presenter: Presenter, stored: StoredRequest, moved: ApprovalRequest
) -> tuple[StoredRequest, ApprovalRequest, str | None, str]:
    """Record the request with its new approver (who watches its card from now on), then send
    them the card: (stored, the request as recorded, why not delivered or None, message id)."""
    mri = await _mri(services, moved.tenant_id, moved.approver)
    if mri:
        moved = replace(moved, watchers=(*moved.watchers, mri))
    stored = await services.requests.update(stored, moved)
    error, message_id = await _send_to_approver(
        services, presenter, moved, sealed=sealed_request(services.seal, stored)
    )
    return stored, moved, error, message_id


async def _deliver_within_role(
    services: Services,
    presenter: Presenter,
    stored: StoredRequest,
    failed: ApprovalRequest,
    role: Role,
    error: str,
) -> tuple[StoredRequest, bool, bool, str]:
    """A request a role decides (Communicatie, the director) whose holder could not be reached
    goes to another holder of that role, if there is one; never to the integrity officer, who
    would then decide in the role's place. Nobody reachable: it stays recorded as undelivered
    with a holder of the role (in their "openstaand"; the reminder job tries again), like the
    RvC's routes. Not `rerouted` in the receipt's sense: it is still with the role."""
    request = stored.request
    now = services.clock()
    pending = failed
    tried = (request.requester.id, request.approver.id, *request.former_approvers)
    for holder in await role_holders(request.tenant_id, role, services.directory, *tried):
        moved = reroute(pending, holder, request.approver_role, error, now)
        stored, moved, again, message_id = await _move_and_send(services, presenter, stored, moved)
        if again is None:
            return stored, True, False, message_id
        error = again
        entry = AuditEntry(now, "system", "undelivered", error)
        pending = replace(moved, audit=(*moved.audit, entry))
    log.error("approval card undeliverable to every holder of %s for %s", role.value, request.id)
    return await services.requests.update(stored, pending), False, False, ""


async def _send_to_approver(
    services: Services,
    presenter: Presenter,
    request: ApprovalRequest,
    reminder: bool = False,
    known: StoredReference | None = None,
    sealed: str = "",
) -> tuple[str | None, str]:
    """(None, message id) when delivered, else (the reason it was not, ""). `sealed`: the
    stored request's sealed copy, for the card's decision buttons."""
    reference = known or await services.conversations.get(request.tenant_id, request.approver.id)
    if reference is None:
        log.warning("approval card not delivered: NoConversationReference")
        return NoConversationReference.__name__, ""
    locale = reference.locale or services.settings.default_locale
    card = (
        presenter.reminder_card(request, locale)
        if reminder
        else presenter.approver_card(request, locale, sealed=sealed)
    )
    try:
        message_id = await services.notifier.send_card(
            request.tenant_id, request.approver.id, card, reference
        )
    except DeliveryError as error:
        log.warning("approval card not delivered: %s", type(error).__name__)
        return type(error).__name__, ""
    return None, message_id


async def _mri(services: Services, tenant_id: str, person: Person) -> str:
    """A person's Teams id, so card refreshes can show each watcher their own view."""
    reference = await services.conversations.get(tenant_id, person.id)
    return reference.user_mri if reference else ""


async def load(services: Services, tenant_id: str, requester_id: str, rid: str) -> StoredRequest:
    stored = await services.requests.get(tenant_id, requester_id, rid)
    if stored is None:
        raise RequestNotFound(rid)
    return stored


async def decide_request(
    services: Services,
    presenter: Presenter,
    actor: Actor,
    requester_id: str,
    rid: str,
    choice: str,
    comment: str,
    message_id: str | None,
    colleague_id: str = "",
    sealed: str = "",
) -> ApprovalRequest:
    """The approver decides: `choice` is one of the codes the request's kind offers for its
    verdict (bot.domain.choices). Anyone other than the designated approver is refused
    (DecisionRefused), and so is a choice the kind does not offer (`choice_not_offered`).

    A write that loses a race against some other change (a note, HR's advice, a reminder claim)
    is re-read and re-applied while the decision is still valid; a repeat of a decision that
    already took effect completes whatever its first attempt left undone (`settle`). A write
    whose answer was lost but that landed (the SDK's retry then meets its own ETag) is found in
    the trail on the re-read, and announced by this turn.

    `sealed`: the copy of the request the card carries (`sealed_request`). The decision is
    judged on it and written with its ETag, without a read: storage still holds exactly that
    version, or the write fails and the decision is judged again on a fresh read. A refusal
    judged on the copy is never shown: storage may have changed since, so it is judged again
    on what storage holds."""
    now = services.clock()
    copy = (
        unsealed_request(services.seal, services.kinds, sealed, actor.tenant_id, requester_id, rid)
        if sealed
        else None
    )
    attempt = 0
    while attempt < ATTEMPTS:
        stored = copy or await load(services, actor.tenant_id, requester_id, rid)
        try:
            may_decide(stored.request, actor.user_id)
            kind = _kind(services, stored.request)
            blocked = kind.blocked(stored.request)  # e.g. a side job still waiting for HR
            if blocked is not None:
                raise DecisionRefused(blocked)
            picked = kind.choices.pick(stored.request, choice)
            assignee = (
                await _colleague(services, stored.request, actor, colleague_id)
                if picked.needs_colleague
                else None
            )
            decided = decide(stored.request, actor.user_id, picked, comment, now, assignee)
            decided = await with_step(services, decided, now)
        except DecisionRefused as refusal:
            if copy is not None:  # judged on the card's copy: judge it on storage instead
                copy = None
                continue
            if refusal.code not in ("already_decided", "withdrawn"):
                raise
            # Ours, its answer lost (the SDK retried and met its own ETag): nobody else is
            # announcing it, so settle it now (claimed: a concurrent repeat does it once).
            grace = timedelta(0) if _landed(stored.request, actor.user_id, now) else SETTLE_GRACE
            settled = await settle(services, presenter, stored, message_id=message_id, grace=grace)
            return settled.request
        try:
            async with _unannounced_if_it_fails(services, rid):
                stored = await services.requests.update(stored, decided)
        except (Conflict, AlreadyExists, NotFound) as error:
            if copy is not None:  # the card's copy is older than storage (or than its removal)
                copy = None
                continue
            if isinstance(error, NotFound):
                raise RequestNotFound(rid) from error
            await pause(attempt)
            attempt += 1
            continue
        await _announce_decision(services, presenter, decided, message_id)
        return decided
    log.error("decision on %s lost %d races in a row", rid, ATTEMPTS)
    raise Conflict(f"could not record the decision on {rid}")


async def _colleague(
    services: Services, request: ApprovalRequest, actor: Actor, colleague_id: str
) -> Person | None:
    """The colleague a case is handed over to, as the directory knows them: active, neither
    the requester nor the approver (the card's choice is only an id, checked here)."""
    if not colleague_id:
        return None
    person = await services.directory.get_person(request.tenant_id, colleague_id)
    if (
        person is None
        or not person.active
        or person.id in (request.requester.id, actor.user_id, request.approver.id)
    ):
        raise DecisionRefused("colleague_invalid")
    return Person(person.id, person.name)


async def colleagues(services: Services, request: ApprovalRequest, actor_id: str) -> list[Person]:
    """Who a case can be handed over to: active people in the directory, by name, except the
    requester and the approver."""
    people = await services.directory.people(request.tenant_id)
    excluded = (request.requester.id, request.approver.id, actor_id)
    return sorted(
        (Person(p.id, p.name) for p in people if p.active and p.id not in excluded),
        key=lambda p: p.name.casefold(),
    )


def _kind(services: Services, request: ApprovalRequest) -> Kind[Any]:
    kind = services.kinds.get(request.kind)
    if kind is None:  # a kind this app no longer has: nothing can be decided on it here
        raise RequestNotFound(request.id)
    return kind


async def _announce_decision(
    services: Services, presenter: Presenter, decided: ApprovalRequest, message_id: str | None
) -> None:
    """The side effects of a decision, in an order that makes them repairable: the cards and
    the requester's notice first, the approver's inbox row last (it says "settled")."""
    await follow(services, decided)
    if not message_id:
        entry = await services.requests.inbox_entry(
            decided.tenant_id, decided.decided_by or decided.approver.id, decided.id
        )
        message_id = entry.message_id if entry else None
    await _announce(services, presenter, decided, message_id)
    await _update_co_approvers(services, presenter, decided)
    await _update_advisor(services, presenter, decided)
    await _tell_assignee(services, presenter, decided)
    decider = decided.decided_by or decided.approver.id
    await services.requests.put_inbox(decided, decider, message_id or "")


async def _announce_withdrawal(
    services: Services,
    presenter: Presenter,
    withdrawn: ApprovalRequest,
    on_message: str | None = None,
) -> None:
    """Off the advisor's and the approver's lists, the approver's card shows it, and so does
    the requester's own receipt card unless the withdrawal was made on it (`on_message`: the
    card's answer replaces it then); the approver's inbox row is written last ("settled")."""
    await follow(services, withdrawn)
    await _update_advisor(services, presenter, withdrawn)
    entry = await services.requests.inbox_entry(
        withdrawn.tenant_id, withdrawn.approver.id, withdrawn.id
    )
    message_id = entry.message_id if entry else ""
    if message_id:
        await _update_card(services, withdrawn.approver.id, message_id, withdrawn, presenter)
    await _update_receipt(services, presenter, withdrawn, on_message)
    await _update_co_approvers(services, presenter, withdrawn)
    await _tell_approver(services, presenter, withdrawn)
    await services.requests.put_inbox(withdrawn, message_id=message_id)


async def announce_note(
    services: Services,
    presenter: Presenter,
    request: ApprovalRequest,
    on_message: str | None = None,
) -> None:
    """The requester added information: the approver's card and the requester's receipt card
    show it at once (`on_message`: the card it was added on, whose answer shows it already).
    The note is recorded already: a card that cannot be updated, for whatever reason, is
    logged and left to refresh when it is next opened, never turned into an error for the
    person (who would add the note again)."""

    async def approver_card() -> None:
        entry = await services.requests.inbox_entry(
            request.tenant_id, request.approver.id, request.id
        )
        if entry is not None and entry.message_id and entry.message_id != on_message:
            await _update_card(services, request.approver.id, entry.message_id, request, presenter)

    async def receipt() -> None:
        await _update_receipt(services, presenter, request, on_message)

    for what, update in (("approver's card", approver_card), ("receipt", receipt)):
        try:
            await update()
        except Exception as error:  # the note stands; the card refreshes when opened
            log.warning("note on %s: %s not updated: %s", request.id, what, type(error).__name__)


async def _update_receipt(
    services: Services, presenter: Presenter, request: ApprovalRequest, on_message: str | None
) -> None:
    """The requester's receipt card in their chat shows the request as it now is (a request
    submitted before receipts were remembered has none: its card refreshes when opened)."""
    receipt = request.receipt_message
    if not receipt or receipt == on_message:
        return
    reference = await services.conversations.get(request.tenant_id, request.requester.id)
    locale = reference.locale if reference else services.settings.default_locale
    card = presenter.receipt_card(request, locale)
    try:
        await services.notifier.update_card(request.tenant_id, request.requester.id, receipt, card)
    except DeliveryError as error:
        log.warning("could not update the receipt of %s: %s", request.id, type(error).__name__)


async def _tell_approver(
    services: Services, presenter: Presenter, withdrawn: ApprovalRequest
) -> None:
    """The approver gets a message that it was withdrawn (their card may be far up the chat)."""
    failed = await tell(
        services,
        withdrawn.tenant_id,
        withdrawn.approver.id,
        lambda locale: presenter.withdrawal_notice(withdrawn, locale),
        "approver not told of the withdrawal",
    )
    if failed:
        await _note(services, withdrawn, "approver_not_notified", failed)


async def _tell_assignee(
    services: Services, presenter: Presenter, decided: ApprovalRequest
) -> None:
    """The colleague a case was handed over to gets it, with its reference."""
    assignee = decided.assignee
    if assignee is None:
        return
    reference = await services.conversations.get(decided.tenant_id, assignee.id)
    locale = reference.locale if reference else services.settings.default_locale
    try:
        if reference is None:
            raise NoConversationReference(decided.tenant_id, assignee.id)
        await services.notifier.send_card(
            decided.tenant_id, assignee.id, presenter.handover_card(decided, locale), reference
        )
    except DeliveryError as error:
        log.warning(
            "colleague not told of the handover of %s: %s", decided.id, type(error).__name__
        )
        await _note(services, decided, "assignee_not_notified", type(error).__name__)


# A decision (or withdrawal) is announced by the turn that made it, which may take minutes when
# Teams throttles (every send retried with Retry-After, paced below 50/s); only when the change
# is older than this is that turn taken to have stopped half-way, so a repeat or the repair job
# on any instance may take over (ETag-claimed, so only one of them does). A repeat on the
# instance whose turn saw the write fail takes over at once (`Services.unannounced`).
SETTLE_GRACE = timedelta(minutes=10)


def _landed(request: ApprovalRequest, actor_id: str, now: datetime) -> bool:
    """Whether this turn's own change is in the trail (each turn dates its change with its own
    clock reading, so its entry is told apart from anyone else's)."""
    return any(e.at == now and e.actor_id == actor_id for e in request.audit)


@asynccontextmanager
async def _unannounced_if_it_fails(services: Services, rid: str) -> AsyncIterator[None]:
    """A write that failed with storage trouble may still have landed: remember, in this
    process, that nobody is announcing it, so a repeat here completes it at once."""
    try:
        yield
    except (Conflict, AlreadyExists, NotFound):  # not written (NotFound: removed meanwhile)
        raise
    except StorageError:
        services.unannounced.put(rid, True)
        raise


@dataclass(frozen=True)
class Settled:
    request: ApprovalRequest
    completed: bool  # this call finished side effects an earlier attempt had left undone


async def settle(
    services: Services,
    presenter: Presenter,
    stored: StoredRequest,
    message_id: str | None = None,
    grace: timedelta = SETTLE_GRACE,
) -> Settled:
    """Complete the side effects of a decided or withdrawn request that has not been announced
    (its approver's inbox row still says pending): cards, the requester's notice, inbox rows.

    The work is claimed with an ETag-guarded audit entry ("settling"), so a repeat click, a
    retry on another instance and the repair job never all do it. A notice may reach the
    requester twice only when an attempt stopped exactly between sending it and writing the
    inbox row; it never reaches nobody."""
    request = stored.request
    if request.pending:
        return Settled(request, completed=False)
    decider = request.decided_by or request.approver.id
    entry = await services.requests.inbox_entry(request.tenant_id, decider, request.id)
    if entry is None or entry.status is request.status:
        return Settled(request, completed=False)  # announced (or never in an inbox)
    now = services.clock()
    claims = [e.at for e in request.audit if e.action in _CLAIMS]
    nobody = services.unannounced.get(request.id) is not None  # its turn here failed
    if claims and now - max(claims) < grace and not nobody:
        return Settled(request, completed=False)  # its own turn may still be announcing it
    claim = AuditEntry(now, "system", "settling", request.status.value)
    try:
        stored = await services.requests.update(
            stored, replace(request, audit=(*request.audit, claim))
        )
    except (Conflict, AlreadyExists):
        return Settled(request, completed=False)  # someone else took it on
    services.unannounced.drop(request.id)
    log.warning("completing the announcement of %s (%s)", request.id, request.status.value)
    if stored.request.status is Status.WITHDRAWN:
        await _announce_withdrawal(services, presenter, stored.request)
    else:
        await _announce_decision(
            services, presenter, stored.request, message_id or entry.message_id
        )
    return Settled(stored.request, completed=True)


# Audit actions that mean "a turn is announcing this change now".
_CLAIMS = frozenset({"approved", "declined", "withdrawn", "settling"})


async def advise_request(
    services: Services,
    presenter: Presenter,
    actor: Actor,
    requester_id: str,
    rid: str,
    text: str,
    own_card: bool = False,
    position: str = "",
) -> ApprovalRequest:
    """The advisor (e.g. HR) adds advice; the approver's card shows it at once. `own_card`:
    the advice was not given on the advisor's card (the tab), so that card follows too.
    `position`: the advisor's choice on a kind whose advice is one (`Kind.advice_positions`)."""
    now = services.clock()
    for attempt in range(ATTEMPTS):
        stored = await load(services, actor.tenant_id, requester_id, rid)
        if _landed(stored.request, actor.user_id, now):
            advised = stored.request  # this turn's advice landed; its answer was lost
            break
        positions = _kind(services, stored.request).advice_positions
        advised = advise(stored.request, actor.user_id, text, now, position, positions)
        try:
            stored = await services.requests.update(stored, advised)
            break
        except (Conflict, AlreadyExists):
            await pause(attempt)
    else:
        log.error("advice on %s lost %d races in a row", rid, ATTEMPTS)
        raise Conflict(f"could not record the advice on {rid}")
    entry = await services.requests.inbox_entry(advised.tenant_id, advised.approver.id, advised.id)
    if entry is not None and entry.message_id:
        sealed = sealed_request(services.seal, stored)  # the advised version, as stored
        await _update_card(
            services, advised.approver.id, entry.message_id, advised, presenter, sealed=sealed
        )
    if own_card:
        await _update_advisor(services, presenter, advised)
    try:  # the requester's receipt shows the advice too (e.g. Communicatie's position)
        await _update_receipt(services, presenter, advised, None)
    except Exception as error:  # the advice stands; the receipt refreshes when opened
        log.warning("advice on %s: receipt not updated: %s", advised.id, type(error).__name__)
    return advised


async def _update_advisor(
    services: Services, presenter: Presenter, request: ApprovalRequest
) -> None:
    if request.advisor is None:
        return
    entry = await services.requests.inbox_entry(request.tenant_id, request.advisor.id, request.id)
    if entry is None:
        return
    await services.requests.put_inbox(request, request.advisor.id, entry.message_id, "advisor")
    if entry.message_id:
        await _update_card(
            services, request.advisor.id, entry.message_id, request, presenter, advisor=True
        )


async def _update_card(
    services: Services,
    person_id: str,
    message_id: str,
    request: ApprovalRequest,
    presenter: Presenter,
    advisor: bool = False,
    sealed: str = "",
) -> None:
    reference = await services.conversations.get(request.tenant_id, person_id)
    locale = reference.locale if reference else services.settings.default_locale
    card = (
        presenter.advisor_card(request, locale)
        if advisor
        else presenter.approver_card(request, locale, sealed=sealed)
    )
    try:
        await services.notifier.update_card(request.tenant_id, person_id, message_id, card)
    except DeliveryError as error:
        log.warning("could not update a card: %s", type(error).__name__)


async def withdraw_request(
    services: Services,
    presenter: Presenter,
    actor: Actor,
    rid: str,
    message_id: str | None = None,
) -> ApprovalRequest:
    """The requester withdraws a pending request; like a decision, a lost race is re-applied
    and a repeat completes what an earlier attempt left undone. `message_id`: the card it was
    withdrawn on (its answer shows it there); None from the tab, so the receipt card follows."""
    now = services.clock()
    for attempt in range(ATTEMPTS):
        stored = await load(services, actor.tenant_id, actor.user_id, rid)
        try:
            withdrawn = withdraw(stored.request, actor.user_id, now)
        except DecisionRefused as refusal:
            if refusal.code != "already_decided":
                raise
            grace = timedelta(0) if _landed(stored.request, actor.user_id, now) else SETTLE_GRACE
            return (await settle(services, presenter, stored, grace=grace)).request
        try:
            async with _unannounced_if_it_fails(services, rid):
                await services.requests.update(stored, withdrawn)
        except (Conflict, AlreadyExists):
            await pause(attempt)
            continue
        await _announce_withdrawal(services, presenter, withdrawn, message_id)
        return withdrawn
    log.error("withdrawal of %s lost %d races in a row", rid, ATTEMPTS)
    raise Conflict(f"could not record the withdrawal of {rid}")


async def _announce(
    services: Services,
    presenter: Presenter,
    request: ApprovalRequest,
    message_id: str | None,
) -> None:
    """Update the shared approval card for everyone, and tell the requester."""
    decider = request.decided_by or request.approver.id
    if message_id:
        await _update_card(services, decider, message_id, request, presenter)
    failed = await tell(
        services,
        request.tenant_id,
        request.requester.id,
        lambda locale: presenter.decision_notice(request, locale),
        "requester not told of the decision",
    )
    if failed:
        await _note(services, request, "requester_not_notified", failed)


async def _note(services: Services, request: ApprovalRequest, action: str, detail: str) -> None:
    """Append an audit entry, re-read and re-applied while other writes win the race."""
    for attempt in range(ATTEMPTS):
        stored = await load(services, request.tenant_id, request.requester.id, request.id)
        noted = replace(
            stored.request,
            audit=(*stored.request.audit, AuditEntry(services.clock(), "system", action, detail)),
        )
        try:
            await services.requests.update(stored, noted)
            return
        except (Conflict, AlreadyExists):
            await pause(attempt)
    log.error("audit entry %s on %s lost %d races in a row", action, request.id, ATTEMPTS)
