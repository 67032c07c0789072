"""Repositories and the directory import against a real Azurite."""

from pathlib import Path

from bot.directory import import_directory, read_directory
from bot.domain.people import Role
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
