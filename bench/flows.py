"""Scenarios d, e and f: the approval engine and the personal registers, over the real HTTP
invoke, against `python -m bot` on Azurite (registered into SCENARIOS by bench.scenarios).

Records are seeded straight through the storage layer (the bench's own process), spread over
many people the way an organisation spreads them: each requester has about 20 requests and each
approver about 20 waiting in the inbox.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.run import Bench, Bot, Measurement
from bench.scenarios import (
    TENANT,
    _reference,
    activity,
    bot_env,
    scenario,
    user_id,
    wait_healthy,
)
from bot.domain.gifts import Gift
from bot.domain.kinds import Kinds
from bot.domain.requests import ApprovalRequest, ApproverRole, AuditEntry, Person, Status
from bot.storage import requests as request_tables
from bot.storage.repositories import CONVERSATIONS
from bot.storage.repositories import TABLES as BASE_TABLES
from bot.storage.store import Write
from bot.storage.tables import AzureTableStore
from dialogs import product_kinds

# d and e run with the proactive pacer far above what the loopback connector can take: the
# stock echo (a) is not paced either, so this compares capacity like for like. In production
# TEAMS_SENDS_PER_SECOND stays below Teams' 50/s, which caps d at 45 turns/s and e (two
# proactive requests a turn) at 22.5; scenario g measures that pace.
UNPACED = "1000000"
UNPACED_NOTE = (
    f"TEAMS_SENDS_PER_SECOND={UNPACED}: capacity like the unpaced echo a; in production "
    "Teams' 50/s caps this at {cap} turns/s"
)
PER_PERSON = 20
EMPLOYEES = 50
TEAM = 10  # employees per manager in d and e
SEED_CONCURRENCY = 32
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
WINE = {
    "giverName": "Jan de Vos",
    "giverOrganisation": "Bouwbedrijf Vos",
    "relation": "supplier",
    "negotiating": "false",
    "description": "Fles wijn",
    "kind": "goods",
    "everyday": "true",
    "value": "25",
    "receivedOn": "2026-11-20",
    "atHome": "false",
    "remarks": "",
}


def employee(i: int) -> str:
    return user_id(1_000_000 + i)


def manager(i: int) -> str:
    return user_id(2_000_000 + i)


def invoke(
    service_url: str, person: str, verb: str, data: dict[str, Any], reply_to: str | None = None
) -> dict[str, Any]:
    """A Teams `adaptiveCard/action` invoke from `person`."""
    made = {
        **activity(service_url, person, "invoke", f"bench-{uuid.uuid4().hex[:12]}"),
        "name": "adaptiveCard/action",
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        },
    }
    if reply_to:
        made["replyToId"] = reply_to
    return made


def directory_file(bench: Bench, employees: int) -> str:
    """Employees in teams of TEAM under a manager, plus one integrity officer (the fallback)."""
    managers = (employees + TEAM - 1) // TEAM
    people: list[dict[str, Any]] = [
        {"id": manager(m), "name": f"Manager {m}", "department": f"Team {m}"}
        for m in range(managers)
    ]
    people += [
        {
            "id": employee(i),
            "name": f"Medewerker {i}",
            "department": f"Team {i // TEAM}",
            "managerId": manager(i // TEAM),
        }
        for i in range(employees)
    ]
    people.append({"id": user_id(3_000_000), "name": "Integriteit", "roles": ["integrity_officer"]})
    path = bench.workdir / f"directory-{employees}.json"
    path.write_text(json.dumps({"tenantId": TENANT, "people": people}), encoding="utf-8")
    return str(path)


async def seeded_store(bench: Bench, prefix: str) -> AzureTableStore:
    store = AzureTableStore(bench.azurite(), prefix)
    await store.ensure_tables((*BASE_TABLES, *request_tables.TABLES))
    return store


async def seed_references(store: AzureTableStore, service_url: str, people: list[str]) -> None:
    """Everyone has opened the bot once, so proactive cards reach them."""
    for start in range(0, len(people), 100):
        writes = [
            Write("upsert", p, {"Reference": _reference(service_url, p), "Locale": "nl-NL"})
            for p in people[start : start + 100]
        ]
        await store.transact(CONVERSATIONS, TENANT, writes)


def request_for(n: int, requester: str, approver: str, status: Status) -> ApprovalRequest:
    created = START + timedelta(minutes=n)
    return ApprovalRequest(
        id=f"CAD-B{n:07d}",
        kind="gift",
        tenant_id=TENANT,
        requester=Person(requester, f"Medewerker {requester[-4:]}"),
        approver=Person(approver, f"Manager {approver[-4:]}"),
        approver_role=ApproverRole.MANAGER,
        facts=Gift.from_record(
            {
                "giverOrganisation": "Bouwbedrijf Vos",
                "description": f"Fles wijn {n}",
                "receivedOn": created.date().isoformat(),
            }
        ),
        verdict="keep",
        reasons=("everyday_under_limit",),
        created_at=created,
        status=status,
        decided_at=None if status is Status.PENDING else created + timedelta(days=1),
        audit=(AuditEntry(created, requester, "submitted"),),
    )


async def seed_requests(store: AzureTableStore, requests: Iterable[ApprovalRequest]) -> int:
    """Write requests (each with its trail inside) one transaction per requester partition,
    inbox rows one per approver partition and register copies one per register partition, many
    at once, as the repository would have written them."""
    from bot.storage.requests import (  # the repository's own row layout
        _register_columns,
        _request_columns,
        _row_key,
        inbox_columns,
        register_partition,
    )

    kinds = Kinds(product_kinds())
    by_partition: dict[tuple[str, str], list[Write]] = {}
    count = 0
    for r in requests:
        count += 1
        writes = by_partition.setdefault(
            (request_tables.REQUESTS, f"{TENANT}|{r.requester.id}"), []
        )
        writes.append(Write("upsert", _row_key(r.id), _request_columns(r)))
        inbox = inbox_columns(r, "approver", "")
        by_partition.setdefault((request_tables.INBOX, f"{TENANT}|{r.approver.id}"), []).append(
            Write("upsert", r.id, inbox)
        )
        by_partition.setdefault((request_tables.REGISTER, register_partition(kinds, r)), []).append(
            Write("upsert", r.id, _register_columns(r))
        )
    jobs = [
        (table, partition, writes[i : i + 100])
        for (table, partition), writes in by_partition.items()
        for i in range(0, len(writes), 100)
    ]
    queue = iter(jobs)

    async def worker() -> None:
        for table, partition, batch in queue:
            await store.transact(table, partition, batch)

    await asyncio.gather(*(worker() for _ in range(SEED_CONCURRENCY)))
    return count


@scenario("d", "our bot: gift submission -> card to manager (pacer off, like a)")
async def gift_submission(bench: Bench, key: str, title: str) -> Measurement:
    """Form -> verdict -> recorded -> approval card to the manager, all in one invoke."""
    env = bot_env(bench)
    env["DIRECTORY_FILE"] = directory_file(bench, EMPLOYEES)
    env["TEAMS_SENDS_PER_SECOND"] = UNPACED
    store = await seeded_store(bench, env["TABLE_PREFIX"])
    people = [employee(i) for i in range(EMPLOYEES)]
    people += [manager(m) for m in range((EMPLOYEES + TEAM - 1) // TEAM)]
    await seed_references(store, bench.connector_url, people)
    await store.close()
    run = uuid.uuid4().hex[:6]

    def submit(i: int) -> dict[str, Any]:
        data = {**WINE, "formId": f"{run}-{i}"}
        return invoke(bench.connector_url + "/", employee(i % EMPLOYEES), "gift.submit", data)

    async with bench.process(key, ["bot"], env=env) as bot:
        measured = await _measure(bench, key, title, bot, submit, replies=1)
    return replace(measured, extra={"pacer": UNPACED_NOTE.format(cap=45)})


@scenario("e", "our bot: approve -> card update + requester (pacer off, like a)")
async def approve_invoke(bench: Bench, key: str, title: str) -> Measurement:
    """The manager approves a pending request from the card: the decision is recorded, the card
    is updated for everyone (PUT) and the requester gets the outcome (POST)."""
    env = bot_env(bench)
    env["DIRECTORY_FILE"] = directory_file(bench, EMPLOYEES)
    env["TEAMS_SENDS_PER_SECOND"] = UNPACED
    count = min(bench.options.max_requests, 3000) + 30
    store = await seeded_store(bench, env["TABLE_PREFIX"])
    people = [employee(i) for i in range(EMPLOYEES)]
    people += [manager(m) for m in range((EMPLOYEES + TEAM - 1) // TEAM)]
    await seed_references(store, bench.connector_url, people)
    pending = [
        request_for(n, employee(n % EMPLOYEES), manager((n % EMPLOYEES) // TEAM), Status.PENDING)
        for n in range(count)
    ]
    await seed_requests(store, pending)
    await store.close()

    def approve(i: int) -> dict[str, Any]:
        r = pending[i % count]
        data = {"requestId": r.id, "requesterId": r.requester.id, "comment": "Prima"}
        return invoke(bench.connector_url + "/", r.approver.id, "request.approve", data, "msg-1")

    async with bench.process(key, ["bot"], env=env) as bot:
        measured = await _measure(bench, key, title, bot, approve, replies=2, limit=count - 30)
    return replace(measured, extra={"pacer": UNPACED_NOTE.format(cap=22.5)})


async def _measure(
    bench: Bench,
    key: str,
    title: str,
    bot: Bot,
    make: Callable[[int], dict[str, Any]],
    replies: int,
    limit: int | None = None,
) -> Measurement:
    bot.counters_url = bot.url + "/_debug/counters"
    await wait_healthy(bot.url)
    return await bench.turns(key, title, bot, make, replies_per_turn=replies, max_requests=limit)


@scenario("f", "registers: mijn meldingen + openstaand, 1k vs 100k")
async def registers(bench: Bench, key: str, title: str) -> Measurement:
    """Each size in its own tables; per size, the requester's and the approver's screen."""
    sizes = sorted(bench.options.records)
    results: dict[tuple[int, str], Measurement] = {}
    for size in sizes:
        env = bot_env(bench)
        people = max(1, size // PER_PERSON)
        store = await seeded_store(bench, env["TABLE_PREFIX"])
        statuses = (Status.PENDING, Status.APPROVED, Status.PENDING, Status.DECLINED)
        await seed_requests(
            store,
            (
                request_for(n, employee(n % people), manager((n + 7) % people), statuses[n % 4])
                for n in range(size)
            ),
        )
        await store.close()
        screens = {
            "mine.open": lambda i, p=people: invoke(
                bench.connector_url + "/", employee(i % p), "mine.open", {}
            ),
            "pending.open": lambda i, p=people: invoke(
                bench.connector_url + "/", manager(i % p), "pending.open", {}
            ),
        }
        async with bench.process(f"{key}-{size}", ["bot"], env=env) as bot:
            bot.counters_url = bot.url + "/_debug/counters"
            await wait_healthy(bot.url)
            for verb, make in screens.items():
                results[size, verb] = await bench.turns(key, title, bot, make, replies_per_turn=0)
    return _registers_report(results, sizes)


def _registers_report(results: dict[tuple[int, str], Measurement], sizes: list[int]) -> Measurement:
    small, large = sizes[0], sizes[-1]
    extra: dict[str, Any] = {}
    for (size, verb), m in sorted(results.items()):
        screen = "mijn meldingen" if verb == "mine.open" else "openstaand"
        extra[f"{screen} @ {size:,} records"] = (
            f"{m.throughput:.0f}/s, p50 {m.p50_ms or 0:.1f} ms, p99 {m.p99_ms or 0:.1f} ms, "
            f"{m.storage_per_action or 0:.2f} storage requests/screen"
        )
    ratios = []
    for verb in ("mine.open", "pending.open"):
        base, big = results[small, verb].p50_ms, results[large, verb].p50_ms
        if base and big:
            ratios.append(f"{verb} {big / base:.2f}x")
    extra[f"p50 at {large:,} vs {small:,} (target <= 1.5x)"] = ", ".join(ratios)
    row = results[large, "mine.open"]
    merged = [results[large, verb] for verb in ("mine.open", "pending.open")]
    return replace(
        row,
        actions=sum(m.actions for m in merged),
        errors=sum(m.errors for m in merged),
        lost=sum(m.lost for m in merged),
        seconds=sum(m.seconds for m in merged),
        extra={**extra, "row": f"both screens at {large:,} records; p50/p99/CPU of mijn meldingen"},
    )
