"""The directory sync's rules: what a round of Microsoft Graph delta answers changes in the
people table. Pure: the Graph client (`bot.graph`) reads the deltas, the sync service
(`bot.services.directory_sync`) stores the outcome.

A person's type (`bot.domain.people.person_type`) follows from the same data: former staff when
the account is disabled or deleted, RvC when they are in one of the RvC's role groups, contractor
when Entra ID's `employeeType` says so (`CONTRACTOR_TYPES`), else staff.

A person's roles are the roles of the groups they are a direct member of (one security group
per role, `GROUP_<ROLE>_ID`); a role group with groups inside it (nested groups) is read whole
each round (its transitive user members, `transitive`), and its roles are held by exactly
those. A person is active while their account is enabled and exists: a disabled account
(`accountEnabled: false`) or a deleted one (`@removed` in the users delta, or absent from a
full round) is inactive, keeps their row (older requests name them) and holds no role any more
in practice (`with_role` and every role check skip inactive people).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.domain.people import Person, Role, person_type


@dataclass(frozen=True)
class UserChange:
    """One entry of `/users/delta`: a created or changed user (the fields Graph sent; None
    where a field was not in the answer), or a removed one."""

    id: str
    removed: bool = False
    name: str | None = None
    email: str | None = None
    department: str | None = None
    job_title: str | None = None
    enabled: bool | None = None
    employee_type: str | None = None  # Entra ID's `employeeType` (contractor, ...)


@dataclass(frozen=True)
class UsersDelta:
    changes: tuple[UserChange, ...]
    delta_link: str
    full: bool  # an initial round: every existing user is in `changes`


@dataclass(frozen=True)
class MemberChange:
    """One entry of a group's `members@delta`: a user added to or removed from the group."""

    group_id: str
    user_id: str
    added: bool


@dataclass(frozen=True)
class NestedGroupChange:
    """One entry of a group's `members@delta` that is itself a group (a nested group)."""

    group_id: str
    nested_id: str
    added: bool


@dataclass(frozen=True)
class GroupsDelta:
    members: tuple[MemberChange, ...]
    delta_link: str
    full: bool  # an initial round: `members` is every group's complete membership
    removed_groups: frozenset[str] = field(default_factory=frozenset)
    nested: tuple[NestedGroupChange, ...] = ()  # groups added to or removed from a role group


@dataclass(frozen=True)
class Plan:
    """What one sync writes: the people whose row changes, and who left in this round."""

    changed: tuple[Person, ...]
    departed: frozenset[str]


def roles_by_group(groups: Mapping[Role, str]) -> dict[str, frozenset[Role]]:
    """Group object id -> the roles its members hold (one group may serve several roles)."""
    result: dict[str, set[Role]] = {}
    for role, group in groups.items():
        result.setdefault(group.lower(), set()).add(role)
    return {group: frozenset(roles) for group, roles in result.items()}


def plan(
    current: Mapping[str, Person],
    users: UsersDelta,
    groups: GroupsDelta,
    group_roles: Mapping[str, frozenset[Role]],
    transitive: Mapping[str, frozenset[str]] | None = None,
) -> Plan:
    """Apply one round of deltas to the people as stored (`current`, by id). `transitive`:
    role groups (by id) read whole this round, with their members through nested groups; their
    roles are held by exactly these users, whatever the members delta said."""
    people = dict(current)
    seen: set[str] = set()
    for change in users.changes:
        seen.add(change.id)
        people[change.id] = _applied(people.get(change.id), change)
    if users.full:
        # A full round lists every user that exists: whoever is not in it was deleted.
        for person_id in people.keys() - seen:
            people[person_id] = replace(people[person_id], active=False)
    roles = {pid: set(p.roles) for pid, p in people.items()}
    if groups.full:
        # A full round names every member of every role group: roles come from groups only.
        for held in roles.values():
            held.clear()
    for group_id in groups.removed_groups:
        for held in roles.values():
            held -= group_roles.get(group_id.lower(), frozenset())
    for member in groups.members:
        granted = group_roles.get(member.group_id.lower(), frozenset())
        if member.user_id not in people:
            if not member.added:
                continue
            # A member the users delta has not shown yet: known by id until it does.
            people[member.user_id] = Person(id=member.user_id, name="")
            roles[member.user_id] = set()
        if member.added:
            roles[member.user_id] |= granted
        else:
            roles[member.user_id] -= granted
    for group_id, user_ids in (transitive or {}).items():
        granted = group_roles.get(group_id.lower(), frozenset())
        for user_id in user_ids:
            if user_id not in people:
                people[user_id] = Person(id=user_id, name="")
                roles[user_id] = set()
        for person_id, held in roles.items():
            if person_id in user_ids:
                held |= granted
            else:
                held -= granted
    for person_id, held in roles.items():
        person = people[person_id]
        granted = frozenset(held)
        people[person_id] = replace(
            person,
            roles=granted,
            type=person_type(person.active, granted, person.employee_type),
        )
    changed = tuple(p for pid, p in people.items() if current.get(pid) != p)
    # Who left: everyone inactive that this round is about. A replayed round (the one before
    # failed after writing people) names them again, so nobody's pending requests are missed;
    # a full round names everyone, so there only those who were active before count.
    departed = frozenset(
        pid
        for pid, p in people.items()
        if not p.active
        and (
            (pid not in current or current[pid].active)
            if users.full
            else pid in seen or pid not in current or current[pid].active
        )
    )
    return Plan(changed, departed)


def _applied(person: Person | None, change: UserChange) -> Person:
    base = person or Person(id=change.id, name="")
    if change.removed:
        return replace(base, active=False)
    return replace(
        base,
        name=_given(change.name, base.name),
        email=_given(change.email, base.email),
        department=_given(change.department, base.department),
        job_title=_given(change.job_title, base.job_title),
        employee_type=_given(change.employee_type, base.employee_type),
        active=base.active if change.enabled is None else change.enabled,
    )


def _given(value: str | None, old: str) -> str:
    return old if value is None else value


def missing_roles(people: Iterable[Person], required: Sequence[Role]) -> list[Role]:
    """The required roles no active person holds."""
    held = {role for p in people if p.active for role in p.roles}
    return [role for role in required if role not in held]
