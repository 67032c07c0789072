"""The list of parties in negotiation, as a repository contract: every test runs against Azure
Tables (on a real Azurite) and against the in-memory twin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from bot.domain.negotiations import Party, match_key
from bot.storage import AlreadyExists
from bot.storage.memory import MemoryNegotiations
from bot.storage.negotiations import TABLES, NegotiationRepository, Negotiations
from bot.storage.tables import AzureTableStore

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)
VOS = Party(
    "tenant",
    "Bouwbedrijf Vos B.V.",
    date(2026, 9, 1),
    date(2026, 12, 31),
    kvk="12345678",
    added_by="Bram Kok",
    changed_at=NOW,
)
JANSEN = Party("tenant", "Schilders Jansen & Zn", date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture(params=["azurite", "memory"])
async def negotiations(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[Negotiations]:
    if request.param == "memory":
        yield MemoryNegotiations()
        return
    store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield NegotiationRepository(store)
    await store.close()


async def test_a_party_added_is_found_by_its_match_key_and_listed(
    negotiations: Negotiations,
) -> None:
    await negotiations.add(VOS)
    await negotiations.add(JANSEN)
    assert await negotiations.find("tenant", match_key("bouwbedrijf vos bv")) == VOS
    assert await negotiations.find("tenant", match_key("Vos")) is None
    assert await negotiations.find("tenant", "") is None
    assert await negotiations.find("other tenant", VOS.key) is None
    assert [p.name for p in await negotiations.parties("tenant")] == [VOS.name, JANSEN.name]
    assert await negotiations.parties("other tenant") == []


async def test_the_same_party_cannot_be_added_twice(negotiations: Negotiations) -> None:
    await negotiations.add(VOS)
    with pytest.raises(AlreadyExists):
        await negotiations.add(
            Party("tenant", "BOUWBEDRIJF VOS", date(2026, 1, 1), date(2026, 2, 1))
        )
    assert await negotiations.find("tenant", VOS.key) == VOS


async def test_an_import_adds_new_parties_and_replaces_listed_ones_and_can_be_repeated(
    negotiations: Negotiations,
) -> None:
    await negotiations.add(VOS)
    later = Party("tenant", "Bouwbedrijf Vos BV", date(2026, 10, 1), date(2027, 3, 31))
    many = [
        Party("tenant", f"Leverancier {n}", date(2026, 1, 1), date(2026, 12, 31))
        for n in range(130)
    ]
    await negotiations.put_all([later, JANSEN, *many])  # more than one batch of 100
    await negotiations.put_all([later, JANSEN, *many])
    listed = await negotiations.parties("tenant")
    assert len(listed) == 132
    found = await negotiations.find("tenant", VOS.key)
    assert found is not None and (found.name, found.end) == (
        "Bouwbedrijf Vos BV",
        date(2027, 3, 31),
    )


async def test_the_end_date_changes_and_a_removed_party_is_gone(negotiations: Negotiations) -> None:
    await negotiations.add(VOS)
    changed = await negotiations.set_end("tenant", VOS.key, date(2027, 1, 31), "Lotte Smit", NOW)
    assert changed is not None and changed.end == date(2027, 1, 31)
    assert (
        changed.added_by == "Lotte Smit" and changed.start == VOS.start and changed.kvk == VOS.kvk
    )
    assert await negotiations.find("tenant", VOS.key) == changed
    await negotiations.remove("tenant", VOS.key)
    await negotiations.remove("tenant", VOS.key)  # twice is fine
    assert await negotiations.find("tenant", VOS.key) is None
    assert await negotiations.set_end("tenant", VOS.key, date(2027, 1, 31), "x", NOW) is None
