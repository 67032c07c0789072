"""Data-leak reports: report, alert the privacy office, decide, remind (§5, AVG art. 33/34).

Order matters for "never lost": the report is written before any alert is sent. The alert goes
to everyone in the privacy office (privacy officer and deputy) at once; when none of them can be
reached it goes to the integrity officer, and the redelivery job keeps trying the privacy office.
Every delivery, failure and decision is in the audit trail. The reporter's manager is never told.

Several instances may run the jobs at once: each reminder stage and each redelivery attempt is
claimed with an ETag-guarded update of the report before anything is sent, so it happens once.
Descriptions and names are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from bot.domain.breaches import (
    REMINDER_HOURS,
    Breach,
    BreachAction,
    Delivery,
    LeakFacts,
    Person,
    Question,
    add_information,
    answer_question,
    apply,
    reminder_due,
    retry_delay,
)
from bot.domain.people import Actor, Role
from bot.domain.requests import AuditEntry, DecisionRefused, request_id
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.services.roles import NotAllowed, person_with_role
from bot.services.telling import tell
from bot.storage.breaches import ReporterView, StoredBreach
from bot.storage.errors import AlreadyExists, Conflict, StorageError

log = logging.getLogger(__name__)

PREFIX = "LEK"
PRIVACY_OFFICE = (Role.PRIVACY_OFFICER, Role.PRIVACY_DEPUTY)
_REFERENCE_TRIES = 5


class BreachPresenter(Protocol):
    """Renders the privacy office's card (implemented in dialogs, which own the cards)."""

    def office_card(
        self, breach: Breach, locale: str, now: datetime, reminder: int = 0, fallback: bool = False
    ) -> dict[str, Any]: ...

    def question_card(self, breach: Breach, question: Question, locale: str) -> dict[str, Any]:
        """The reporter's card with the officer's question and an answer box."""
        ...

    def delivered_card(self, breach: Breach, reached: Reached, locale: str) -> dict[str, Any]:
        """The reporter's message that the report has now reached the privacy office."""
        ...


@dataclass(frozen=True)
class Reached:
    """Who has the alert, as the reporter is told: 'officer', 'deputy', 'fallback' or ''."""

    role: str
    names: tuple[str, ...]


class BreachNotFound(LookupError):
    """No report with that id in the actor's tenant."""


class NotPrivacyOffice(NotAllowed):
    """Only the privacy officer and deputy may see or act on reports."""


@dataclass(frozen=True)
class Reported:
    breach: Breach
    created: bool  # False: this form had been submitted already


async def privacy_office(services: Services, tenant_id: str) -> list[Person]:
    """Everyone with a privacy-office role (officer first), each once."""
    people: dict[str, Person] = {}
    for role in PRIVACY_OFFICE:
        for p in await services.directory.with_role(tenant_id, role):
            people.setdefault(p.id, Person(p.id, p.name))
    return list(people.values())


async def office_member(services: Services, actor: Actor) -> Person:
    """The actor as a privacy-office member (role from the directory, never from card data)."""
    try:
        person = await person_with_role(services, actor.tenant_id, actor.user_id, PRIVACY_OFFICE)
    except NotAllowed:
        raise NotPrivacyOffice() from None
    return Person(person.id, person.name or actor.name)


async def report(
    services: Services, presenter: BreachPresenter, actor: Actor, facts: LeakFacts, form_id: str
) -> Reported:
    """Write the report (first), then alert the privacy office. A storage failure before the
    write raises (nothing is saved); after it, the alert is left to the redelivery job."""
    now = services.clock()
    # The reference is derived from the form, so a retried submission finds its own report.
    # A reference already taken by someone else's report (a collision, or a formId chosen to
    # collide) is never answered with that report: the next reference in the sequence is used.
    for salt in range(_REFERENCE_TRIES):
        extra = (str(salt),) if salt else ()
        bid = request_id(PREFIX, actor.tenant_id, actor.user_id, form_id, *extra)
        existing = await services.breaches.get(actor.tenant_id, bid)
        if existing is None:
            break
        if existing.breach.reporter.id == actor.user_id:
            return Reported(existing.breach, created=False)
        log.warning("data-leak reference %s is another reporter's; taking the next", bid)
    else:
        raise Conflict("no free data-leak reference")
    breach = Breach(
        id=bid,
        tenant_id=actor.tenant_id,
        reporter=Person(actor.user_id, actor.name),
        reported_at=now,
        facts=facts,
        claimed_at=now,
        attempts=1,
        audit=(AuditEntry(now, actor.user_id, "reported"),),
    )
    try:
        stored = await services.breaches.create(breach)
    except AlreadyExists:
        again = await services.breaches.get(actor.tenant_id, bid)
        if again is None:
            raise
        return Reported(again.breach, created=False)
    log.info("data-leak report %s recorded", bid)
    try:
        stored = await _alert(services, presenter, stored, told=True)
    except StorageError as error:
        log.warning("alert for %s left to the redelivery job: %s", bid, type(error).__name__)
    return Reported(stored.breach, created=True)


async def _alert(
    services: Services, presenter: BreachPresenter, stored: StoredBreach, told: bool = False
) -> StoredBreach:
    """Send the alert to every privacy-office member who does not have it yet; if none has it,
    to the integrity officer. Records message ids, failures and the delivery state."""
    breach = stored.breach
    now = services.clock()
    # A privacy-office member who reported the leak does not get it to weigh (_not_own).
    office = [
        p for p in await privacy_office(services, breach.tenant_id) if p.id != breach.reporter.id
    ]
    sent: dict[str, str] = {}
    trail: list[AuditEntry] = []
    for person in office:
        if person.id in breach.alerts:
            continue
        outcome = await _send(services, presenter.office_card, breach, person, now)
        _note(outcome, person, sent, trail, now, "alerted")
    office_ids = {p.id for p in office}
    reached_office = any(pid in office_ids for pid in (*breach.alerts, *sent))
    if not reached_office and not any(pid not in office_ids for pid in breach.alerts):
        for person in await _fallback(services, breach):
            outcome = await _send(
                services, presenter.office_card, breach, person, now, fallback=True
            )
            _note(outcome, person, sent, trail, now, "rerouted")
    if reached_office:
        delivery = Delivery.DELIVERED
    elif sent or breach.alerts:
        delivery = Delivery.REROUTED
    else:
        delivery = Delivery.UNDELIVERED
    if delivery is not Delivery.DELIVERED:
        log.error("data-leak alert %s has not reached the privacy office", breach.id)
    return await _record_messages(services, breach, sent, trail, delivery, told=told)


async def reached(services: Services, breach: Breach) -> Reached:
    """Who in the privacy office (or the fallback) has the alert, for the reporter's receipt:
    the officer if they have it, else the deputy, else the fallback; '' when nobody has."""
    officers = await services.directory.with_role(breach.tenant_id, Role.PRIVACY_OFFICER)
    deputies = await services.directory.with_role(breach.tenant_id, Role.PRIVACY_DEPUTY)
    for role, people in (("officer", officers), ("deputy", deputies)):
        names = tuple(p.name for p in people if p.id in breach.alerts)
        if names:
            return Reached(role, names)
    if breach.alerts:
        fallback = await services.directory.with_role(breach.tenant_id, Role.INTEGRITY_OFFICER)
        names = tuple(p.name for p in fallback if p.id in breach.alerts)
        return Reached("fallback", names or ("?",))
    return Reached("", ())


async def _fallback(services: Services, breach: Breach) -> list[Person]:
    officers = await services.directory.with_role(breach.tenant_id, Role.INTEGRITY_OFFICER)
    return [Person(p.id, p.name) for p in officers if p.id != breach.reporter.id][:1]


def _note(
    outcome: str | tuple[str],
    person: Person,
    sent: dict[str, str],
    trail: list[AuditEntry],
    now: datetime,
    action: str,
) -> None:
    """A message id (delivered) or a 1-tuple with the failure's name."""
    if isinstance(outcome, str):
        sent[person.id] = outcome
        trail.append(AuditEntry(now, "system", action, person.id))
    else:
        trail.append(AuditEntry(now, "system", "undelivered", f"{person.id}: {outcome[0]}"))


async def _send(
    services: Services,
    card_of: Callable[..., dict[str, Any]],
    breach: Breach,
    person: Person,
    now: datetime,
    reminder: int = 0,
    fallback: bool = False,
) -> str | tuple[str]:
    reference = await services.conversations.get(breach.tenant_id, person.id)
    locale = reference.locale if reference else services.settings.default_locale
    card = card_of(breach, locale, now, reminder=reminder, fallback=fallback)
    try:
        return await services.notifier.send_card(breach.tenant_id, person.id, card)
    except DeliveryError as error:
        log.warning("data-leak card not delivered: %s", type(error).__name__)
        return (type(error).__name__,)


async def _record_messages(
    services: Services,
    breach: Breach,
    sent: Mapping[str, str],
    trail: list[AuditEntry],
    delivery: Delivery | None,
    reminders_sent: int | None = None,
    told: bool = False,
) -> StoredBreach:
    """Merge new message ids, trail entries and the delivery state into the stored report,
    re-reading on a race (a privacy officer may be acting on it at the same moment)."""
    for _ in range(5):
        stored = await _load(services, breach.tenant_id, breach.id)
        current = stored.breach
        alerts = {k: tuple(v) for k, v in current.alerts.items()}
        for pid, mid in sent.items():
            alerts[pid] = (*alerts.get(pid, ()), mid)
        merged = replace(
            current,
            alerts=alerts,
            delivery=delivery or current.delivery,
            audit=(*current.audit, *trail),
        )
        if current.delivery is Delivery.DELIVERED and delivery is not None:
            merged = replace(merged, delivery=Delivery.DELIVERED)
        if told and merged.delivery is Delivery.DELIVERED:
            merged = replace(merged, reporter_told=True)  # the receipt says so
        if reminders_sent is not None and current.reminders_sent == reminders_sent + 1:
            merged = replace(merged, reminders_sent=reminders_sent)
        try:
            return await services.breaches.update(stored, merged)
        except (Conflict, AlreadyExists):
            continue
    raise Conflict(f"could not record the messages of {breach.id}")


async def _load(services: Services, tenant_id: str, breach_id: str) -> StoredBreach:
    stored = await services.breaches.get(tenant_id, breach_id)
    if stored is None:
        raise BreachNotFound(breach_id)
    return stored


async def own_report(services: Services, actor: Actor, breach_id: str) -> Breach:
    """The actor's own report; anyone else's does not exist as far as they are concerned
    (BreachNotFound)."""
    stored = await services.breaches.get(actor.tenant_id, breach_id)
    if stored is None or stored.breach.reporter.id != actor.user_id:
        raise BreachNotFound(breach_id)
    return stored.breach


async def view(services: Services, actor: Actor, breach_id: str) -> Breach:
    """A report, for the privacy office only."""
    await office_member(services, actor)
    return (await _load(services, actor.tenant_id, breach_id)).breach


async def act(
    services: Services,
    presenter: BreachPresenter,
    actor: Actor,
    breach_id: str,
    action: BreachAction,
    reason: str,
    message_id: str | None,
) -> Breach:
    """A privacy-office member acts on a report; everyone's card follows. A repeat or a lost
    race changes nothing and returns the current state; DecisionRefused says why not."""
    member = await office_member(services, actor)
    for attempt in range(ATTEMPTS):
        stored = await _load(services, actor.tenant_id, breach_id)
        _not_own(stored.breach, member)
        try:
            updated = apply(stored.breach, action, member, reason, services.clock())
        except DecisionRefused as refusal:
            if refusal.code != "already_done":
                raise
            # A repeat: the first attempt may have stopped before the other cards followed
            # (its answer lost); updating them again is harmless.
            await refresh_cards(
                services, presenter, stored.breach, skip=(actor.user_id, message_id)
            )
            return stored.breach
        try:
            await services.breaches.update(stored, updated)
        except (Conflict, AlreadyExists):
            await pause(attempt)
            continue
        await refresh_cards(services, presenter, updated, skip=(actor.user_id, message_id))
        return updated
    log.error("%s on %s lost %d races in a row", action.value, breach_id, ATTEMPTS)
    raise Conflict(f"could not record {action.value} on {breach_id}")


async def add_to_report(
    services: Services, presenter: BreachPresenter, actor: Actor, breach_id: str, text: str
) -> Breach:
    """The reporter adds information; the privacy office's cards show it."""
    for attempt in range(ATTEMPTS):
        stored = await _load(services, actor.tenant_id, breach_id)
        updated = add_information(stored.breach, actor.user_id, text, services.clock())
        try:
            await services.breaches.update(stored, updated)
        except (Conflict, AlreadyExists):
            await pause(attempt)
            continue
        await refresh_cards(services, presenter, updated)
        return updated
    log.error("addition to %s lost %d races in a row", breach_id, ATTEMPTS)
    raise Conflict(f"could not add to {breach_id}")


async def refresh_cards(
    services: Services,
    presenter: BreachPresenter,
    breach: Breach,
    skip: tuple[str, str | None] = ("", None),
) -> None:
    """Update every card holding this report (the clicker's own card is the invoke answer)."""
    office = {p.id for p in await privacy_office(services, breach.tenant_id)}
    now = services.clock()
    for person_id, message_ids in breach.alerts.items():
        reference = await services.conversations.get(breach.tenant_id, person_id)
        locale = reference.locale if reference else services.settings.default_locale
        card = presenter.office_card(breach, locale, now, fallback=person_id not in office)
        for message_id in message_ids:
            if (person_id, message_id) == skip:
                continue
            try:
                await services.notifier.update_card(breach.tenant_id, person_id, message_id, card)
            except DeliveryError as error:
                log.warning("data-leak card not updated: %s", type(error).__name__)


async def send_reminders(services: Services, presenter: BreachPresenter) -> int:
    """Remind the privacy office at 24, 48 and 66 hours after discovery while no AP decision is
    recorded. Each stage is claimed (ETag) before sending, so it is sent once in all."""
    count = 0
    for candidate in await services.breaches.running_clocks():
        now = services.clock()
        stage = reminder_due(candidate, now)
        if not stage:
            continue
        stored = await services.breaches.get(candidate.tenant_id, candidate.id)
        if stored is None or reminder_due(stored.breach, now) != stage:
            continue
        hours = f"{REMINDER_HOURS[stage - 1]}h"
        claimed = replace(
            stored.breach,
            reminders_sent=stage,
            audit=(*stored.breach.audit, AuditEntry(now, "system", "reminder_claimed", hours)),
        )
        try:
            await services.breaches.update(stored, claimed)
        except (Conflict, AlreadyExists):
            continue  # another instance claimed this stage (or someone acted): not ours
        sent: dict[str, str] = {}
        trail: list[AuditEntry] = []
        for person in await privacy_office(services, claimed.tenant_id):
            outcome = await _send(services, presenter.office_card, claimed, person, now, stage)
            _note(outcome, person, sent, trail, now, "reminded")
        # Nobody in the privacy office was reached: give the stage back, so the next pass
        # tries it again (a reminder is never silently dropped).
        retry = None if sent else stage - 1
        await _record_messages(services, claimed, sent, trail, None, reminders_sent=retry)
        count += 1 if sent else 0
    return count


async def redeliver_alerts(services: Services, presenter: BreachPresenter) -> int:
    """Retry alerts that have not reached the privacy office (storage or Teams failed at the
    time), with growing pauses; each attempt is claimed (ETag) so one instance makes it."""
    count = 0
    for candidate in await services.breaches.not_with_privacy_office():
        now = services.clock()
        last = candidate.claimed_at or candidate.reported_at
        if now - last < retry_delay(candidate.attempts):
            continue
        stored = await services.breaches.get(candidate.tenant_id, candidate.id)
        if stored is None or stored.breach.claimed_at != candidate.claimed_at:
            continue
        claimed = replace(stored.breach, claimed_at=now, attempts=stored.breach.attempts + 1)
        try:
            stored = await services.breaches.update(stored, claimed)
        except (Conflict, AlreadyExists):
            continue
        await _alert(services, presenter, stored)
        count += 1
    return count


async def tell_reporters(services: Services, presenter: BreachPresenter) -> int:
    """Tell each reporter whose receipt said "not yet delivered" that the report has now
    reached the privacy office. Claimed first (ETag), given back when the message fails, so
    it is sent once and never dropped."""
    count = 0
    for candidate in await services.breaches.untold_reporters():
        stored = await services.breaches.get(candidate.tenant_id, candidate.id)
        if stored is None or stored.breach.reporter_told:
            continue
        now = services.clock()
        entry = AuditEntry(now, "system", "reporter_told")
        claimed = replace(stored.breach, reporter_told=True, audit=(*stored.breach.audit, entry))
        try:
            stored = await services.breaches.update(stored, claimed)
        except (Conflict, AlreadyExists):
            continue
        breach = stored.breach
        reference = await services.conversations.get(breach.tenant_id, breach.reporter.id)
        locale = reference.locale if reference else services.settings.default_locale
        card = presenter.delivered_card(breach, await reached(services, breach), locale)
        try:
            await services.notifier.send_card(breach.tenant_id, breach.reporter.id, card)
        except DeliveryError as error:
            log.warning("reporter of %s not told yet: %s", breach.id, type(error).__name__)
            await _untell(services, breach)
            continue
        count += 1
    return count


async def _untell(services: Services, breach: Breach) -> None:
    for _ in range(5):
        stored = await _load(services, breach.tenant_id, breach.id)
        try:
            await services.breaches.update(stored, replace(stored.breach, reporter_told=False))
            return
        except (Conflict, AlreadyExists):
            continue


Change = Callable[[Breach, Person, datetime], Breach]


async def change(
    services: Services,
    presenter: BreachPresenter,
    actor: Actor,
    breach_id: str,
    what: Change,
    message_id: str | None,
) -> Breach:
    """A privacy-office member changes the dossier (`what` applies the domain rule); retried
    on a lost race; a repeat (`already_done`) returns the current state; everyone's card
    follows. DecisionRefused says why not."""
    member = await office_member(services, actor)

    async def load() -> StoredBreach:
        return await _load(services, actor.tenant_id, breach_id)

    def own_change(breach: Breach) -> Breach:
        _not_own(breach, member)
        return what(breach, member, services.clock())

    updated = await _apply(services, load, own_change)
    await refresh_cards(services, presenter, updated, skip=(actor.user_id, message_id))
    return updated


def _not_own(breach: Breach, member: Person) -> None:
    """Nobody weighs their own report: a privacy officer who reported a leak leaves the
    decisions to the deputy (who got the alert) or the fallback, like every other reporter."""
    if member.id == breach.reporter.id:
        raise DecisionRefused("own_report")


async def _apply(
    services: Services,
    load: Callable[[], Awaitable[StoredBreach]],
    change: Callable[[Breach], Breach],
) -> Breach:
    """Apply `change` to the stored report, re-read and re-applied on a lost race; a repeat
    (`already_done`) returns the report as it is."""
    for attempt in range(ATTEMPTS):
        stored = await load()
        try:
            updated = change(stored.breach)
        except DecisionRefused as refusal:
            if refusal.code != "already_done":
                raise
            return stored.breach
        try:
            await services.breaches.update(stored, updated)
        except (Conflict, AlreadyExists):
            await pause(attempt)
            continue
        return updated
    log.error("a change on %s lost %d races in a row", stored.breach.id, ATTEMPTS)
    raise Conflict(f"could not change {stored.breach.id}")


async def send_question(services: Services, presenter: BreachPresenter, breach: Breach) -> bool:
    """Send the latest question to the reporter; False when it could not be delivered (the
    reporter still finds it under "mijn meldingen")."""
    question = breach.questions[-1]
    failed = await tell(
        services,
        breach.tenant_id,
        breach.reporter.id,
        lambda locale: presenter.question_card(breach, question, locale),
        f"question on {breach.id} not delivered",
    )
    return failed is None


async def answer(
    services: Services,
    presenter: BreachPresenter,
    actor: Actor,
    breach_id: str,
    number: int,
    text: str,
) -> Breach:
    """The reporter answers a question (identity from the activity); the office's cards show
    it with the time."""

    async def load() -> StoredBreach:
        stored = await services.breaches.get(actor.tenant_id, breach_id)
        if stored is None or stored.breach.reporter.id != actor.user_id:
            raise BreachNotFound(breach_id)
        return stored

    updated = await _apply(
        services,
        load,
        lambda b: answer_question(b, actor.user_id, number, text, services.clock()),
    )
    await refresh_cards(services, presenter, updated)
    return updated


async def my_reports(services: Services, actor: Actor) -> list[ReporterView]:
    """The actor's own data-leak reports, newest first (for "mijn meldingen")."""
    return await services.breaches.by_reporter(actor.tenant_id, actor.user_id)
