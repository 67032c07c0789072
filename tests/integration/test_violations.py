"""The confidential register of violations as a repository contract: Azure Tables on a real
Azurite and the in-memory twin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.violations import Measure, TrailEntry, Violation, viewed
from bot.storage.errors import AlreadyExists, Conflict
from bot.storage.memory import MemoryViolations
from bot.storage.tables import AzureTableStore
from bot.storage.violations import TABLES, ViolationRepository, Violations

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
CASE = Violation(
    "t", "OVT-1", "sanne", "Sanne", "pieter", "Pieter", "§2", "Cadeau gehouden",
    Measure.WARNING, AT, trail=(TrailEntry(AT, "pieter", "recorded"),),
)  # fmt: skip


@pytest.fixture(params=["azurite", "memory"])
async def violations(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[Violations]:
    if request.param == "memory":
        yield MemoryViolations()
        return
    store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield ViolationRepository(store)
    await store.close()


async def test_a_record_reads_back_whole_and_its_id_is_taken_once(violations: Violations) -> None:
    await violations.create(CASE)
    stored = await violations.get("t", "OVT-1")
    assert stored is not None and stored.violation == CASE
    with pytest.raises(AlreadyExists):
        await violations.create(CASE)
    assert await violations.get("other", "OVT-1") is None


async def test_two_views_at_once_one_wins_the_other_must_reread(violations: Violations) -> None:
    stored = await violations.create(CASE)
    results = await asyncio.gather(
        violations.update(stored, viewed(CASE, "lotte", AT)),
        violations.update(stored, viewed(CASE, "marieke", AT)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "StoredViolation"]
    with pytest.raises(Conflict):
        await violations.update(stored, viewed(CASE, "x", AT))


async def test_the_register_is_the_tenants_newest_first(violations: Violations) -> None:
    later = replace(CASE, id="OVT-2", recorded_at=AT.replace(day=2), decision=Measure.NONE,
                    decided_by="marieke", decided_at=AT.replace(day=3), message="")  # fmt: skip
    await violations.create(CASE)
    await violations.create(later)
    await violations.create(replace(CASE, tenant_id="other"))
    assert [s.violation for s in await violations.all("t")] == [later, CASE]


async def test_retention_finds_every_tenants_cases_and_removes_one(violations: Violations) -> None:
    await violations.create(CASE)
    await violations.create(replace(CASE, tenant_id="other", id="OVT-2"))
    found = sorted((v.tenant_id, v.id) for v in await violations.everywhere())
    assert found == [("other", "OVT-2"), ("t", "OVT-1")]
    assert [v for v in await violations.everywhere() if v.id == "OVT-1"] == [CASE]
    await violations.remove("t", "OVT-1")
    await violations.remove("t", "OVT-1")  # a second removal (a run finished later) is fine
    assert await violations.get("t", "OVT-1") is None
    assert [v.id for v in await violations.everywhere()] == ["OVT-2"]
