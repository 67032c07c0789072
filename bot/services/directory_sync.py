"""The directory from Microsoft Graph, kept current with delta queries; and what happens when
someone leaves.

A round reads `/users/delta` (people: name, mail, department, job title, account enabled) and
`/groups/delta` for the role groups (`GROUP_<ROLE>_ID`) with their members, each from the delta
link the previous round stored (none: a full first round), every page followed. A role group
with groups inside it (nested groups: shown by the groups delta, remembered in the sync state
until a round shows them removed) is read whole every round
(`/groups/{id}/transitiveMembers/microsoft.graph.user`): its role is held by exactly those
users; a role group without nested groups costs no request of its own. The outcome
(`bot.domain.directory.plan`) is written to the people table, then the new delta links and the
time of this success (the `directorysync` row that `/healthz` shows). A round that fails stores
nothing: the next one starts again from the last stored links, so no change is skipped.

Rounds are done once across instances: a round is due when the last success is older than
`DIRECTORY_SYNC_MINUTES` (or the configured groups changed), and whoever claims the lease
`directory-sync|<tenant>` does it and gives it back; a lease left by an instance that died runs
out after `LEASE`.

Someone who left (disabled or deleted) is inactive from that round on: nobody chooses them by
role, a manager Graph still names is passed over (`GraphManagers`), and every pending request
put before them is rerouted (`directory_pass`) as it would be routed now: the requester's
(active) manager, the RvC chair for the director, else the integrity officer. Who left is
recorded with the round's links and handled under the same lease, so it is done once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.directory import Directory
from bot.domain.directory import GroupsDelta, UsersDelta, missing_roles, plan, roles_by_group
from bot.domain.people import Role
from bot.domain.requests import NO_ADVISOR, AuditEntry, reroute
from bot.services.approvals import (
    Presenter,
    _advisor,
    _ask_advice,
    _deliver_to_co_approvers,
    _note,
    _send_to_approver,
    _update_card,
)
from bot.services.approvers import NoApprover, Route, deciding_role, find_route, role_holders
from bot.services.context import Services
from bot.services.managers import (
    DeltaExpired,
    GraphError,
    GraphTokenError,
    ManagerLookupError,
)
from bot.settings import REQUIRED_ROLES, ROLE_MEANINGS, role_group_variable
from bot.storage.errors import AlreadyExists, Conflict, StorageError
from bot.storage.repositories import SyncState
from bot.storage.requests import InboxEntry, StoredRequest

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # the longest a round may hold the lease before another takes it
GRAPH = "graph"
FILE = "file"


class DirectoryReader(Protocol):
    """The delta rounds of Microsoft Graph (`bot.graph.GraphClient`)."""

    async def users_delta(self, delta_link: str | None) -> UsersDelta: ...

    async def groups_delta(self, group_ids: list[str], delta_link: str | None) -> GroupsDelta: ...

    async def transitive_members(self, group_id: str) -> frozenset[str]: ...


class StartupRefused(Exception):
    """The bot cannot do what it promises with this configuration; the message names the
    setting to change."""


@dataclass(frozen=True)
class SyncOutcome:
    changed: int  # people rows written
    departed: frozenset[str]  # who left in this round
    full: bool  # the users round was a full one


def groups_key(groups: dict[Role, str]) -> str:
    """Names the configured role groups (role=group, sorted): a delta link is for these."""
    return ",".join(sorted(f"{role.value}={group.lower()}" for role, group in groups.items()))


def nested_after(
    before: frozenset[tuple[str, str]], delta: GroupsDelta
) -> frozenset[tuple[str, str]]:
    """The (role group, nested group) pairs after this groups round: a full round names them
    all, a later one adds and removes some; a removed role group has none (ids lower case)."""
    pairs = set() if delta.full else set(before)
    for change in delta.nested:
        pair = (change.group_id.lower(), change.nested_id.lower())
        if change.added:
            pairs.add(pair)
        else:
            pairs.discard(pair)
    removed = {group.lower() for group in delta.removed_groups}
    return frozenset(pair for pair in pairs if pair[0] not in removed)


def groups_to_expand(
    before: frozenset[tuple[str, str]], after: frozenset[tuple[str, str]], delta: GroupsDelta
) -> list[str]:
    """The role groups read whole this round: those with nested groups now, and after a delta
    round also those that had some before (a nested group just removed takes its members'
    role with it). Not a role group the round removed."""
    groups = {group for group, _ in after}
    if not delta.full:
        groups |= {group for group, _ in before}
    removed = {group.lower() for group in delta.removed_groups}
    return sorted(groups - removed)


def _lease(tenant_id: str) -> str:
    return f"directory-sync|{tenant_id}"


def is_due(services: Services, state: SyncState | None, now: datetime) -> bool:
    """A round is due without a success from Graph yet, when the configured groups changed,
    and when the last success is `DIRECTORY_SYNC_MINUTES` old."""
    if state is None or state.source != GRAPH or state.last_success is None:
        return True
    if state.groups_key != groups_key(services.settings.groups):
        return True
    return now - state.last_success >= timedelta(minutes=services.settings.directory_sync_minutes)


async def sync_directory(services: Services, reader: DirectoryReader) -> SyncOutcome:
    """One round (the caller holds the lease): read the deltas, write the people, then the
    links. Raises what Graph or storage raised; nothing of a failed round is recorded."""
    tenant = services.settings.directory_tenant
    groups = services.settings.groups
    key = groups_key(groups)
    state = await services.directory.sync_state(tenant)
    from_graph = state is not None and state.source == GRAPH
    users_link = state.users_link if from_graph and state else ""
    groups_link = state.groups_link if from_graph and state and state.groups_key == key else ""
    try:
        users = await reader.users_delta(users_link or None)
    except DeltaExpired:
        users = await reader.users_delta(None)
    if groups:
        ids = sorted(set(groups.values()))
        try:
            members = await reader.groups_delta(ids, groups_link or None)
        except DeltaExpired:
            members = await reader.groups_delta(ids, None)
    else:
        members = GroupsDelta((), "", full=True)
    group_roles = roles_by_group(groups)
    # The nested groups earlier rounds showed (only for the same groups: else a full round).
    kept = from_graph and state is not None and state.groups_key == key
    before = frozenset(state.nested) if kept and state else frozenset[tuple[str, str]]()
    nested = nested_after(before, members)
    transitive: dict[str, frozenset[str]] = {}
    for group in groups_to_expand(before, nested, members):
        transitive[group] = await reader.transitive_members(group)
        log.info(
            "role group of %s read through its nested groups: %d nested group(s), %d user(s)",
            ",".join(sorted(r.value for r in group_roles.get(group, frozenset()))),
            sum(1 for g, _ in nested if g == group),
            len(transitive[group]),
        )
    current = {p.id: p for p in await services.directory.people(tenant)}
    outcome = plan(current, users, members, group_roles, transitive)
    await services.directory.put_people(tenant, outcome.changed)
    for person in outcome.changed:
        services.menu_facts.drop((tenant, person.id))
    people = len({*current, *(p.id for p in outcome.changed)})
    # Who left is recorded with the links: their requests are moved by `directory_pass`,
    # also when this instance stops right after (the names stay until they are handled).
    departed = tuple(dict.fromkeys((*(state.departed if state else ()), *outcome.departed)))
    await services.directory.save_sync_state(
        tenant,
        SyncState(
            GRAPH,
            services.clock(),
            users.delta_link,
            members.delta_link,
            key,
            people,
            departed,
            nested=tuple(sorted(nested)),
        ),
    )
    log.info(
        "directory synced from Microsoft Graph (%s): %d changed, %d left",
        "full" if users.full else "delta",
        len(outcome.changed),
        len(outcome.departed),
    )
    return SyncOutcome(len(outcome.changed), outcome.departed, users.full)


async def sync_if_due(
    services: Services, reader: DirectoryReader, force: bool = False
) -> SyncOutcome | None:
    """Do a round when one is due (or `force`) and no other instance is doing one; None when
    nothing was done here."""
    tenant = services.settings.directory_tenant
    now = services.clock()
    if not force and not is_due(services, await services.directory.sync_state(tenant), now):
        return None
    holder = uuid.uuid4().hex
    if not await services.leases.claim(_lease(tenant), holder, now, LEASE):
        return None
    try:
        # Another instance may have finished a round between the check and the claim.
        state = await services.directory.sync_state(tenant)
        if not force and not is_due(services, state, services.clock()):
            return None
        return await sync_directory(services, reader)
    finally:
        await services.leases.release(_lease(tenant), holder)


async def record_file_import(services: Services, directory: Directory) -> None:
    """The directory file was loaded: `/healthz` says so, the pending requests of people it
    marks inactive are moved by the next `directory_pass`, and a later switch to Graph starts
    with a full round."""
    departed = tuple(p.id for p in directory.people if not p.active)
    state = SyncState(
        FILE,
        services.clock(),
        people=len(directory.people),
        departed=departed,
        tenant=directory.tenant_id,
    )
    await services.directory.save_sync_state(services.settings.directory_tenant, state)


async def prepare_graph_directory(
    services: Services,
    reader: DirectoryReader,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Start-up with the directory from Graph: make sure a round with the configured groups
    has succeeded (doing it here, or waiting for the instance doing it), and once more when a
    required role has nobody (the groups may have been filled since). Graph refusing the app
    (wrong secret, no consent) stops start-up; passing Graph failures are waited out."""
    tenant = services.settings.directory_tenant
    retried = False
    delay = 1.0
    while True:
        state = await services.directory.sync_state(tenant)
        due = is_due(services, state, services.clock())
        if not due and (retried or not await _missing(services)):
            return
        try:
            done = await sync_if_due(services, reader, force=not due)
        except GraphTokenError as error:
            raise StartupRefused(
                f"MicrosoftAppPassword: Microsoft Graph gave no app token ({error.error}); "
                "check the client secret and the tenant"
            ) from error
        except GraphError as error:
            if error.status in (401, 403):
                raise StartupRefused(
                    f"Microsoft Graph refused the directory sync ({error.status} {error.code}): "
                    "grant the app User.Read.All and GroupMember.Read.All (admin consent)"
                ) from error
            log.warning("directory sync failed at start-up (%s); retrying", error)
            await sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        if done is not None:
            retried = True
            continue
        await sleep(1.0)  # another instance holds the lease: wait for its round


async def _missing(services: Services, tenant_id: str = "") -> list[Role]:
    people = await services.directory.people(tenant_id or services.settings.directory_tenant)
    return missing_roles(people, REQUIRED_ROLES)


async def check_required_roles(services: Services, tenant_id: str = "") -> None:
    """Start-up with an app id: each required role has an active person (in `tenant_id`, by
    default the app's), or StartupRefused naming the setting to fix."""
    missing = await _missing(services, tenant_id)
    if not missing:
        return
    role = missing[0]
    meaning = ROLE_MEANINGS.get(role, role.value)
    settings = services.settings
    if settings.directory_source == FILE:
        raise StartupRefused(
            f"DIRECTORY_FILE: {settings.directory_file} has no active person with the role "
            f"{role.value} ({meaning})"
        )
    raise StartupRefused(
        f"{role_group_variable(role)}: the group {settings.groups.get(role, '')} has no "
        f"enabled member after the directory sync; {meaning} would reach nobody"
    )


async def directory_pass(
    services: Services,
    reader: DirectoryReader | None,
    presenter: Presenter,
    advisor_roles: Mapping[str, Role] | None = None,
) -> int:
    """The background job: a round when one is due (directory from Graph), then the pending
    requests of whoever left are rerouted. Under the lease, so once across instances; with
    nothing due and nobody left to handle it is one point read. Returns rows written plus
    requests moved. `advisor_roles`: the role that advises on each request kind that has an
    advisor (side jobs: HR), to ask someone else when the advisor left."""
    tenant = services.settings.directory_tenant
    now = services.clock()
    state = await services.directory.sync_state(tenant)
    due = reader is not None and is_due(services, state, now)
    if not due and not (state is not None and state.departed):
        return 0
    holder = uuid.uuid4().hex
    if not await services.leases.claim(_lease(tenant), holder, now, LEASE):
        return 0
    try:
        changed = 0
        state = await services.directory.sync_state(tenant)
        if reader is not None and is_due(services, state, services.clock()):
            changed = (await sync_directory(services, reader)).changed
            state = await services.directory.sync_state(tenant)
        if state is None or not state.departed:
            return changed
        moved, left = await reroute_departed(
            services, presenter, state.tenant or tenant, state.departed, advisor_roles or {}
        )
        await services.directory.save_sync_state(tenant, replace(state, departed=left))
        return changed + moved
    finally:
        await services.leases.release(_lease(tenant), holder)


async def reroute_departed(
    services: Services,
    presenter: Presenter,
    tenant_id: str,
    departed: Sequence[str],
    advisor_roles: Mapping[str, Role],
) -> tuple[int, tuple[str, ...]]:
    """Give every pending request put before someone who left to whoever would be chosen
    now, and ask advice they still owe of another holder of the advising role; the trail says
    why. Each move is an ETag-guarded write of the request (a decision made meanwhile wins).
    Returns how many moved, and who still has requests that could not be moved (storage
    failed: tried again next pass)."""
    moved = 0
    left: list[str] = []
    for person_id in departed:
        try:
            person = await services.directory.get_person(tenant_id, person_id)
            if person is not None and person.active:
                continue  # back again (re-enabled)
            for entry in await services.requests.waiting(tenant_id, person_id):
                if entry.role == "approver":
                    moved += await _move(services, presenter, tenant_id, person_id, entry)
                elif entry.role == "advisor":
                    role = advisor_roles.get(entry.kind)
                    moved += await _move_advice(
                        services, presenter, tenant_id, person_id, entry, role
                    )
        except StorageError as error:
            log.warning("requests of a departed approver not moved yet: %s", type(error).__name__)
            left.append(person_id)
    return moved, tuple(left)


async def _move(
    services: Services, presenter: Presenter, tenant_id: str, person_id: str, entry: InboxEntry
) -> int:
    stored = await services.requests.get(tenant_id, entry.requester_id, entry.request_id)
    if stored is None or not stored.request.pending or stored.request.approver.id != person_id:
        await services.requests.remove_inbox(tenant_id, person_id, entry.request_id)
        return 0  # a stale row: the request was decided or moved already
    request = stored.request
    if request.co_approvers:
        return await _promote_co_approver(services, stored, person_id)
    deciding = deciding_role(request.approver_role)
    if deciding is not None:
        # Decided by a role (Communicatie, the director): another holder of it, never the
        # requester's manager or the integrity officer in the role's place.
        holders = await role_holders(
            tenant_id, deciding, services.directory, request.requester.id, person_id
        )
        if not holders:
            log.error(
                "request %s stays with its departed approver: role %s is not configured in "
                "the directory",
                request.id,
                deciding.value,
            )
            return 0
        route = Route(holders[0], request.approver_role)
    else:
        try:
            route = await find_route(
                tenant_id, request.requester.id, services.directory, services.managers
            )
        except (NoApprover, ManagerLookupError) as failed:
            log.error(
                "request %s cannot be rerouted from a departed approver: %s",
                request.id,
                type(failed).__name__,
            )
            return 0
    target, role = route.approver, route.role
    if target.id == person_id:
        return 0
    moved = replace(
        reroute(request, target, role, "the approver has left", services.clock()),
        co_approvers=route.co_approvers,
    )
    try:
        await services.requests.update(stored, moved)
    except (Conflict, AlreadyExists):
        return 0  # changed meanwhile (decided, withdrawn)
    await services.requests.remove_inbox(tenant_id, person_id, request.id)
    undelivered, message_id = await _send_to_approver(services, presenter, moved)
    if undelivered is not None:
        await _note(services, moved, "undelivered", undelivered)
    current = await services.requests.get(tenant_id, request.requester.id, request.id)
    await services.requests.put_inbox(current.request if current else moved, message_id=message_id)
    await _deliver_to_co_approvers(services, presenter, moved)
    services.menu_facts.drop((tenant_id, target.id))
    log.warning("request %s rerouted: its approver has left", request.id)
    return 1


async def _promote_co_approver(services: Services, stored: StoredRequest, person_id: str) -> int:
    """A request the whole RvC decides, whose first approver left: the next member, who has
    the card already, becomes its approver."""
    request = stored.request
    target, *others = request.co_approvers
    moved = replace(
        reroute(request, target, request.approver_role, "the approver has left", services.clock()),
        co_approvers=tuple(others),
        former_approvers=tuple(dict.fromkeys((*request.former_approvers, person_id))),
    )
    try:
        await services.requests.update(stored, moved)
    except (Conflict, AlreadyExists):
        return 0
    await services.requests.remove_inbox(request.tenant_id, person_id, request.id)
    log.warning("request %s: its first RvC approver has left", request.id)
    return 1


async def _move_advice(
    services: Services,
    presenter: Presenter,
    tenant_id: str,
    person_id: str,
    entry: InboxEntry,
    role: Role | None,
) -> int:
    """An advisor who left and had not advised yet: another holder of the advising role is
    asked (none: the request goes on without advice, the trail says so)."""
    stored = await services.requests.get(tenant_id, entry.requester_id, entry.request_id)
    request = stored.request if stored is not None else None
    if (
        stored is None
        or request is None
        or not request.pending
        or request.advisor is None
        or request.advisor.id != person_id
        or request.advised_at is not None
    ):
        return 0  # decided, advised already, or asked of someone else
    advisor = (
        await _advisor(services, tenant_id, role, request.requester.id, request.approver)
        if role is not None
        else None
    )
    to = f" -> {advisor.id}" if advisor is not None else ""
    entry_note = AuditEntry(
        services.clock(), "system", "advisor_rerouted", f"{person_id}{to}: the advisor has left"
    )
    # Nobody left to advise: recorded, so the decision is marked as without the advice (and
    # a side job's manager no longer waits for it, see bot.domain.sidejobs.waiting_for_hr).
    nobody = (
        (AuditEntry(entry_note.at, "system", NO_ADVISOR, role.value if role else ""),)
        if advisor is None
        else ()
    )
    moved = replace(request, advisor=advisor, audit=(*request.audit, entry_note, *nobody))
    try:
        await services.requests.update(stored, moved)
    except (Conflict, AlreadyExists):
        return 0
    await services.requests.remove_inbox(tenant_id, person_id, request.id)
    if advisor is not None:
        services.menu_facts.drop((tenant_id, advisor.id))
        await _ask_advice(services, presenter, moved, advisor)
    else:  # the approver's card shows they decide without the advice (and its buttons)
        approver = await services.requests.inbox_entry(tenant_id, moved.approver.id, moved.id)
        if approver is not None and approver.message_id:
            await _update_card(services, moved.approver.id, approver.message_id, moved, presenter)
    log.warning("request %s: its advisor has left", request.id)
    return 1
