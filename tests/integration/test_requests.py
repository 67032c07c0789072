"""The requests and collection repositories' contract: every test runs against Azure Tables (on
a real Azurite) and against the in-memory twin, so service tests in the unit tier can use it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.collection import CollectionStatus
from bot.domain.gifts import Gift
from bot.domain.requests import (
    APPROVE,
    DECLINE,
    ApprovalRequest,
    ApproverRole,
    AuditEntry,
    Note,
    Person,
    Status,
    decide,
)
from bot.domain.sidejobs import SideJob
from bot.storage import AlreadyExists, Conflict
from bot.storage.collection import Collection, CollectionRepository
from bot.storage.memory import MemoryCollection, MemoryRequestRepository
from bot.storage.requests import REQUESTS, TABLES, RequestRepository, Requests, StoredRequest
from bot.storage.tables import AzureTableStore
from tests.support.kinds import KINDS

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)


def a_request(rid: str = "CAD-AAAA-BBBB", created: datetime = NOW) -> ApprovalRequest:
    return ApprovalRequest(
        id=rid,
        kind="gift",
        tenant_id="tenant",
        requester=Person("sanne", "Sanne de Vries"),
        approver=Person("pieter", "Pieter Bakker"),
        approver_role=ApproverRole.MANAGER,
        facts=Gift.from_record(
            {"giverName": "Jan", "description": "Fles wijn", "valueCents": 2500}
        ),
        verdict="keep",
        reasons=("everyday_under_limit", "report_to_manager"),
        created_at=created,
        audit=(AuditEntry(created, "sanne", "submitted"),),
        watchers=("29:sanne",),
    )


@pytest.fixture(params=["azurite", "memory"])
async def store_kind(
    request: pytest.FixtureRequest, azurite_connection: str, table_prefix: str
) -> AsyncIterator[AzureTableStore | None]:
    """Azure Tables on the session's Azurite, or None for the in-memory twins."""
    if request.param == "memory":
        yield None
        return
    store = AzureTableStore(azurite_connection, table_prefix)
    await store.ensure_tables(TABLES)
    yield store
    await store.close()


@pytest.fixture
def repository(store_kind: AzureTableStore | None) -> Requests:
    """The contract: every test here runs on Azure Tables (Azurite) and on the in-memory twin."""
    if store_kind is None:
        return MemoryRequestRepository(KINDS)
    return RequestRepository(store_kind, KINDS)


@pytest.fixture
def collection(store_kind: AzureTableStore | None) -> Collection:
    return MemoryCollection() if store_kind is None else CollectionRepository(store_kind)


async def test_a_request_is_stored_with_its_facts_and_trail(repository: Requests) -> None:
    created = await repository.create(a_request())
    assert created.etag
    stored = await repository.get("tenant", "sanne", "CAD-AAAA-BBBB")
    assert stored is not None
    assert stored.request == a_request()
    assert await repository.get("tenant", "pieter", "CAD-AAAA-BBBB") is None


# Facts as every kind wrote them before they were typed (camelCase JSON, notes among them).
OLD_FACTS = {
    "gift": {
        "summary": "Fles wijn (Jan de Vos / Bouwbedrijf Vos)",
        "giverName": "Jan de Vos",
        "giverOrganisation": "Bouwbedrijf Vos",
        "relation": "supplier",
        "negotiating": False,
        "description": "Fles wijn",
        "giftKind": "goods",
        "everyday": True,
        "valueCents": 2500,
        "receivedOn": "2026-11-20",
        "atHome": False,
        "remarks": "",
        "earlier": ["2026-03-01: Bos bloemen (€\u00a020,00)"],
        "notes": [{"at": "2026-11-29T11:00:00+00:00", "text": "Het was een verjaardag"}],
    },
    "invitation": {
        "summary": "Diner (Bouwbedrijf Vos)",
        "inviter": "Bouwbedrijf Vos",
        "relation": "supplier",
        "kind": "dinner",
        "description": "Diner",
        "eventDate": "2026-12-12",
        "valueCents": None,
        "negotiating": True,
        "addedValue": "Netwerk",
    },
    "sidejob": {
        "summary": "Penningmeester (Voetbalclub)",
        "role": "Penningmeester",
        "organisation": "Voetbalclub",
        "paid": "unpaid",
        "hours": "6.5",
        "touches": False,
        "touchesHow": "",
        "start": "2026-01-01",
        "reviewAskedAt": "2027-01-02T09:00:00+00:00",
        "confirmedAt": "2027-01-03T09:00:00+00:00",
    },
    "supplier": {
        "summary": "Dakkapel (Bouwbedrijf Vos)",
        "supplier": "Bouwbedrijf Vos",
        "what": "Dakkapel",
        "reason": "Enige in de regio",
        "amountCents": 500000,
        "quotes": [
            {"provider": "A", "amountCents": 480000},
            {"provider": "B", "amountCents": 560000},
        ],
        "pricePosition": "price_within_range",
    },
    "tenant": {
        "summary": "Dorpsstraat 1",
        "tenant": "Dorpsstraat 1",
        "tie": "relative",
        "case": "Reparatieverzoek",
        "doubt": True,
    },
}


@pytest.mark.parametrize("kind", sorted(OLD_FACTS))
async def test_facts_stored_before_they_were_typed_still_read_and_write_back_the_same(
    store: AzureTableStore, kind: str
) -> None:
    await store.ensure_tables(TABLES)
    repository = RequestRepository(store, KINDS)  # the stored format: Azure only
    created = await repository.create(replace(a_request(), kind=kind))
    partition, row = "tenant|sanne", f"r|{created.request.id}"
    head = await store.get(REQUESTS, partition, row)
    old = json.dumps(OLD_FACTS[kind], ensure_ascii=False)
    await store.replace(REQUESTS, partition, row, {**head.data, "Facts": old}, head.etag or "*")

    stored = await repository.get("tenant", "sanne", created.request.id)
    assert stored is not None
    facts = stored.request.facts
    assert isinstance(facts, KINDS[kind].facts_type)
    assert facts.summary == OLD_FACTS[kind]["summary"]
    if kind == "gift":
        assert stored.request.notes == (
            Note(datetime(2026, 11, 29, 11, tzinfo=UTC), "Het was een verjaardag"),
        )
    # Written back, the record is what was stored (the same keys, the same values).
    await repository.update(stored, stored.request)
    again = await store.get(REQUESTS, partition, row)
    assert json.loads(str(again.data["Facts"])) == OLD_FACTS[kind]
    # "Mijn meldingen" reads a summary of it (the index entry keeps only some facts).
    [listed] = await repository.summaries("tenant", "sanne")
    assert listed.summary == OLD_FACTS[kind]["summary"]
    if kind == "gift":  # what the earlier-gifts rule compares
        gift = listed.facts
        assert isinstance(gift, Gift) and gift.summary == listed.summary
        assert (gift.received_on, gift.value_cents) == (date(2026, 11, 20), 2500)


async def test_the_same_request_cannot_be_written_twice(repository: Requests) -> None:
    await repository.create(a_request())
    with pytest.raises(AlreadyExists):
        await repository.create(a_request())


async def test_a_decision_appends_to_the_trail_and_never_rewrites_it(
    repository: Requests,
) -> None:
    stored = await repository.create(a_request())
    decided = decide(stored.request, "pieter", APPROVE, "prima", NOW)
    after = await repository.update(stored, decided)
    again = await repository.get("tenant", "sanne", decided.id)
    assert again is not None
    assert again.request.status is Status.APPROVED
    assert [e.action for e in again.request.audit] == ["submitted", "approved"]
    assert again.etag == after.etag


async def test_racing_decisions_resolve_to_exactly_one(repository: Requests) -> None:
    stored = await repository.create(a_request())
    approve = decide(stored.request, "pieter", APPROVE, "ja", NOW)
    decline = decide(stored.request, "pieter", DECLINE, "nee", NOW)
    results = await asyncio.gather(
        repository.update(stored, approve),
        repository.update(stored, decline),
        return_exceptions=True,
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], Conflict | AlreadyExists)
    final = await repository.get("tenant", "sanne", stored.request.id)
    assert final is not None
    assert len(final.request.audit) == 2
    assert final.request.status in (Status.APPROVED, Status.DECLINED)
    assert final.request.audit[-1].action == final.request.status.value


async def test_my_requests_and_the_approvers_inbox_are_each_one_partition(
    repository: Requests,
) -> None:
    older = a_request("CAD-0000-0001", NOW.replace(hour=8))
    newer = a_request("CAD-0000-0002", NOW.replace(hour=9))
    for request in (newer, older):
        await repository.create(request)
        await repository.put_inbox(request)
    mine = await repository.for_requester("tenant", "sanne")
    assert [r.id for r in mine] == ["CAD-0000-0002", "CAD-0000-0001"]
    inbox = await repository.inbox("tenant", "pieter")
    assert [e.request_id for e in inbox] == ["CAD-0000-0001", "CAD-0000-0002"]
    await repository.put_inbox(replace(older, status=Status.APPROVED))
    assert [e.status for e in await repository.inbox("tenant", "pieter")] == [
        Status.APPROVED,
        Status.PENDING,
    ]


async def test_gifts_to_hand_in_are_tracked_until_received_and_raffled(
    collection: Collection,
) -> None:
    request = a_request()
    await collection.expect(request, "Kerstpakket", 7500)
    await collection.expect(request, "Kerstpakket", 7500)  # a repeat changes nothing
    [entry] = await collection.entries("tenant")
    assert (entry.status, entry.description, entry.value_cents) == ("expected", "Kerstpakket", 7500)
    assert not await collection.mark_raffled("tenant", request.id, "R1")  # not received yet
    assert await collection.mark_received("tenant", request.id, "lotte", NOW)
    assert not await collection.mark_received("tenant", request.id, "lotte", NOW)
    assert [e.status for e in await collection.entries("tenant")] == [CollectionStatus.RECEIVED]
    assert await collection.mark_raffled("tenant", request.id, "R1")
    [raffled] = await collection.entries("tenant")
    assert (raffled.status, raffled.raffle_id) == (CollectionStatus.RAFFLED, "R1")


async def test_a_register_year_is_read_across_requesters_of_one_tenant_only(
    repository: Requests,
) -> None:
    await repository.create(a_request("CAD-1"))
    await repository.create(replace(a_request("CAD-2"), requester=Person("lotte", "Lotte Smit")))
    await repository.create(replace(a_request("CAD-3"), tenant_id="other"))
    await repository.create(replace(a_request("HUU-1"), kind="tenant"))
    await repository.create(replace(a_request("CAD-4"), created_at=NOW.replace(year=NOW.year - 1)))
    gifts = await repository.register("tenant", "gift", NOW.year)
    assert sorted(r.id for r in gifts) == ["CAD-1", "CAD-2"]  # no trails, no other tenant
    assert {r.requester.id for r in gifts} == {"sanne", "lotte"}
    assert all(r.audit == () for r in gifts)


async def test_the_register_copy_follows_every_change_and_is_filed_under_its_own_year(
    repository: Requests,
) -> None:
    received_last_year = Gift.from_record(
        {"description": "Kerstpakket", "receivedOn": "2025-12-30"}
    )
    created = await repository.create(replace(a_request("CAD-5"), facts=received_last_year))
    assert [r.id for r in await repository.register("tenant", "gift", 2025)] == ["CAD-5"]
    assert await repository.register("tenant", "gift", 2026) == []  # reported in 2026

    approved = replace(created.request, status=Status.APPROVED, decided_at=NOW)
    await repository.update(created, approved)
    [copy] = await repository.register("tenant", "gift", 2025)
    assert copy.status is Status.APPROVED and copy.decided_at == NOW

    await repository.forget_register(approved)
    assert await repository.register("tenant", "gift", 2025) == []


async def test_the_recent_register_follows_this_instances_own_changes_at_once(
    repository: Requests,
) -> None:
    # Read once (and remembered on Azure), then changed through the same repository: each
    # change shows without another read of the partition.
    assert await repository.recent_register("tenant", "gift", NOW.year) == []
    created = await repository.create(a_request("CAD-R1"))
    [copy] = await repository.recent_register("tenant", "gift", NOW.year)
    assert copy.id == "CAD-R1" and copy.status is Status.PENDING and copy.audit == ()
    withdrawn = replace(created.request, status=Status.WITHDRAWN)
    await repository.update(created, withdrawn)
    [copy] = await repository.recent_register("tenant", "gift", NOW.year)
    assert copy.status is Status.WITHDRAWN
    await repository.forget_register(withdrawn)
    assert await repository.recent_register("tenant", "gift", NOW.year) == []


def _requester(copy: ApprovalRequest) -> str:
    return copy.requester.id


def _giver(copy: ApprovalRequest) -> str:
    return copy.facts.giver_name if isinstance(copy.facts, Gift) else ""


async def test_a_recent_group_follows_every_change_into_and_out_of_its_group(
    repository: Requests,
) -> None:
    # Two groupings asked of one partition; then a copy changes group, one is removed, one is
    # added: each group answers as a fresh filter of the register would.
    jan = await repository.create(a_request("CAD-G1"))
    await repository.create(a_request("CAD-G2"))
    assert {
        c.id for c in await repository.recent_group("tenant", "gift", NOW.year, _giver, "Jan")
    } == {
        "CAD-G1",
        "CAD-G2",
    }
    assert await repository.recent_group("tenant", "gift", NOW.year, _requester, "sanne") != []
    moved = replace(jan.request, facts=replace(jan.request.facts, giver_name="Piet"))  # type: ignore[type-var]
    await repository.update(jan, moved)
    [piet] = await repository.recent_group("tenant", "gift", NOW.year, _giver, "Piet")
    assert piet.id == "CAD-G1"
    [still] = await repository.recent_group("tenant", "gift", NOW.year, _giver, "Jan")
    assert still.id == "CAD-G2"
    await repository.forget_register(still)
    assert await repository.recent_group("tenant", "gift", NOW.year, _giver, "Jan") == []
    other = replace(a_request("CAD-G3"), requester=Person("kees", "Kees Jansen"))
    await repository.create(other)
    mine = await repository.recent_group("tenant", "gift", NOW.year, _requester, "sanne")
    assert [c.id for c in mine] == ["CAD-G1"]
    [kees] = await repository.recent_group("tenant", "gift", NOW.year, _requester, "kees")
    assert kees.id == "CAD-G3"
    everyone = await repository.recent_register("tenant", "gift", NOW.year)
    assert {c.id for c in everyone} == {"CAD-G1", "CAD-G3"}


async def test_the_recent_register_reads_storage_once_while_fresh(
    azurite_connection: str, table_prefix: str
) -> None:
    reads: list[int] = []
    store = AzureTableStore(azurite_connection, table_prefix, on_request=lambda: reads.append(1))
    await store.ensure_tables(TABLES)
    try:
        other = RequestRepository(store, KINDS)  # another instance, on the same tables
        repository = RequestRepository(store, KINDS)
        await other.create(a_request("CAD-R2"))
        reads.clear()
        first, second = await asyncio.gather(
            repository.recent_register("tenant", "gift", NOW.year),
            repository.recent_register("tenant", "gift", NOW.year),
        )
        assert [r.id for r in first] == [r.id for r in second] == ["CAD-R2"]
        assert len(reads) == 1  # concurrent callers share one read
        await other.create(a_request("CAD-R3"))
        reads.clear()
        # the other instance's gift shows once the read is older than RECENT_REGISTER ...
        assert [r.id for r in await repository.recent_register("tenant", "gift", NOW.year)] == [
            "CAD-R2"
        ]
        assert reads == []
        # ... while the register screens always read afresh
        fresh = await repository.register("tenant", "gift", NOW.year)
        assert sorted(r.id for r in fresh) == ["CAD-R2", "CAD-R3"]
    finally:
        await store.close()


async def test_current_side_jobs_share_one_register_partition_whatever_their_start(
    repository: Requests,
) -> None:
    stored = []
    for n, start in enumerate(("2019-03-01", "2026-01-15")):
        facts = SideJob.from_record({"role": "Penningmeester", "start": start})
        job = replace(a_request(f"NEV-{n}"), kind="sidejob", facts=facts)
        stored.append(await repository.create(job))
    assert await repository.register("tenant", "sidejob", 2026) == []  # pending: not current

    for one in stored:
        await repository.update(one, decide(one.request, "pieter", APPROVE, "", NOW))
    current = await repository.register("tenant", "sidejob", 2026)
    assert sorted(r.id for r in current) == ["NEV-0", "NEV-1"]

    # one ends: it leaves the register, and the overview still counts it in its year
    again = await repository.get("tenant", "sanne", "NEV-0")
    assert again is not None
    ended = replace(again.request.facts, ended_on=date(2026, 6, 30))
    await repository.update(again, replace(again.request, facts=ended))
    assert [r.id for r in await repository.register("tenant", "sidejob", 2026)] == ["NEV-1"]
    submitted = await repository.submitted_in("tenant", "sidejob", NOW.year)
    assert sorted(r.id for r in submitted) == ["NEV-0", "NEV-1"]


async def test_the_overview_finds_a_years_requests_wherever_they_are_filed(
    repository: Requests,
) -> None:
    late = Gift.from_record({"description": "Kerstpakket", "receivedOn": "2024-12-20"})
    await repository.create(replace(a_request("CAD-L"), facts=late))  # reported in 2026
    await repository.create(
        replace(a_request("CAD-N"), facts=replace(late, received_on=NOW.date()))
    )
    last_year = replace(a_request("CAD-P"), created_at=NOW.replace(year=2025))
    await repository.create(replace(last_year, facts=replace(late, received_on=date(2025, 3, 1))))

    submitted = await repository.submitted_in("tenant", "gift", 2026)
    assert sorted(r.id for r in submitted) == ["CAD-L", "CAD-N"]
    assert [r.id for r in await repository.submitted_in("tenant", "gift", 2025)] == ["CAD-P"]
    assert [r.id for r in await repository.register("tenant", "gift", 2024)] == ["CAD-L"]
    assert await repository.submission_years("tenant") == {2025, 2026}
    assert await repository.submitted_in("other", "gift", 2026) == []


async def test_removing_a_rerouted_request_clears_every_inbox_it_was_put_in(
    repository: Requests,
) -> None:
    from bot.domain.requests import reroute

    stored = await repository.create(a_request("CAD-6"))
    await repository.put_inbox(stored.request)  # Pieter's
    moved = reroute(stored.request, Person("lotte", "Lotte"), ApproverRole.ESCALATION, "late", NOW)
    stored = await repository.update(stored, moved)
    await repository.put_inbox(moved)  # Lotte's
    read = await repository.get("tenant", "sanne", "CAD-6")
    assert read is not None and read.request.former_approvers == ("pieter",)

    await repository.remove(read.request)

    assert await repository.get("tenant", "sanne", "CAD-6") is None
    assert await repository.inbox_entry("tenant", "pieter", "CAD-6") is None
    assert await repository.inbox_entry("tenant", "lotte", "CAD-6") is None
    assert await repository.register("tenant", "gift", NOW.year) == []


async def test_a_long_trail_and_many_notes_are_kept_whole(repository: Requests) -> None:
    from bot.domain.amend import MAX_NOTES, add_information
    from bot.domain.requests import DecisionRefused

    stored = await repository.create(a_request("CAD-7"))
    for n in range(MAX_NOTES):  # 20,000 characters of notes: more than one property holds
        noted = add_information(stored.request, "sanne", f"{n:02d} " + "x" * 996, NOW)
        stored = await repository.update(stored, noted)
    again = await repository.get("tenant", "sanne", "CAD-7")
    assert again is not None
    assert [n.text[:2] for n in again.request.notes] == [f"{n:02d}" for n in range(MAX_NOTES)]
    assert len(again.request.audit) == MAX_NOTES + 1
    assert again.request.audit[-1].detail.startswith(f"{MAX_NOTES - 1:02d} ")
    with pytest.raises(DecisionRefused, match="too_many_notes"):
        add_information(again.request, "sanne", "nog een", NOW)


async def test_a_request_written_with_separate_trail_rows_still_reads_its_trail(
    store: AzureTableStore,
) -> None:
    """Before the trail was kept inside the request, each entry was a row `r|<id>|a|<seq>`."""
    await store.ensure_tables(TABLES)
    repository = RequestRepository(store, KINDS)
    created = await repository.create(a_request("CAD-8"))
    partition, key = "tenant|sanne", "r|CAD-8"
    head = await store.get(REQUESTS, partition, key)
    old = {k: v for k, v in head.data.items() if not k.startswith("Trail")}
    await store.replace(REQUESTS, partition, key, old, head.etag or "*")
    for n, action in enumerate(("submitted", "information_added")):
        row = {"At": NOW.isoformat(), "ActorId": "sanne", "Action": action, "Detail": ""}
        await store.insert(REQUESTS, partition, f"{key}|a|{n:04d}", row)

    stored = await repository.get("tenant", "sanne", "CAD-8")
    assert stored is not None
    assert [e.action for e in stored.request.audit] == ["submitted", "information_added"]
    decided = decide(stored.request, "pieter", APPROVE, "", NOW)
    await repository.update(stored, decided)  # from now on the trail is inside the request
    again = await repository.get("tenant", "sanne", "CAD-8")
    assert again is not None
    assert [e.action for e in again.request.audit] == ["submitted", "information_added", "approved"]
    assert created.request.id == again.request.id
    [listed] = await repository.for_requester("tenant", "sanne")  # trail rows are not requests
    assert listed.id == "CAD-8"


async def test_requests_written_before_the_register_copies_get_them_once(
    store: AzureTableStore,
) -> None:
    from bot.storage.audit import audit_columns
    from bot.storage.requests import TRAIL, _request_columns

    await store.ensure_tables(TABLES)
    repository = RequestRepository(store, KINDS)
    old = a_request("CAD-OLD")
    # as the previous version wrote it: the head without a trail column, the trail in its own
    # rows, and no register copy
    head = {k: v for k, v in _request_columns(old).items() if not k.startswith(TRAIL)}
    await store.insert(REQUESTS, "tenant|sanne", "r|CAD-OLD", head)
    await store.insert(REQUESTS, "tenant|sanne", "r|CAD-OLD|a|0000", audit_columns(old.audit[0]))
    newer = await repository.create(a_request("CAD-NEW"))
    await repository.update(newer, decide(newer.request, "pieter", APPROVE, "", NOW))
    assert [r.id for r in await repository.register("tenant", "gift", NOW.year)] == ["CAD-NEW"]

    assert await repository.backfill_registers() == 1  # the new one's copy is left as it is
    shown = {r.id: r.status for r in await repository.register("tenant", "gift", NOW.year)}
    assert shown == {"CAD-OLD": Status.PENDING, "CAD-NEW": Status.APPROVED}
    submitted = await repository.submitted_in("tenant", "gift", NOW.year)
    assert sorted(r.id for r in submitted) == ["CAD-NEW", "CAD-OLD"]
    assert await RequestRepository(store, KINDS).backfill_registers() == 0  # idempotent


async def test_a_copy_is_removed_where_it_was_put_even_after_the_filing_rules_changed(
    store: AzureTableStore,
) -> None:
    """Retention must not leave a copy (personal data) behind in a partition today's rules no
    longer point at."""
    from bot.domain.kinds import Kinds

    await store.ensure_tables(TABLES)
    before = RequestRepository(store, KINDS)
    late = Gift.from_record({"description": "Kerstpakket", "receivedOn": "2024-12-20"})
    created = await before.create(replace(a_request("CAD-R"), facts=late))
    assert [r.id for r in await before.register("tenant", "gift", 2024)] == ["CAD-R"]

    by_submission = replace(KINDS["gift"], filed_on=lambda facts: None)
    after = RequestRepository(
        store, Kinds((by_submission, *(k for k in KINDS if k.name != "gift")))
    )
    stored = await after.get("tenant", "sanne", "CAD-R")
    assert stored is not None
    stored = await after.update(stored, decide(stored.request, "pieter", APPROVE, "", NOW))
    assert await after.register("tenant", "gift", 2024) == []  # moved, not copied
    assert [r.id for r in await after.register("tenant", "gift", NOW.year)] == ["CAD-R"]

    await after.remove(stored.request)
    assert await after.register("tenant", "gift", NOW.year) == []
    assert created.copy  # where the first copy went was recorded


async def test_a_handover_and_a_decision_without_advice_are_stored(repository: Requests) -> None:
    """The colleague a tenant's case went to, and why a side job was decided without HR's
    advice, read back from Azure Tables and the twin alike (and from the register copy)."""
    from bot.domain.requests import Person

    created = await repository.create(a_request())
    changed = replace(
        a_request(), assignee=Person("lotte", "Lotte Smit"), decided_without="advice_lapsed"
    )
    await repository.update(created, changed)
    stored = await repository.get("tenant", "sanne", "CAD-AAAA-BBBB")
    assert stored is not None
    assert stored.request.assignee == Person("lotte", "Lotte Smit")
    assert stored.request.decided_without == "advice_lapsed"


async def test_an_advisors_position_is_stored_and_advice_without_one_still_reads(
    repository: Requests,
) -> None:
    """Communicatie's position on an interview reads back from Azure Tables and the twin alike
    (and from a card's sealed copy); a request written before positions were has none."""
    from bot.domain.kinds import Kinds
    from bot.storage.requests import sealed_request, unsealed_request
    from bot.storage.seal import Seal

    created = await repository.create(replace(a_request(), advice="Prima"))
    stored = await repository.get("tenant", "sanne", "CAD-AAAA-BBBB")
    assert stored is not None
    assert (stored.request.advice, stored.request.advice_position) == ("Prima", "")
    advised = replace(a_request(), advice="Niet nu", advice_position="disagree", advised_at=NOW)
    await repository.update(created, advised)
    stored = await repository.get("tenant", "sanne", "CAD-AAAA-BBBB")
    assert stored is not None
    assert (stored.request.advice, stored.request.advice_position) == ("Niet nu", "disagree")
    seal = Seal.ephemeral()
    token = sealed_request(seal, stored)
    copy = unsealed_request(seal, Kinds(()), token, "tenant", "sanne", "CAD-AAAA-BBBB")
    assert copy is not None and copy.request.advice_position == "disagree"


async def test_the_copy_sealed_right_after_a_write_is_the_request_as_read_back(
    repository: Requests,
) -> None:
    """The approver's card is sealed from the version just written (its own columns, not
    built again): it opens to exactly what a read of storage gives, ETag included."""
    from bot.storage.requests import sealed_request, unsealed_request
    from bot.storage.seal import Seal

    seal = Seal.ephemeral()

    async def opened(written: StoredRequest) -> None:
        token = sealed_request(seal, written)
        copy = unsealed_request(seal, KINDS, token, "tenant", "sanne", "CAD-AAAA-BBBB")
        read = await repository.get("tenant", "sanne", "CAD-AAAA-BBBB")
        assert copy is not None and read is not None
        assert (copy.request, copy.etag, copy.copy) == (read.request, read.etag, read.copy)

    created = await repository.create(a_request())
    await opened(created)
    noted = replace(a_request(), comment="Gezien", advice="Ok", advised_at=NOW)
    await opened(await repository.update(created, noted))


async def test_recent_totals_add_up_a_group_as_its_copies_change(repository: Requests) -> None:
    # Running totals on Azure (changed copy by copy), a fresh count in memory: the same answers.
    def gift(rid: str, who: Person, cents: int) -> ApprovalRequest:
        base = a_request(rid)
        facts = Gift.from_record({"giverName": "Jan", "description": "Wijn", "valueCents": cents})
        return replace(base, requester=who, facts=facts)

    kees = Person("kees", "Kees Jansen")
    totals = await repository.recent_totals("tenant", "gift", NOW.year, _giver, "Jan")
    assert (totals.count, totals.value_cents, dict(totals.requesters)) == (0, 0, {})
    first = await repository.create(gift("CAD-T1", Person("sanne", "Sanne de Vries"), 2500))
    await repository.create(gift("CAD-T2", kees, 4000))
    await repository.create(gift("CAD-T3", kees, 1000))
    totals = await repository.recent_totals("tenant", "gift", NOW.year, _giver, "Jan")
    assert (totals.count, totals.value_cents) == (3, 7500)
    assert dict(totals.requesters) == {"sanne": 1, "kees": 2}
    # withdrawn: off the register, out of the totals; and Sanne is no longer among the givers'
    await repository.update(first, replace(first.request, status=Status.WITHDRAWN))
    totals = await repository.recent_totals("tenant", "gift", NOW.year, _giver, "Jan")
    assert (totals.count, totals.value_cents, dict(totals.requesters)) == (2, 5000, {"kees": 2})
    assert (await repository.recent_totals("tenant", "gift", NOW.year, _giver, "Piet")).count == 0
