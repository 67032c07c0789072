"""Domain-typed repositories over a `TableStore`: the only place rows become domain objects."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.cache import TtlCache
from bot.domain.people import Contact, Person, PersonType, Role
from bot.storage.errors import NotFound
from bot.storage.store import TableStore

CONVERSATIONS = "conversations"
PEOPLE = "people"
CONTACTS = "contacts"

TABLES: tuple[str, ...] = (CONVERSATIONS, PEOPLE, CONTACTS)


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
        await self._store.upsert(
            PEOPLE,
            tenant_id,
            person.id,
            {
                "Name": person.name,
                "Email": person.email,
                "Department": person.department,
                "ManagerId": person.manager_id or "",
                "Roles": ",".join(sorted(r.value for r in person.roles)),
                "Active": person.active,
                "Type": person.type.value,
            },
        )
        # This process sees its own directory writes at once (other instances within a minute).
        self._routing_people.drop((tenant_id, person.id))

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


def _person(person_id: str, data: Mapping[str, Any]) -> Person:
    roles = frozenset(Role(r) for r in str(data.get("Roles", "")).split(",") if r)
    return Person(
        id=person_id,
        name=str(data.get("Name", "")),
        email=str(data.get("Email", "")),
        department=str(data.get("Department", "")),
        manager_id=str(data.get("ManagerId") or "") or None,
        roles=roles,
        active=bool(data.get("Active", True)),
        type=PersonType(str(data.get("Type") or PersonType.STAFF.value)),
    )
