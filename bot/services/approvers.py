"""Who decides a request: the manager (Graph or directory), the RvC for the director and for
the RvC itself (`find_route`), and the integrity officer as the fallback when there is no
(reachable) manager.

Finding the manager goes through `DirectoryRepository.routing_person`, which may answer from a
cache up to a minute old (issue #9: two point reads per submission otherwise). That staleness
only affects *choosing* the manager: the chosen approver is recorded on the request, every
decision is checked against that record (`bot/domain/requests.py` `decide`), and every role
check reads storage afresh (`bot/services/roles.py`). At worst, a request made within a minute
of a directory change goes to the previous manager (or a just deactivated one), and the
reminder/escalation job moves it on like any unanswered request. The requester's own entry
(whether they are the director, whose requests go to the RvC chair) comes through the same
cache. Whoever is chosen *by role* (the RvC chair, the integrity officer as fallback) is read
from storage every time: a role taken away from them counts at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.domain import people
from bot.domain.people import Role
from bot.domain.requests import ApproverRole, Person
from bot.services.managers import ManagerLookupError
from bot.storage.repositories import DirectoryRepository

log = logging.getLogger(__name__)


class GraphLookup(Protocol):
    """What `bot.graph.GraphClient` offers: a manager by Entra object id."""

    async def manager_of(self, user_id: str) -> people.Person | None: ...


class ManagerLookup(Protocol):
    """Finds a person's manager (Microsoft Graph in production, the directory otherwise)."""

    async def manager_of(
        self, tenant_id: str, user_id: str, known: people.Person | None = None
    ) -> Person | None:
        """`known`: the person's directory entry, when the caller has read it already."""
        ...


class GraphManagers:
    """Managers from Microsoft Graph; when Graph cannot answer, the directory is asked instead
    (and the log says so), so a request is never stuck on a Graph outage.

    Graph keeps naming a manager whose account was disabled: a manager the directory knows as
    inactive (they left; see bot/services/directory_sync.py) is no manager, so the request goes
    on to the fallback approver."""

    def __init__(
        self,
        graph: GraphLookup,
        fallback: ManagerLookup,
        directory: DirectoryRepository | None = None,
    ) -> None:
        self._graph = graph
        self._fallback = fallback
        self._directory = directory

    async def manager_of(
        self, tenant_id: str, user_id: str, known: people.Person | None = None
    ) -> Person | None:
        try:
            manager = await self._graph.manager_of(user_id)
        except ManagerLookupError as error:
            log.warning("Graph could not give the manager (%s); using the directory", error)
            return await self._fallback.manager_of(tenant_id, user_id, known)
        if manager is None:
            return None
        if self._directory is not None:
            entry = await self._directory.routing_person(tenant_id, manager.id)
            if entry is not None and not entry.active:
                log.info("the manager Graph names has left; not chosen")
                return None
        return Person(manager.id, manager.name)


class NoApprover(Exception):
    """Neither a manager nor a fallback approver is configured: an administrator must act."""


class RoleNotConfigured(NoApprover):
    """A kind goes to a role (Communicatie, the director) that nobody holds in the directory."""

    def __init__(self, role: Role) -> None:
        super().__init__(f"no {role.value} configured in the directory")
        self.role = role


class DirectoryManagers:
    """Managers from the directory table (the demo, and when Graph is not configured)."""

    def __init__(self, directory: DirectoryRepository) -> None:
        self._directory = directory

    async def manager_of(
        self, tenant_id: str, user_id: str, known: people.Person | None = None
    ) -> Person | None:
        person = known or await self._directory.routing_person(tenant_id, user_id)
        if person is None or not person.manager_id:
            return None
        manager = await self._directory.routing_person(tenant_id, person.manager_id)
        if manager is None or not manager.active:
            return None
        return Person(manager.id, manager.name)


@dataclass(frozen=True)
class Route:
    """Who decides a request: the approver, why, and who else may decide (the whole RvC)."""

    approver: Person
    role: ApproverRole
    co_approvers: tuple[Person, ...] = ()


# Routes that stay within the Raad van Commissarissen: never escalated to, or rerouted to,
# someone who reports to the director (the integrity officer, a manager).
RVC_ROUTES = frozenset({ApproverRole.RVC_CHAIR, ApproverRole.RVC_VICE_CHAIR, ApproverRole.RVC})


async def find_approver(
    tenant_id: str,
    requester_id: str,
    directory: DirectoryRepository,
    managers: ManagerLookup,
) -> tuple[Person, ApproverRole]:
    """The designated approver for a request by `requester_id` (never the requester)."""
    route = await find_route(tenant_id, requester_id, directory, managers)
    return route.approver, route.role


async def find_route(
    tenant_id: str,
    requester_id: str,
    directory: DirectoryRepository,
    managers: ManagerLookup,
) -> Route:
    """Who decides a request by `requester_id` (never the requester), by who they are:

    - the director: the RvC chair;
    - a member of the RvC: its chair;
    - the RvC chair: the vice-chair; without one, every other member of the RvC (the first
      decision counts);
    - anyone else: their manager, else the integrity officer.

    The director and the RvC are never put before someone who reports to the director: with
    the RvC role missing, RoleNotConfigured (the form says whom to contact, the log names the
    role)."""
    requester = await directory.routing_person(tenant_id, requester_id)
    if requester is not None and requester.has(Role.RVC_CHAIR):
        return await _rvc_of_chair(tenant_id, requester_id, directory)
    if requester is not None and (requester.has(Role.DIRECTOR) or requester.on_rvc):
        return Route(
            await role_holder(tenant_id, Role.RVC_CHAIR, requester_id, directory),
            ApproverRole.RVC_CHAIR,
        )
    manager = await managers.manager_of(tenant_id, requester_id, requester)
    if manager is not None and manager.id != requester_id:
        return Route(manager, ApproverRole.MANAGER)
    return Route(await fallback_approver(tenant_id, requester_id, directory), ApproverRole.FALLBACK)


async def about_the_director(
    tenant_id: str, requester_id: str, directory: DirectoryRepository
) -> Route:
    """A case about the director (a suspected violation by them): the RvC chair decides, or,
    when the chair is the one reporting, the vice-chair or the RvC."""
    requester = await directory.routing_person(tenant_id, requester_id)
    if requester is not None and requester.has(Role.RVC_CHAIR):
        return await _rvc_of_chair(tenant_id, requester_id, directory)
    return Route(
        await role_holder(tenant_id, Role.RVC_CHAIR, requester_id, directory),
        ApproverRole.RVC_CHAIR,
    )


async def _rvc_of_chair(tenant_id: str, chair_id: str, directory: DirectoryRepository) -> Route:
    """The RvC chair's own requests: the vice-chair, else the whole RvC."""
    for person in await directory.with_role(tenant_id, Role.RVC_VICE_CHAIR):
        if person.id != chair_id:
            return Route(Person(person.id, person.name), ApproverRole.RVC_VICE_CHAIR)
    members: dict[str, Person] = {}
    for role in (Role.RVC_MEMBER, Role.RVC_CHAIR):
        for person in await directory.with_role(tenant_id, role):
            if person.id != chair_id:
                members.setdefault(person.id, Person(person.id, person.name))
    if not members:
        log.warning("role %s is not configured in the directory", Role.RVC_VICE_CHAIR.value)
        raise RoleNotConfigured(Role.RVC_VICE_CHAIR)
    log.info("role %s is not configured: the whole RvC decides", Role.RVC_VICE_CHAIR.value)
    first, *others = sorted(members.values(), key=lambda p: (p.name.casefold(), p.id))
    return Route(first, ApproverRole.RVC, tuple(others))


async def fallback_approver(
    tenant_id: str, requester_id: str, directory: DirectoryRepository
) -> Person:
    """The integrity officer (not the requester themself)."""
    officers = [
        p
        for p in await directory.with_role(tenant_id, Role.INTEGRITY_OFFICER)
        if p.id != requester_id
    ]
    if not officers:
        log.warning("role %s is not configured in the directory", Role.INTEGRITY_OFFICER.value)
        raise NoApprover("no integrity officer configured in the directory")
    return Person(officers[0].id, officers[0].name)


# The roles a kind can be decided by instead of the manager, as the request records them.
ROLE_APPROVERS = {
    Role.COMMUNICATIONS: ApproverRole.COMMUNICATIONS,
    Role.DIRECTOR: ApproverRole.DIRECTOR,
}


# The other way round: the role a request put before a role (not a manager) belongs to.
DECIDING_ROLES = {approver: role for role, approver in ROLE_APPROVERS.items()}


def deciding_role(approver_role: ApproverRole) -> Role | None:
    """The directory role that decides a request with this `approver_role` (Communicatie, the
    director), or None for a manager's or the RvC's route. Such a request stays with holders of
    that role: never rerouted to the integrity officer or escalated to anyone's manager."""
    return DECIDING_ROLES.get(approver_role)


async def role_holders(
    tenant_id: str, role: Role, directory: DirectoryRepository, *excluded: str
) -> list[Person]:
    """Every active holder of `role` except `excluded` (the requester, those tried already)."""
    return [
        Person(p.id, p.name)
        for p in await directory.with_role(tenant_id, role)
        if p.id not in excluded
    ]


async def role_holder(
    tenant_id: str, role: Role, requester_id: str, directory: DirectoryRepository
) -> Person:
    """The active person holding `role` (never the requester); RoleNotConfigured when none is
    (read from storage every time, like every role check)."""
    for person in await directory.with_role(tenant_id, role):
        if person.id != requester_id:
            return Person(person.id, person.name)
    log.warning("role %s is not configured in the directory", role.value)
    raise RoleNotConfigured(role)


async def role_approver(
    tenant_id: str, role: Role, requester_id: str, directory: DirectoryRepository
) -> tuple[Person, ApproverRole]:
    """The approver of a kind decided by a role (Communicatie, the director), not the manager."""
    return await role_holder(tenant_id, role, requester_id, directory), ROLE_APPROVERS[role]
