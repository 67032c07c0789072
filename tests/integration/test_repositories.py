"""Repositories and the directory import against a real Azurite."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.directory import DirectoryError, import_directory, parse_directory, read_directory
from bot.domain.people import PersonType, Role
from bot.domain.requests import ApproverRole
from bot.services.approvers import (
    DirectoryManagers,
    NoApprover,
    fallback_approver,
    find_approver,
)
from bot.storage.repositories import (
    TABLES,
    ConversationReferences,
    DirectoryRepository,
    StoredReference,
)
from bot.storage.tables import AzureTableStore

DEMO = Path(__file__).resolve().parents[2] / "infra" / "demo" / "directory.json"


async def test_demo_directory_is_loaded_with_managers_and_roles(store: AzureTableStore) -> None:
    await store.ensure_tables(TABLES)
    directory = read_directory(DEMO)
    repository = DirectoryRepository(store)
    await import_directory(repository, directory)
    await import_directory(repository, directory)  # loading twice changes nothing

    sanne = await repository.get_person(directory.tenant_id, "0f6c2a10-1111-4a1e-9c01-000000000001")
    assert sanne is not None and sanne.name == "Sanne de Vries"
    assert sanne.manager_id == "0f6c2a10-1111-4a1e-9c01-000000000002"
    privacy = await repository.with_role(directory.tenant_id, Role.PRIVACY_OFFICER)
    assert [p.name for p in privacy] == ["Fatima el Amrani"]
    assert len(await repository.people(directory.tenant_id)) == len(directory.people)
    contact = await repository.contact(directory.tenant_id, "vertrouwenspersoon")
    assert contact is not None and contact.phone
    # what each person is to Woongroen survives storage (the raffle is for staff only)
    henk = await repository.get_person(directory.tenant_id, "0f6c2a10-1111-4a1e-9c01-000000000007")
    assert henk is not None and henk.type is PersonType.RVC
    assert sanne.type is PersonType.STAFF
    desk = await repository.with_role(directory.tenant_id, Role.TRAILER_DESK)
    assert [p.name for p in desk] == ["Pieter Bakker"]


def test_a_directory_with_an_unknown_person_type_is_refused() -> None:
    raw = {"tenantId": "t", "people": [{"id": "a", "name": "A", "type": "intern"}]}
    with pytest.raises(DirectoryError, match="people\\[0\\]"):
        parse_directory(raw)
    contractor = parse_directory(
        {"tenantId": "t", "people": [{"id": "a", "name": "A", "type": "contractor"}]}
    )
    assert contractor.people[0].type is PersonType.CONTRACTOR


async def test_conversation_reference_is_kept_per_tenant_and_person(
    store: AzureTableStore,
) -> None:
    await store.ensure_tables(TABLES)
    references = ConversationReferences(store)
    await references.save(StoredReference("t1", "u1", '{"a": 1}', "nl-NL"))
    await references.save(StoredReference("t1", "u1", '{"a": 2}', "en-US"))
    got = await references.get("t1", "u1")
    assert got == StoredReference("t1", "u1", '{"a": 2}', "en-US")
    assert await references.get("t2", "u1") is None


async def test_an_unchanged_reference_is_not_written_again(
    azurite_connection: str, table_prefix: str
) -> None:
    requests: list[int] = []
    counted = AzureTableStore(azurite_connection, table_prefix, lambda: requests.append(1))
    try:
        await counted.ensure_tables(TABLES)
        references = ConversationReferences(counted, remembered=2)
        sanne = StoredReference("t1", "u1", '{"a": 1}', "nl-NL")
        requests.clear()
        assert await references.save_if_changed(sanne)
        assert not await references.save_if_changed(sanne)
        assert len(requests) == 1
        moved = StoredReference("t1", "u1", '{"a": 2}', "nl-NL")
        assert await references.save_if_changed(moved)
        assert await references.get("t1", "u1") == moved
        # only the most recent `remembered` people are kept in mind
        await references.save_if_changed(StoredReference("t1", "u2", "{}", "nl-NL"))
        await references.save_if_changed(StoredReference("t1", "u3", "{}", "nl-NL"))
        assert await references.save_if_changed(moved)
    finally:
        await counted.close()


class _Counted:
    """A real store on Azurite whose storage requests (HTTP, at the transport) are counted."""

    def __init__(self, azurite_connection: str, table_prefix: str) -> None:
        self.requests = 0
        self.store = AzureTableStore(azurite_connection, table_prefix, self._count)

    def _count(self) -> None:
        self.requests += 1

    def taken(self) -> int:
        """Requests since the last call."""
        taken, self.requests = self.requests, 0
        return taken


@pytest.fixture
async def counted(azurite_connection: str, table_prefix: str) -> AsyncIterator[_Counted]:
    counting = _Counted(azurite_connection, table_prefix)
    await counting.store.ensure_tables(TABLES)
    counting.taken()
    yield counting
    await counting.store.close()


async def test_a_reference_is_read_from_storage_once_per_minute(counted: _Counted) -> None:
    now = [0.0]
    other_instance = ConversationReferences(counted.store)
    await other_instance.save(StoredReference("t1", "u1", '{"a": 1}', "nl-NL"))
    references = ConversationReferences(counted.store, now=lambda: now[0])
    counted.taken()

    first = await references.get("t1", "u1")
    assert first == StoredReference("t1", "u1", '{"a": 1}', "nl-NL") and not first.cached
    assert counted.taken() == 1
    now[0] = 59.0
    again = await references.get("t1", "u1")
    assert again == first and again is not None and again.cached
    assert counted.taken() == 0  # within the minute: no storage request

    await other_instance.save(StoredReference("t1", "u1", '{"a": 2}', "en-US"))
    counted.taken()
    assert await references.get("t1", "u1") == first  # another instance's write: seen later
    assert counted.taken() == 0
    now[0] = 60.5
    fresh = await references.get("t1", "u1")
    assert fresh == StoredReference("t1", "u1", '{"a": 2}', "en-US") and not fresh.cached
    assert counted.taken() == 1


async def test_no_reference_is_never_cached(counted: _Counted) -> None:
    """Someone who installs the app (on any instance) is reachable at once."""
    references = ConversationReferences(counted.store, now=lambda: 0.0)
    assert await references.get("t1", "new") is None
    assert await references.get("t1", "new") is None
    assert counted.taken() == 2
    await ConversationReferences(counted.store).save(StoredReference("t1", "new", "{}", "nl-NL"))
    assert await references.get("t1", "new") == StoredReference("t1", "new", "{}", "nl-NL")


async def test_saving_refreshes_the_cache_and_forget_drops_it(counted: _Counted) -> None:
    now = [0.0]
    references = ConversationReferences(counted.store, now=lambda: now[0])
    await references.save(StoredReference("t1", "u1", '{"a": 1}', "nl-NL"))
    counted.taken()
    got = await references.get("t1", "u1")
    assert got == StoredReference("t1", "u1", '{"a": 1}', "nl-NL") and got.cached
    assert counted.taken() == 0  # what this process saved needs no read

    moved = StoredReference("t1", "u1", '{"a": 2}', "nl-NL")
    assert await references.save_if_changed(moved)
    assert await references.get("t1", "u1") == moved
    assert counted.taken() == 1  # the write only

    # The person messages again after the minute: nothing is written, yet the reference they
    # just used is at hand again (an approver's own card update needs no read).
    now[0] = 120.0
    assert not await references.save_if_changed(moved)
    assert await references.get("t1", "u1") == moved
    assert counted.taken() == 0

    references.forget("t1", "u1")
    assert await references.get("t1", "u1") == moved
    assert counted.taken() == 1
    # forgotten as written too: the next message writes the reference again
    assert await references.save_if_changed(moved)


async def test_the_reference_cache_is_bounded(counted: _Counted) -> None:
    references = ConversationReferences(counted.store, remembered=2, now=lambda: 0.0)
    for user in ("u1", "u2", "u3"):
        await references.save(StoredReference("t1", user, "{}", "nl-NL"))
    counted.taken()
    assert await references.get("t1", "u3") is not None
    assert await references.get("t1", "u2") is not None
    assert counted.taken() == 0
    assert await references.get("t1", "u1") is not None  # the least recent one was dropped
    assert counted.taken() == 1


SANNE_ID = "0f6c2a10-1111-4a1e-9c01-000000000001"
PIETER_ID = "0f6c2a10-1111-4a1e-9c01-000000000002"


async def test_choosing_an_approver_reads_the_directory_once_per_minute(
    counted: _Counted,
) -> None:
    directory = read_directory(DEMO)
    tenant = directory.tenant_id
    await import_directory(DirectoryRepository(counted.store), directory)
    now = [0.0]
    repository = DirectoryRepository(counted.store, now=lambda: now[0])
    managers = DirectoryManagers(repository)
    counted.taken()

    approver, role = await find_approver(tenant, SANNE_ID, repository, managers)
    assert (approver.id, role) == (PIETER_ID, ApproverRole.MANAGER)
    assert counted.taken() == 2  # Sanne, then her manager
    assert await find_approver(tenant, SANNE_ID, repository, managers) == (approver, role)
    assert counted.taken() == 0
    officer = await fallback_approver(tenant, SANNE_ID, repository)
    assert counted.taken() == 1
    assert await fallback_approver(tenant, SANNE_ID, repository) == officer
    assert counted.taken() == 1  # chosen by role: read every time

    now[0] = 61.0
    assert await find_approver(tenant, SANNE_ID, repository, managers) == (approver, role)
    assert counted.taken() == 2


async def test_role_checks_never_use_the_approver_cache(counted: _Counted) -> None:
    """A role taken away (by the directory import of another instance) counts at once for who
    may act, even while the approver lookup still holds the old entry."""
    directory = read_directory(DEMO)
    tenant = directory.tenant_id
    await import_directory(DirectoryRepository(counted.store), directory)
    repository = DirectoryRepository(counted.store, now=lambda: 0.0)
    [officer] = await repository.with_role(tenant, Role.INTEGRITY_OFFICER)
    assert await repository.routing_person(tenant, officer.id) == officer

    await DirectoryRepository(counted.store).put_person(tenant, replace(officer, roles=frozenset()))
    counted.taken()
    assert await repository.routing_person(tenant, officer.id) == officer  # up to a minute old
    assert counted.taken() == 0
    person = await repository.get_person(tenant, officer.id)
    assert person is not None and not person.has(Role.INTEGRITY_OFFICER)
    assert await repository.with_role(tenant, Role.INTEGRITY_OFFICER) == []
    assert counted.taken() == 2  # both read storage

    # The fallback approver is chosen by role, so a role taken away counts at once there too
    # (the demo has one integrity officer: now there is none to route to).
    with pytest.raises(NoApprover):
        await fallback_approver(tenant, SANNE_ID, repository)
    # This process's own directory writes count at once for the manager lookup too.
    await repository.put_person(tenant, replace(officer, active=False))
    assert (await repository.routing_person(tenant, officer.id)) == replace(officer, active=False)


async def test_someone_not_in_the_directory_is_not_cached(counted: _Counted) -> None:
    repository = DirectoryRepository(counted.store, now=lambda: 0.0)
    assert await repository.routing_person("t1", "nobody") is None
    assert await repository.routing_person("t1", "nobody") is None
    assert counted.taken() == 2
