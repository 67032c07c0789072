"""The supplier contact list, as a repository contract: every test runs against Azure Tables
(on a real Azurite) and against the in-memory twin; retention removes a contact after its
period."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.supplier_contacts import ContactLine, imported
from bot.storage.memory import MemorySupplierContacts
from bot.storage.supplier_contacts import TABLES, SupplierContactRepository, SupplierContacts
from bot.storage.tables import AzureTableStore

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
JAN = imported(None, ContactLine(1, "Jan de Vos", "Bouwbedrijf Vos", "jan@vos.nl"), "t", "l", NOW)
ANNA = imported(None, ContactLine(2, "Anna Smit", "Aannemer Smit", "anna@smit.nl"), "t", "l", NOW)


@pytest.fixture(params=["azurite", "memory"])
async def contacts(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[SupplierContacts]:
    if request.param == "memory":
        yield MemorySupplierContacts()
        return
    store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield SupplierContactRepository(store)
    await store.close()


async def test_an_import_is_listed_by_organisation_and_read_back_whole(
    contacts: SupplierContacts,
) -> None:
    await contacts.put_all([JAN, ANNA])
    await contacts.put_all([JAN, ANNA])  # repeating an import is harmless
    assert await contacts.contacts("t") == [ANNA, JAN]
    assert await contacts.get("t", JAN.id) == JAN
    assert await contacts.get("other", JAN.id) is None
    assert await contacts.contacts("other") == []
    assert await contacts.tenants() == ["t"]


async def test_a_send_is_noted_and_a_failed_one_says_why(contacts: SupplierContacts) -> None:
    await contacts.put_all([JAN])
    failed = await contacts.sent("t", JAN.id, NOW, "ErrorInvalidRecipients")
    assert failed is not None and (failed.sends, failed.send_error) == (0, "ErrorInvalidRecipients")
    later = NOW + timedelta(hours=1)
    sent = await contacts.sent("t", JAN.id, later)
    assert sent is not None and (sent.sends, sent.send_error, sent.sent_at) == (1, "", later)
    assert await contacts.sent("t", "nobody", NOW) is None


async def test_a_confirmation_counts_once_also_when_two_arrive_together(
    contacts: SupplierContacts,
) -> None:
    await contacts.put_all([JAN])
    first, second = await asyncio.gather(
        contacts.confirm("t", JAN.id, NOW), contacts.confirm("t", JAN.id, NOW + timedelta(1))
    )
    assert first is not None and second is not None
    assert sorted([first[1], second[1]]) == [False, True]
    stored = await contacts.get("t", JAN.id)
    assert stored is not None and stored.confirmed_at in (NOW, NOW + timedelta(1))
    again = await contacts.confirm("t", JAN.id, NOW + timedelta(days=3))
    assert again is not None and again[1] is False and again[0].confirmed_at == stored.confirmed_at
    assert await contacts.confirm("t", "nobody", NOW) is None


async def test_importing_again_keeps_the_confirmation(contacts: SupplierContacts) -> None:
    await contacts.put_all([JAN])
    await contacts.confirm("t", JAN.id, NOW)
    current = await contacts.get("t", JAN.id)
    line = ContactLine(1, "Jan de Vos", "Vos Bouw", "JAN@vos.nl")
    await contacts.put_all([imported(current, line, "t", "l", NOW)])
    stored = await contacts.get("t", JAN.id)
    assert stored is not None and stored.organisation == "Vos Bouw" and stored.confirmed


async def test_a_removed_contact_is_gone(contacts: SupplierContacts) -> None:
    await contacts.put_all([JAN, replace(ANNA, tenant_id="u")])
    await contacts.remove("t", JAN.id)
    await contacts.remove("t", JAN.id)  # twice is fine
    assert await contacts.contacts("t") == []
    assert await contacts.tenants() == ["u"]
