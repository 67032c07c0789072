"""Raffle records: everything needed to re-run a draw and check its winners.

`raffles`: partition = tenant; rows `<raffle id>` (seed, algorithm, when, by whom, counts),
`<raffle id>|p|<nnnn>` (participant ids, in chunks that fit a Table property),
`<raffle id>|x|<nnnn>` (who was left out and why), `<raffle id>|g|<gift id>` (the gift, its
winner, and whether the winner was told). A raffle is written in one entity-group transaction.

A raffle is first *announced* (`State` announced: participants, gifts and the commitment, the
SHA-256 of the seed, are published; the seed is stored but shown to nobody), then *drawn*
(`State` drawn: winners written, the seed revealed) in one transaction If-Match on the head, so
it is drawn once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.errors import Conflict, NotFound
from bot.storage.store import Row, TableStore, Write

RAFFLES = "raffles"
TABLES: tuple[str, ...] = (RAFFLES,)
_CHUNK = 600  # ids per row: 600 x 39 characters stays under a property's 32K characters
MAX_ROWS = 100  # one entity-group transaction


@dataclass(frozen=True)
class Excluded:
    person_id: str
    name: str
    reason: str  # e.g. "inactive"


@dataclass(frozen=True)
class Prize:
    gift_id: str
    description: str
    winner_id: str
    winner_name: str
    notified: bool | None = None  # None: not tried yet
    not_notified_reason: str = ""
    # Taken out after the announcement (withdrawn, or given back to the employee): it keeps its
    # place in the published list and nobody wins it (bot.domain.raffle, step 4).
    removed_at: datetime | None = None
    removed_reason: str = (
        ""  # "returned" (no longer to hand in), "gone" (no longer on the register)
    )

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True)
class RaffleRecord:
    id: str
    tenant_id: str
    seed: str
    algorithm: str
    drawn_at: datetime | None  # None while announced
    drawn_by: str
    participants: tuple[str, ...]
    excluded: tuple[Excluded, ...]
    prizes: tuple[Prize, ...]
    commitment: str = ""  # SHA-256 of the seed, published before the draw
    announced_at: datetime | None = None
    announced_by: str = ""

    @property
    def drawn(self) -> bool:
        return self.drawn_at is not None

    @property
    def winners(self) -> dict[str, str]:
        return {p.gift_id: p.winner_id for p in self.prizes}

    def published(self) -> dict[str, Any]:
        """The record as published to staff (the seed only once drawn): what
        `python -m bot.verify_raffle` checks."""
        return {
            "id": self.id,
            "algorithm": self.algorithm,
            "commitment": self.commitment,
            "seed": self.seed if self.drawn else "",
            "announcedAt": self.announced_at.isoformat() if self.announced_at else "",
            "drawnAt": self.drawn_at.isoformat() if self.drawn_at else "",
            "participants": list(self.participants),
            "gifts": [_published_gift(p) for p in self.prizes],
        }


def _published_gift(prize: Prize) -> dict[str, Any]:
    gift: dict[str, Any] = {
        "id": prize.gift_id,
        "description": prize.description,
        "winner": prize.winner_id,
    }
    if prize.removed_at is not None:
        gift["removedAt"] = prize.removed_at.isoformat()
        gift["removedReason"] = prize.removed_reason
    return gift


class AlreadyDrawn(Exception):
    """The raffle was drawn already (or is gone)."""


class TooLarge(ValueError):
    """More rows than one transaction holds (more than about 90 gifts in one raffle)."""


class RaffleRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def record(self, raffle: RaffleRecord) -> None:
        """Write the whole raffle at once, or nothing."""
        writes = [Write("insert", raffle.id, _head(raffle))]
        ids = list(raffle.participants)
        for n, start in enumerate(range(0, len(ids), _CHUNK)):
            chunk = ids[start : start + _CHUNK]
            writes.append(Write("insert", f"{raffle.id}|p|{n:04d}", {"Ids": json.dumps(chunk)}))
        left_out = [e.__dict__ for e in raffle.excluded]
        for n, start in enumerate(range(0, len(left_out), _CHUNK // 4)):
            chunk_x = left_out[start : start + _CHUNK // 4]
            writes.append(Write("insert", f"{raffle.id}|x|{n:04d}", {"Json": json.dumps(chunk_x)}))
        writes += [
            Write("insert", _prize_key(raffle.id, p.gift_id), _prize(p)) for p in raffle.prizes
        ]
        if len(writes) > MAX_ROWS:
            raise TooLarge(f"{len(writes)} rows")
        await self._store.transact(RAFFLES, raffle.tenant_id, writes)

    async def complete_draw(self, raffle: RaffleRecord) -> None:
        """An announced raffle becomes drawn: its head and winners in one transaction, only if
        it is still announced (AlreadyDrawn otherwise)."""
        try:
            head = await self._store.get(RAFFLES, raffle.tenant_id, raffle.id)
        except NotFound:
            raise AlreadyDrawn(raffle.id) from None
        if head.data.get("State", "drawn") != "announced":
            raise AlreadyDrawn(raffle.id)
        writes = [Write("replace", raffle.id, _head(raffle), head.etag)]
        writes += [
            Write("upsert", _prize_key(raffle.id, p.gift_id), _prize(p)) for p in raffle.prizes
        ]
        try:
            await self._store.transact(RAFFLES, raffle.tenant_id, writes)
        except Conflict:
            raise AlreadyDrawn(raffle.id) from None

    async def remove_prize(
        self, tenant_id: str, raffle_id: str, gift_id: str, at: datetime, reason: str
    ) -> bool:
        """Record on an announced raffle that one of its gifts was taken out (the head rewritten
        If-Match in the same transaction, so a draw in between wins and this does nothing).
        True when the record now says so (also when it said so already)."""
        for _ in range(3):
            try:
                head = await self._store.get(RAFFLES, tenant_id, raffle_id)
                row = await self._store.get(RAFFLES, tenant_id, _prize_key(raffle_id, gift_id))
            except NotFound:
                return False
            if head.data.get("State") != "announced":
                return False
            if row.data.get("RemovedAt"):
                return True
            changed = {**row.data, "RemovedAt": at.isoformat(), "RemovedReason": reason}
            try:
                await self._store.transact(
                    RAFFLES,
                    tenant_id,
                    [
                        Write("replace", raffle_id, dict(head.data), head.etag),
                        Write("replace", row.row, changed, row.etag),
                    ],
                )
            except Conflict:
                continue  # drawn, or changed, meanwhile: look again
            return True
        return False

    async def announced(self, tenant_id: str) -> RaffleRecord | None:
        """The raffle announced and not drawn yet (the latest, if ever more than one)."""
        heads = [
            r
            for r in await self._store.query(RAFFLES, tenant_id)
            if "|" not in r.row and r.data.get("State") == "announced"
        ]
        if not heads:
            return None
        return await self.get(tenant_id, max(heads, key=lambda r: r.row).row)

    async def all(self, tenant_id: str) -> list[RaffleRecord]:
        """Every raffle of the tenant, newest first (one partition)."""
        rows = await self._store.query(RAFFLES, tenant_id)
        heads = sorted((r for r in rows if "|" not in r.row), key=lambda r: r.row, reverse=True)
        return [
            _record(tenant_id, head, [r for r in rows if r.row.startswith(head.row + "|")] + [head])
            for head in heads
        ]

    async def remove(self, tenant_id: str, raffle_id: str) -> None:
        """Retention: the raffle's rows go (missing ones are fine)."""
        for row in await self._store.query(RAFFLES, tenant_id, raffle_id, raffle_id + "}"):
            await self._store.delete(RAFFLES, tenant_id, row.row)

    async def everywhere(self) -> list[RaffleRecord]:
        """Every raffle's head (participants and prizes not read): for retention only."""
        return [
            _record(r.partition, r, [r])
            for r in await self._store.scan(RAFFLES, {})
            if "|" not in r.row
        ]

    async def record_notifications(self, raffle: RaffleRecord) -> None:
        """Store who was told and who was not (one transaction)."""
        writes = [
            Write("upsert", _prize_key(raffle.id, p.gift_id), _prize(p)) for p in raffle.prizes
        ]
        if writes:
            await self._store.transact(RAFFLES, raffle.tenant_id, writes)

    async def get(self, tenant_id: str, raffle_id: str) -> RaffleRecord | None:
        rows = await self._store.query(RAFFLES, tenant_id, raffle_id, raffle_id + "}")
        head = next((r for r in rows if r.row == raffle_id), None)
        if head is None:
            return None
        return _record(tenant_id, head, rows)

    async def latest(self, tenant_id: str) -> RaffleRecord | None:
        heads = [r for r in await self._store.query(RAFFLES, tenant_id) if "|" not in r.row]
        if not heads:
            return None
        return await self.get(tenant_id, max(heads, key=lambda r: r.row).row)


def _prize_key(raffle_id: str, gift_id: str) -> str:
    return f"{raffle_id}|g|{gift_id}"


def _head(raffle: RaffleRecord) -> dict[str, Any]:
    return {
        "Seed": raffle.seed,
        "Algorithm": raffle.algorithm,
        "State": "drawn" if raffle.drawn else "announced",
        "Commitment": raffle.commitment,
        "AnnouncedAt": raffle.announced_at.isoformat() if raffle.announced_at else "",
        "AnnouncedBy": raffle.announced_by,
        "DrawnAt": raffle.drawn_at.isoformat() if raffle.drawn_at else "",
        "DrawnBy": raffle.drawn_by,
        "Participants": len(raffle.participants),
        "Excluded": len(raffle.excluded),
        "Gifts": len(raffle.prizes),
    }


def _prize(prize: Prize) -> dict[str, Any]:
    return {
        "Description": prize.description,
        "WinnerId": prize.winner_id,
        "WinnerName": prize.winner_name,
        "Notified": "" if prize.notified is None else ("yes" if prize.notified else "no"),
        "NotNotifiedReason": prize.not_notified_reason,
        "RemovedAt": prize.removed_at.isoformat() if prize.removed_at else "",
        "RemovedReason": prize.removed_reason,
    }


def _record(tenant_id: str, head: Row, rows: list[Row]) -> RaffleRecord:
    rid = head.row
    participants: list[str] = []
    excluded: list[Excluded] = []
    prizes: list[Prize] = []
    for row in sorted(rows, key=lambda r: r.row):
        if row.row.startswith(f"{rid}|p|"):
            participants += json.loads(str(row.data["Ids"]))
        elif row.row.startswith(f"{rid}|x|"):
            excluded += [Excluded(**e) for e in json.loads(str(row.data["Json"]))]
        elif row.row.startswith(f"{rid}|g|"):
            told = str(row.data.get("Notified", ""))
            removed = str(row.data.get("RemovedAt", ""))
            prizes.append(
                Prize(
                    gift_id=row.row.split("|g|", 1)[1],
                    description=str(row.data.get("Description", "")),
                    winner_id=str(row.data["WinnerId"]),
                    winner_name=str(row.data.get("WinnerName", "")),
                    notified=None if not told else told == "yes",
                    not_notified_reason=str(row.data.get("NotNotifiedReason", "")),
                    removed_at=datetime.fromisoformat(removed) if removed else None,
                    removed_reason=str(row.data.get("RemovedReason", "")),
                )
            )
    d = head.data
    drawn = str(d.get("DrawnAt", ""))
    announced = str(d.get("AnnouncedAt", ""))
    return RaffleRecord(
        id=rid,
        tenant_id=tenant_id,
        seed=str(d["Seed"]),
        algorithm=str(d["Algorithm"]),
        drawn_at=datetime.fromisoformat(drawn) if drawn else None,
        drawn_by=str(d.get("DrawnBy", "")),
        participants=tuple(participants),
        excluded=tuple(excluded),
        prizes=tuple(prizes),
        commitment=str(d.get("Commitment", "")),
        announced_at=datetime.fromisoformat(announced) if announced else None,
        announced_by=str(d.get("AnnouncedBy", "")),
    )
