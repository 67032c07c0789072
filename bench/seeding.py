"""Records for the benchmarks, written through the repository's public API (never raw rows), so
the seeding follows the storage layout wherever it goes.

An organisation's records are spread the way one grows: *blocks* of 1,000 requests, each one
tenant's year, with their own 50 requesters (20 requests each) and 50 approvers (20 each, about
half still waiting). Block 0 is this bench's tenant in 2026: the block every screen is opened
in. More records mean more blocks: earlier years of the same tenant (ten), then other tenants.
So each screen shows the same records at 1,000 and at 100,000; only what is around it grows.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import TENANT, user_id
from bot.domain.kinds import Kinds
from bot.domain.requests import ApprovalRequest, ApproverRole, AuditEntry, Person, Status
from bot.storage.requests import RequestRepository, StoredRequest
from bot.storage.tables import AzureTableStore
from dialogs import product_kinds

BLOCK = 1000  # requests per tenant-year
PEOPLE = 50  # requesters per block, and approvers per block
YEARS = 10  # years per tenant before the next tenant starts
THIS_YEAR = 2026
KINDS = ("gift", "invitation", "sidejob", "supplier", "tenant")
PREFIXES = {
    "gift": "CAD",
    "invitation": "UIT",
    "sidejob": "NEV",
    "supplier": "LEV",
    "tenant": "HUU",
}
STATUSES = (Status.PENDING, Status.APPROVED, Status.PENDING, Status.DECLINED)
CONCURRENCY = 32
CATALOGUE = Kinds(product_kinds())  # the product's kinds: typed facts, and how each is filed


@dataclass(frozen=True)
class Block:
    number: int

    @property
    def tenant(self) -> str:
        return TENANT if self.number < YEARS else str(uuid.UUID(int=(self.number // YEARS) << 64))

    @property
    def year(self) -> int:
        return THIS_YEAR - self.number % YEARS

    def requester(self, i: int) -> str:
        return user_id(10_000_000 + self.number * 1000 + i % PEOPLE)

    def approver(self, i: int) -> str:
        return user_id(20_000_000 + self.number * 1000 + i % PEOPLE)


def facts(kind: str, day: str, n: int, ended: bool) -> dict[str, Any]:
    """Enough of each kind's facts for its register row and the overview."""
    common = {"summary": f"Bench {kind} {n}", "description": f"Bench {kind} {n}"}
    if kind == "gift":
        return {
            **common,
            "giverName": "Jan de Vos",
            "giverOrganisation": "Bouwbedrijf Vos",
            "relation": "supplier",
            "giftKind": "goods",
            "valueCents": 2500,
            "receivedOn": day,
        }
    if kind == "invitation":
        return {
            **common,
            "inviter": "Bouwbedrijf Vos",
            "relation": "supplier",
            "kind": "dinner",
            "valueCents": 6000,
            "negotiating": False,
            "eventDate": day,
        }
    if kind == "sidejob":
        job = {
            **common,
            "role": "Penningmeester",
            "organisation": "Voetbalclub",
            "paid": "no",
            "hours": 2,
            "touches": False,
            "start": day,
        }
        return {**job, "endedOn": f"{day[:4]}-12-31"} if ended else job
    if kind == "supplier":
        return {
            **common,
            "supplier": "Schilder Jansen",
            "what": "Schilderwerk",
            "reason": "Snel",
            "amountCents": 150_000,
            "pricePosition": "middle",
        }
    return {
        **common,
        "tenant": "Fam. de Boer",
        "tie": "family",
        "case": "Reparatie",
        "doubt": False,
    }


def record(block: Block, i: int) -> ApprovalRequest:
    """Request `i` of `block`: kinds and statuses in turn, spread over the block's year."""
    kind = KINDS[i % len(KINDS)]
    status = STATUSES[i % len(STATUSES)]
    created = datetime(block.year, 1, 5, 9, tzinfo=UTC) + timedelta(hours=7 * (i % BLOCK))
    requester = block.requester(i)
    return ApprovalRequest(
        id=f"{PREFIXES[kind]}-B{block.number:03d}{i:04d}",
        kind=kind,
        tenant_id=block.tenant,
        requester=Person(requester, f"Medewerker {requester[-4:]}"),
        approver=Person(block.approver(i * 7 + 3), "Leidinggevende"),
        approver_role=ApproverRole.MANAGER,
        facts=CATALOGUE[kind].from_record(
            facts(kind, created.date().isoformat(), i, ended=block.year < THIS_YEAR)
        ),
        verdict="keep" if kind == "gift" else "",
        reasons=("everyday_under_limit",) if kind == "gift" else (),
        created_at=created,
        status=status,
        decided_at=None if status is Status.PENDING else created + timedelta(days=1),
        decided_by=None if status is Status.PENDING else block.approver(i * 7 + 3),
        audit=(AuditEntry(created, requester, "submitted"),),
    )


def records(stop: int, start: int = 0) -> Iterator[ApprovalRequest]:
    """Requests `start` to `stop` of the organisation, block 0 first."""
    for n in range(start, stop):
        yield record(Block(n // BLOCK), n % BLOCK)


async def seed(
    repository: RequestRepository,
    requests: Iterable[ApprovalRequest],
    stored: dict[str, StoredRequest] | None = None,
) -> float:
    """Each request as the engine records it: the request with its trail, then what waits in
    (or has left) its approver's inbox. `CONCURRENCY` at once; returns the seconds it took.
    `stored`: filled with each request as written (its ETag), by id."""
    started = time.monotonic()
    queue = iter(requests)

    async def worker() -> None:
        for request in queue:
            written = await repository.create(request)
            await repository.put_inbox(request)
            if stored is not None:
                stored[request.id] = written

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.monotonic() - started


async def seed_in_processes(
    connection: str, prefix: str, count: int, processes: int | None = None
) -> float:
    """Seed `count` requests into the tables of `prefix`, in `processes` worker processes (one
    per core by default: the SDK's transaction encoding is CPU-bound); the seconds it took."""
    started = time.monotonic()
    workers = max(1, min(processes or os.cpu_count() or 1, count // BLOCK or 1))
    share = -(-count // workers)
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.seeding",
            connection,
            prefix,
            str(start),
            str(min(count, start + share)),
        )
        for start in range(0, count, share)
    ]
    codes = [await child.wait() for child in children]
    if any(codes):
        raise RuntimeError(f"seeding failed: exit codes {codes}")
    return time.monotonic() - started


async def _seed_range(connection: str, prefix: str, start: int, stop: int) -> None:
    store = AzureTableStore(connection, prefix)
    try:
        await seed(RequestRepository(store, CATALOGUE), records(stop, start))
    finally:
        await store.close()


if __name__ == "__main__":  # python -m bench.seeding CONNECTION PREFIX START STOP
    connection, prefix, start, stop = sys.argv[1:5]
    asyncio.run(_seed_range(connection, prefix, int(start), int(stop)))
