"""The yearly acknowledgement of the code, per person.

`acknowledgements`: partition = tenant|year; row = Entra object id of the person (`Name`,
`Department`, `Status` open/confirmed, `ConfirmedAt`, `Round` = the last round this person was
sent, `SentAt`, `Undelivered` = why the last send failed); plus one row `_campaign` (`Kind` =
campaign, `Round`, `RoundAt`, `StartedBy`, `StartedAt`). The status screen reads one partition.
Each send is claimed first by an ETag-guarded write of `Round`, so a round reaches each person
at most once however many instances run the job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.people import Person
from bot.storage.errors import AlreadyExists, Conflict, NotFound
from bot.storage.store import Row, TableStore, Write

ACKNOWLEDGEMENTS = "acknowledgements"
TABLES: tuple[str, ...] = (ACKNOWLEDGEMENTS,)
CAMPAIGN = "_campaign"
OPEN = "open"
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Campaign:
    tenant_id: str
    year: int
    round: int  # 0 = the first ask; 1, 2, ... reminders
    round_at: datetime
    started_by: str
    etag: str


@dataclass(frozen=True)
class Acknowledgement:
    person_id: str
    name: str
    department: str
    status: str
    round: int  # last round sent to this person; -1 = none yet
    undelivered: str
    etag: str

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED


def partition(tenant_id: str, year: int) -> str:
    return f"{tenant_id}|{year}"


class AcknowledgementRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def start(
        self, tenant_id: str, year: int, people: Sequence[Person], by: str, now: datetime
    ) -> int:
        """Open the year's campaign (once) and add everyone not in it yet; returns how many
        were added. Confirmations already given are kept."""
        key = partition(tenant_id, year)
        head = {
            "Kind": "campaign",
            "TenantId": tenant_id,
            "Year": year,
            "Round": 0,
            "RoundAt": now.isoformat(),
            "StartedBy": by,
            "StartedAt": now.isoformat(),
        }
        try:
            await self._store.insert(ACKNOWLEDGEMENTS, key, CAMPAIGN, head)
        except AlreadyExists:
            pass
        present = {r.row for r in await self._store.query(ACKNOWLEDGEMENTS, key)}
        writes = [
            Write("insert", p.id, _person_columns(p, OPEN, -1))
            for p in people
            if p.id not in present
        ]
        for start in range(0, len(writes), 100):
            try:
                await self._store.transact(ACKNOWLEDGEMENTS, key, writes[start : start + 100])
            except AlreadyExists:  # someone confirmed meanwhile: add the rest one by one
                for write in writes[start : start + 100]:
                    try:
                        await self._store.insert(ACKNOWLEDGEMENTS, key, write.row, write.data)
                    except AlreadyExists:
                        continue
        return len(writes)

    async def campaign(self, tenant_id: str, year: int) -> Campaign | None:
        try:
            row = await self._store.get(ACKNOWLEDGEMENTS, partition(tenant_id, year), CAMPAIGN)
        except NotFound:
            return None
        return _campaign(row)

    async def campaigns(self) -> list[Campaign]:
        """Every campaign of every tenant (background jobs only: a table scan)."""
        return [
            _campaign(r) for r in await self._store.scan(ACKNOWLEDGEMENTS, {"Kind": "campaign"})
        ]

    async def remove_year(self, tenant_id: str, year: int) -> None:
        """Retention: the year's campaign and everyone's answer go (missing rows are fine)."""
        key = partition(tenant_id, year)
        for row in await self._store.query(ACKNOWLEDGEMENTS, key):
            await self._store.delete(ACKNOWLEDGEMENTS, key, row.row)

    async def people(self, tenant_id: str, year: int) -> list[Acknowledgement]:
        rows = await self._store.query(ACKNOWLEDGEMENTS, partition(tenant_id, year))
        return [_acknowledgement(r) for r in rows if r.row != CAMPAIGN]

    async def next_round(self, campaign: Campaign, now: datetime) -> bool:
        """Start the next reminder round; False when another instance just did."""
        data = {
            "Kind": "campaign",
            "TenantId": campaign.tenant_id,
            "Year": campaign.year,
            "Round": campaign.round + 1,
            "RoundAt": now.isoformat(),
            "StartedBy": campaign.started_by,
        }
        key = partition(campaign.tenant_id, campaign.year)
        try:
            row = await self._store.get(ACKNOWLEDGEMENTS, key, CAMPAIGN)
            await self._store.replace(
                ACKNOWLEDGEMENTS, key, CAMPAIGN, {**row.data, **data}, campaign.etag
            )
        except Conflict:
            return False
        return True

    async def claim(
        self, campaign: Campaign, person: Acknowledgement, now: datetime
    ) -> Acknowledgement | None:
        """Mark the person as sent this round, only if nobody did so since it was read."""
        data = {
            **_columns(person),
            "Round": campaign.round,
            "SentAt": now.isoformat(),
            "Undelivered": "",
        }
        key = partition(campaign.tenant_id, campaign.year)
        try:
            row = await self._store.replace(
                ACKNOWLEDGEMENTS, key, person.person_id, data, person.etag
            )
        except Conflict:
            return None
        return _acknowledgement(row)

    async def undelivered(self, campaign: Campaign, person: Acknowledgement, why: str) -> None:
        """Record why the claimed send failed (kept unless the person confirmed meanwhile)."""
        data = {**_columns(person), "Undelivered": why}
        key = partition(campaign.tenant_id, campaign.year)
        try:
            await self._store.replace(ACKNOWLEDGEMENTS, key, person.person_id, data, person.etag)
        except Conflict:
            return

    async def confirm(
        self,
        tenant_id: str,
        year: int,
        person_id: str,
        now: datetime,
        who: Callable[[], Awaitable[Person]],
    ) -> None:
        """The person confirms they know the code: one read and one ETag-guarded write when they
        were asked; `who` is only called for someone not in the campaign (joined later).
        Idempotent; re-read on a race."""
        key = partition(tenant_id, year)
        for _ in range(3):
            try:
                row = await self._store.get(ACKNOWLEDGEMENTS, key, person_id)
            except NotFound:
                person = await who()
                data = {**_person_columns(person, CONFIRMED, -1), "ConfirmedAt": now.isoformat()}
                try:
                    await self._store.insert(ACKNOWLEDGEMENTS, key, person_id, data)
                    return
                except AlreadyExists:
                    continue
            if row.data.get("Status") == CONFIRMED:
                return
            data = {**row.data, "Status": CONFIRMED, "ConfirmedAt": now.isoformat()}
            try:
                await self._store.replace(ACKNOWLEDGEMENTS, key, person_id, data, row.etag or "")
                return
            except Conflict:
                continue
        raise Conflict("acknowledgement kept changing")


def _person_columns(person: Person, status: str, round_: int) -> dict[str, Any]:
    return {
        "Name": person.name,
        "Department": person.department,
        "Status": status,
        "Round": round_,
        "Undelivered": "",
    }


def _columns(a: Acknowledgement) -> dict[str, Any]:
    return {
        "Name": a.name,
        "Department": a.department,
        "Status": a.status,
        "Round": a.round,
        "Undelivered": a.undelivered,
    }


def _campaign(row: Row) -> Campaign:
    d = row.data
    return Campaign(
        tenant_id=str(d["TenantId"]),
        year=int(d["Year"]),
        round=int(d.get("Round", 0)),
        round_at=datetime.fromisoformat(str(d["RoundAt"])),
        started_by=str(d.get("StartedBy", "")),
        etag=row.etag or "",
    )


def _acknowledgement(row: Row) -> Acknowledgement:
    d = row.data
    return Acknowledgement(
        person_id=row.row,
        name=str(d.get("Name", "")),
        department=str(d.get("Department", "")),
        status=str(d.get("Status", OPEN)),
        round=int(d.get("Round", -1)),
        undelivered=str(d.get("Undelivered", "")),
        etag=row.etag or "",
    )
