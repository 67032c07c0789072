"""Recording, reading and deciding violations (see bot.domain.violations). Identity and roles
come from the authenticated person and the directory, never from card data; every read of the
register is written on the records read (If-Match, re-applied when another write came first)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from bot.domain.people import Actor, Role
from bot.domain.violations import (
    ALL_READERS,
    RVC_READERS,
    Measure,
    Refused,
    Violation,
    check_recording,
    decide,
    readable,
    team_of,
    viewed,
)
from bot.services.contention import ATTEMPTS, pause
from bot.services.context import Services
from bot.services.notify import DeliveryError
from bot.services.roles import NotAllowed, person_with_role
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.violations import StoredViolation

log = logging.getLogger("bot.violations")
PREFIX = "OVT"


def violation_id(actor: Actor, form_id: str) -> str:
    """One form is one record (a repeated submit finds it); nothing personal in the id."""
    digest = hashlib.sha256(f"{actor.tenant_id}|{actor.user_id}|{form_id}".encode()).hexdigest()
    return f"{PREFIX}-{digest[:10].upper()}"


async def _roles(services: Services, actor: Actor) -> frozenset[Role]:
    person = await services.directory.get_person(actor.tenant_id, actor.user_id)
    return person.roles if person is not None and person.active else frozenset()


async def team(services: Services, actor: Actor) -> list[Any]:
    """Whom this person may record a suspected violation about (the RvC chair: the director)."""
    roles = await _roles(services, actor)
    return team_of(actor.user_id, await services.directory.people(actor.tenant_id), roles)


async def has_team(services: Services, actor: Actor) -> bool:
    """Whether this person may record a suspected violation (`team` is not empty), read from
    the directory as a whole: no read names the person, so a confidential turn that asks this
    leaves no trace of who asked (tests/e2e/test_confidential_leaves_no_trace.py)."""
    people = await services.directory.people(actor.tenant_id)
    me = next((p for p in people if p.id == actor.user_id and p.active), None)
    return bool(team_of(actor.user_id, people, me.roles if me is not None else frozenset()))


async def record(
    services: Services,
    actor: Actor,
    employee_id: str,
    rule: str,
    what: str,
    proposed: Measure | None,
    form_id: str,
) -> Violation:
    """A manager records a suspected violation by someone on their own team (Refused)."""
    employee = check_recording(
        actor.user_id,
        await services.directory.get_person(actor.tenant_id, employee_id),
        await _roles(services, actor),
    )
    now = services.clock()
    violation = viewed(
        Violation(
            tenant_id=actor.tenant_id,
            id=violation_id(actor, form_id),
            employee_id=employee.id,
            employee_name=employee.name,
            manager_id=actor.user_id,
            manager_name=actor.name,
            rule=rule,
            what=what,
            proposed=proposed,
            recorded_at=now,
            about_director=employee.has(Role.DIRECTOR),
        ),
        actor.user_id,
        now,
        "recorded",
    )
    try:
        await services.violations.create(violation)
    except AlreadyExists:
        stored = await services.violations.get(actor.tenant_id, violation.id)
        if stored is None or stored.violation.manager_id != actor.user_id:
            raise
        return stored.violation
    return violation


async def missing_readers(services: Services, tenant_id: str) -> tuple[Role, ...]:
    """The register's roles nobody (active) holds: without a director nobody can decide on a
    measure; without both, nobody can read the case. Each missing role is logged by name."""
    missing: list[Role] = []
    for role in (Role.DIRECTOR, Role.INTEGRITY_OFFICER):
        if not await services.directory.with_role(tenant_id, role):
            log.warning("role %s is not configured in the directory", role.value)
            missing.append(role)
    return tuple(missing)


async def _reader(services: Services, actor: Actor) -> frozenset[Role]:
    try:
        person = await person_with_role(services, actor.tenant_id, actor.user_id, ALL_READERS)
    except NotAllowed:
        raise Refused("readers_only") from None
    return person.roles


async def _write_view(
    services: Services, stored: StoredViolation, by: str, action: str
) -> StoredViolation:
    for attempt in range(ATTEMPTS):
        try:
            return await services.violations.update(
                stored, viewed(stored.violation, by, services.clock(), action)
            )
        except Conflict:
            await pause(attempt)
            again = await services.violations.get(stored.violation.tenant_id, stored.violation.id)
            if again is None:
                raise Refused("unknown") from None
            stored = again
    raise Conflict(stored.violation.id)


async def register(services: Services, actor: Actor) -> list[Violation]:
    """The register (director, integrity officer); the list is a view of every record on it."""
    roles = await _reader(services, actor)
    listed = [
        s for s in await services.violations.all(actor.tenant_id) if readable(s.violation, roles)
    ]
    return [(await _write_view(services, s, actor.user_id, "listed")).violation for s in listed]


async def view(services: Services, actor: Actor, violation_id: str) -> tuple[Violation, bool]:
    """One record, with whether this reader may decide on it (the view is logged first)."""
    roles = await _reader(services, actor)
    stored = await services.violations.get(actor.tenant_id, violation_id)
    if stored is None or not readable(stored.violation, roles):
        raise Refused("unknown")
    stored = await _write_view(services, stored, actor.user_id, "viewed")
    violation = stored.violation
    deciders = RVC_READERS if violation.about_director else frozenset({Role.DIRECTOR})
    can_decide = (
        bool(roles & deciders)
        and not violation.decided
        and (violation.employee_id != actor.user_id)
    )
    return violation, can_decide


async def decide_measure(
    services: Services,
    actor: Actor,
    violation_id: str,
    measure: Measure,
    message: str,
    notice: Callable[[str, str], dict[str, Any]],
) -> Violation:
    """The director decides; the employee gets `notice(message, locale)` only when the director
    wrote a message; whether it arrived is written on the trail."""
    roles = await _reader(services, actor)
    for attempt in range(ATTEMPTS):
        stored = await services.violations.get(actor.tenant_id, violation_id)
        if stored is None or not readable(stored.violation, roles):
            raise Refused("unknown")
        decided = decide(stored.violation, actor.user_id, roles, measure, message, services.clock())
        try:
            stored = await services.violations.update(stored, decided)
            break
        except Conflict:
            await pause(attempt)
    else:
        raise Conflict(violation_id)
    if not message:
        return stored.violation
    violation = stored.violation
    reference = await services.conversations.get(violation.tenant_id, violation.employee_id)
    locale = reference.locale if reference is not None else "nl-NL"
    action = "told"
    try:
        await services.notifier.send_card(
            violation.tenant_id, violation.employee_id, notice(message, locale), reference
        )
    except DeliveryError as error:
        log.warning(
            "violation %s: the employee was not told: %s", violation.id, type(error).__name__
        )
        action = "not_told"
    return (await _write_view(services, stored, actor.user_id, action)).violation
