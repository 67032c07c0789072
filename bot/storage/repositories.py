"""Domain-typed repositories over a `TableStore`: the only place rows become domain objects."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.cache import TtlCache
from bot.domain.people import Contact, Person, PersonType, Role
from bot.storage.columns import chunked, unchunked
from bot.storage.errors import NotFound
from bot.storage.store import TableStore, Write

CONVERSATIONS = "conversations"
PEOPLE = "people"
CONTACTS = "contacts"
DIRECTORY_SYNC = "directorysync"

TABLES: tuple[str, ...] = (CONVERSATIONS, PEOPLE, CONTACTS, DIRECTORY_SYNC)
_SYNC_ROW = "state"
_DEPARTED = "Departed"
_NESTED = "NestedGroups"
_BATCH = 100  # Azure's limit of operations per entity-group transaction


@dataclass(frozen=True)
class SyncState:
    """Where the directory came from and how far its delta rounds got (one row per tenant).

    `groups_key` names the role groups the groups delta link was made for: when the groups
    configured change, the next round starts again with a full one. `nested` are the groups
    inside role groups that the delta rounds have shown so far (role group id, nested group
    id): those role groups are read whole every round."""

    source: str  # "graph" or "file"
    last_success: datetime | None = None
    users_link: str = ""
    groups_link: str = ""
    groups_key: str = ""
    people: int = 0
    # People who left whose pending requests are still to be rerouted.
    departed: tuple[str, ...] = ()
    tenant: str = ""  # the partition the people are in (a file names its own tenant)
    nested: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StoredReference:
    """A Teams conversation reference (opaque JSON) for proactive messages to one person."""

    tenant_id: str
    user_id: str
    reference: str
    locale: str
    # True when it came from this process's cache rather than storage: another instance may have
    # stored a newer one since, so a refused send retries with a fresh read (TeamsNotifier).
    cached: bool = field(default=False, compare=False)

    @property
    def user_mri(self) -> str:
        """The person's Teams id (29:...) inside the reference."""
        user = json.loads(self.reference).get("user") or {}
        return str(user.get("id") or "")


class ConversationReferences:
    """One row per person: partition = tenant, row = Entra object id.

    `get` is served from an in-process cache for `seconds` (filled by `get` and `save`): a
    reference only says where to send, never who may act, and a proactive send that Teams
    refuses on a cached reference is retried once with a fresh read (`forget`, then `get`).
    "No reference" is never cached, so someone who has just installed the app is reachable at
    once, also through another instance.
    """

    def __init__(
        self,
        store: TableStore,
        remembered: int = 10_000,
        seconds: float = 60.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        # What this process last wrote per person, so an unchanged reference is not rewritten
        # (no time limit: the least recently seen are forgotten first).
        self._saved: TtlCache[tuple[str, str], tuple[str, str]] = TtlCache(
            math.inf, remembered, now
        )
        self._cache: TtlCache[tuple[str, str], StoredReference] = TtlCache(seconds, remembered, now)

    async def save(self, ref: StoredReference) -> None:
        await self._store.upsert(
            CONVERSATIONS,
            ref.tenant_id,
            ref.user_id,
            {"Reference": ref.reference, "Locale": ref.locale},
        )
        key = (ref.tenant_id, ref.user_id)
        self._saved.put(key, (ref.reference, ref.locale))
        self._cache.put(key, replace(ref, cached=True))

    async def save_if_changed(self, ref: StoredReference) -> bool:
        """Save unless this process already saved exactly this reference; True if it wrote.

        Every message carries the sender's reference, and it almost never changes (Teams moves
        a conversation's service URL rarely), so rewriting it on every turn is a wasted storage
        round trip. Forgotten after `remembered` people (least recently seen first).
        """
        key = (ref.tenant_id, ref.user_id)
        written = (ref.reference, ref.locale)
        if self._saved.get(key) == written:
            self._saved.put(key, written)  # recently seen: forgotten last
            # The person has just used it, so it is the current one: keep it at hand (an
            # approver's own card update then needs no read).
            self._cache.put(key, replace(ref, cached=True))
            return False
        await self.save(ref)
        return True

    async def get(self, tenant_id: str, user_id: str) -> StoredReference | None:
        """The person's reference (`cached` says whether it came from the cache), or None."""
        key = (tenant_id, user_id)
        known = self._cache.get(key)
        if known is not None:
            return known
        try:
            row = await self._store.get(CONVERSATIONS, tenant_id, user_id)
        except NotFound:
            return None  # not cached: an install elsewhere must be seen at once
        stored = StoredReference(
            tenant_id, user_id, str(row.data["Reference"]), str(row.data.get("Locale", ""))
        )
        self._cache.put(key, replace(stored, cached=True))
        return stored

    def forget(self, tenant_id: str, user_id: str) -> None:
        """Drop what this process holds for the person (Teams refused their cached reference):
        the next `get` reads storage, and their next message is written again."""
        key = (tenant_id, user_id)
        self._cache.drop(key)
        self._saved.drop(key)


class DirectoryRepository:
    """People (partition = tenant, row = Entra object id) and named contacts of the organisation.

    `get_person`, `with_role` and `people` always read storage: role checks (who may see or do
    something) use them, and so does every choice made by role (the RvC chair, the integrity
    officer, the HR advisor). `routing_person` may answer from a cache of up to
    `routing_seconds`; it is only for finding a requester's manager (why a minute of lag is
    acceptable there: bot/services/approvers.py).
    """

    def __init__(
        self,
        store: TableStore,
        routing_seconds: float = 60.0,
        routing_size: int = 4096,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._routing_people: TtlCache[tuple[str, str], Person] = TtlCache(
            routing_seconds, routing_size, now
        )

    async def put_person(self, tenant_id: str, person: Person) -> None:
        await self._store.upsert(PEOPLE, tenant_id, person.id, _person_columns(person))
        # This process sees its own directory writes at once (other instances within a minute).
        self._routing_people.drop((tenant_id, person.id))

    async def put_people(self, tenant_id: str, people: Sequence[Person]) -> None:
        """Write many people (the directory sync), up to 100 per transaction."""
        for start in range(0, len(people), _BATCH):
            batch = people[start : start + _BATCH]
            writes = [Write("upsert", p.id, _person_columns(p)) for p in batch]
            await self._store.transact(PEOPLE, tenant_id, writes)
            for person in batch:
                self._routing_people.drop((tenant_id, person.id))

    async def sync_state(self, tenant_id: str) -> SyncState | None:
        """How the directory was last brought up to date, or None before the first time."""
        try:
            row = await self._store.get(DIRECTORY_SYNC, tenant_id, _SYNC_ROW)
        except NotFound:
            return None
        data = row.data
        last = str(data.get("LastSuccessAt") or "")
        return SyncState(
            source=str(data.get("Source", "")),
            last_success=datetime.fromisoformat(last) if last else None,
            users_link=str(data.get("UsersDeltaLink", "")),
            groups_link=str(data.get("GroupsDeltaLink", "")),
            groups_key=str(data.get("GroupsKey", "")),
            people=int(data.get("People", 0)),
            departed=tuple(d for d in unchunked(_DEPARTED, data).split(",") if d),
            tenant=str(data.get("Tenant", "")) or tenant_id,
            nested=tuple(
                (group, nested)
                for pair in unchunked(_NESTED, data).split(",")
                if pair
                for group, _, nested in [pair.partition("/")]
            ),
        )

    async def save_sync_state(self, tenant_id: str, state: SyncState) -> None:
        await self._store.upsert(
            DIRECTORY_SYNC,
            tenant_id,
            _SYNC_ROW,
            {
                "Source": state.source,
                "LastSuccessAt": state.last_success.isoformat() if state.last_success else "",
                "UsersDeltaLink": state.users_link,
                "GroupsDeltaLink": state.groups_link,
                "GroupsKey": state.groups_key,
                "People": state.people,
                "Tenant": state.tenant or tenant_id,
                **chunked(_DEPARTED, ",".join(state.departed)),
                **chunked(_NESTED, ",".join(f"{g}/{n}" for g, n in state.nested)),
            },
        )

    async def get_person(self, tenant_id: str, person_id: str) -> Person | None:
        try:
            row = await self._store.get(PEOPLE, tenant_id, person_id)
        except NotFound:
            return None
        return _person(row.row, row.data)

    async def people(self, tenant_id: str) -> list[Person]:
        rows = await self._store.query(PEOPLE, tenant_id)
        return [_person(row.row, row.data) for row in rows]

    async def with_role(self, tenant_id: str, role: Role) -> list[Person]:
        return [p for p in await self.people(tenant_id) if p.active and p.has(role)]

    async def routing_person(self, tenant_id: str, person_id: str) -> Person | None:
        """`get_person`, possibly up to `routing_seconds` old: to choose an approver only, NEVER
        to decide who may act. Someone not in the directory is not cached."""
        key = (tenant_id, person_id)
        person = self._routing_people.get(key)
        if person is None:
            person = await self.get_person(tenant_id, person_id)
            if person is not None:
                self._routing_people.put(key, person)
        return person

    async def put_contact(self, tenant_id: str, key: str, contact: Contact) -> None:
        await self._store.upsert(
            CONTACTS,
            tenant_id,
            key,
            {"Json": json.dumps(contact.__dict__, ensure_ascii=False)},
        )

    async def contact(self, tenant_id: str, key: str) -> Contact | None:
        try:
            row = await self._store.get(CONTACTS, tenant_id, key)
        except NotFound:
            return None
        return Contact(**json.loads(str(row.data["Json"])))


def _person_columns(person: Person) -> dict[str, Any]:
    return {
        "Name": person.name,
        "Email": person.email,
        "Department": person.department,
        "JobTitle": person.job_title,
        "ManagerId": person.manager_id or "",
        "Roles": ",".join(sorted(r.value for r in person.roles)),
        "Active": person.active,
        "Type": person.type.value,
        "EmployeeType": person.employee_type,
    }


def _person(person_id: str, data: Mapping[str, Any]) -> Person:
    # A role no longer known to this version (renamed or removed) is ignored, not fatal.
    known = {r.value for r in Role}
    roles = frozenset(Role(r) for r in str(data.get("Roles", "")).split(",") if r in known)
    return Person(
        id=person_id,
        name=str(data.get("Name", "")),
        email=str(data.get("Email", "")),
        department=str(data.get("Department", "")),
        manager_id=str(data.get("ManagerId") or "") or None,
        roles=roles,
        active=bool(data.get("Active", True)),
        type=PersonType(str(data.get("Type") or PersonType.STAFF.value)),
        job_title=str(data.get("JobTitle", "")),
        employee_type=str(data.get("EmployeeType") or ""),
    )
