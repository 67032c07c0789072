"""Raffle records announced, then drawn once: against Azure Tables on a real Azurite and the
in-memory table store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.raffle import ALGORITHM, commitment
from bot.storage.memory import MemoryTableStore
from bot.storage.raffles import (
    TABLES,
    AlreadyDrawn,
    Excluded,
    Prize,
    RaffleRecord,
    RaffleRepository,
)
from bot.storage.store import TableStore
from bot.storage.tables import AzureTableStore

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
ANNOUNCED = RaffleRecord(
    id="R20261201T090000-aaaaaa",
    tenant_id="t",
    seed="5eed",
    algorithm=ALGORITHM,
    drawn_at=None,
    drawn_by="",
    participants=("p1", "p2"),
    excluded=(Excluded("p9", "Henk", "rvc"),),
    prizes=(Prize("CAD-1", "Wijn", "", ""), Prize("CAD-2", "Kerstpakket", "", "")),
    commitment=commitment("5eed"),
    announced_at=AT,
    announced_by="lotte",
)
DRAWN = replace(
    ANNOUNCED,
    drawn_at=AT.replace(hour=12),
    drawn_by="lotte",
    prizes=(Prize("CAD-1", "Wijn", "p2", "Pieter"), Prize("CAD-2", "Kerstpakket", "p1", "Sanne")),
)


@pytest.fixture(params=["azurite", "memory"])
async def raffles(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[RaffleRepository]:
    store: TableStore
    if request.param == "memory":
        store = MemoryTableStore()
    else:
        store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield RaffleRepository(store)
    await store.close()


async def test_an_announced_raffle_keeps_its_seed_out_of_what_is_published(
    raffles: RaffleRepository,
) -> None:
    await raffles.record(ANNOUNCED)
    assert await raffles.announced("t") == ANNOUNCED
    assert await raffles.get("t", ANNOUNCED.id) == ANNOUNCED
    published = ANNOUNCED.published()
    assert published["seed"] == "" and published["commitment"] == commitment("5eed")


async def test_it_is_drawn_once_and_then_listed_with_its_seed(raffles: RaffleRepository) -> None:
    await raffles.record(ANNOUNCED)
    results = await asyncio.gather(
        raffles.complete_draw(DRAWN), raffles.complete_draw(DRAWN), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyDrawn", "NoneType"]
    assert await raffles.announced("t") is None
    [listed] = await raffles.all("t")
    assert listed == DRAWN and listed.published()["seed"] == "5eed"
    with pytest.raises(AlreadyDrawn):
        await raffles.complete_draw(DRAWN)


async def test_retention_finds_and_removes_a_raffle(raffles: RaffleRepository) -> None:
    await raffles.record(DRAWN)
    older = replace(DRAWN, id="R20201201T090000-bbbbbb", drawn_at=datetime(2020, 12, 1, tzinfo=UTC))
    await raffles.record(older)
    assert [r.id for r in await raffles.all("t")] == [DRAWN.id, older.id]  # newest first
    heads = {r.id: r.drawn_at for r in await raffles.everywhere()}
    assert heads == {DRAWN.id: DRAWN.drawn_at, older.id: older.drawn_at}
    await raffles.remove("t", older.id)
    await raffles.remove("t", older.id)
    assert [r.id for r in await raffles.all("t")] == [DRAWN.id]


async def test_a_gift_taken_out_of_an_announced_raffle_is_recorded_once_and_not_after_the_draw(
    raffles: RaffleRepository,
) -> None:
    await raffles.record(ANNOUNCED)
    later = AT.replace(hour=10)
    assert await raffles.remove_prize("t", ANNOUNCED.id, "CAD-2", later, "returned")
    assert await raffles.remove_prize("t", ANNOUNCED.id, "CAD-2", AT.replace(hour=11), "gone")
    stored = await raffles.get("t", ANNOUNCED.id)
    assert stored is not None and not stored.drawn
    [gone] = [p for p in stored.prizes if p.gift_id == "CAD-2"]
    assert (gone.removed_at, gone.removed_reason) == (later, "returned")  # the first stands
    assert stored.participants == ANNOUNCED.participants
    assert [p.gift_id for p in stored.prizes] == ["CAD-1", "CAD-2"]  # still on the list
    assert stored.published()["gifts"][1]["removedAt"] == later.isoformat()
    assert "removedAt" not in stored.published()["gifts"][0]
    assert not await raffles.remove_prize("t", ANNOUNCED.id, "CAD-9", later, "returned")

    drawn = replace(stored, drawn_at=AT.replace(hour=12), drawn_by="lotte")
    await raffles.complete_draw(drawn)
    assert not await raffles.remove_prize("t", ANNOUNCED.id, "CAD-1", later, "returned")
    after = await raffles.get("t", ANNOUNCED.id)
    assert after is not None and [p.removed for p in after.prizes] == [False, True]
