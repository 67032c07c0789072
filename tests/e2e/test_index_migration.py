"""Requests and inbox rows written before the index rows existed get their entries, once per
deployment, without indexing a state that changed meanwhile."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from bot.app import SERVICES
from bot.domain.requests import ApprovalRequest, Status, decide
from bot.services.context import Services
from bot.services.migrations import INDEX_ROWS_DONE, index_existing_requests
from bot.storage import index
from bot.storage.leases import Leases
from bot.storage.requests import INBOX, REQUESTS, _request_columns, _row_key
from bot.storage.store import Write
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import TENANT
from tests.support.card_samples import _gift_request

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)


async def written_the_old_way(services: Services, rid: str, status: Status) -> ApprovalRequest:
    """A request, its trail row and its inbox row as the code before the index rows wrote them."""
    request = dataclasses.replace(
        _gift_request(), id=rid, tenant_id=TENANT, created_at=NOW, status=status
    )
    partition = f"{TENANT}|{request.requester.id}"
    await services.store.transact(
        REQUESTS,
        partition,
        [
            Write("insert", _row_key(rid), _request_columns(request)),
            Write(
                "insert",
                f"r|{rid}|a|0000",
                {"At": NOW.isoformat(), "ActorId": "u1", "Action": "submitted"},
            ),
        ],
    )
    await services.store.upsert(
        INBOX,
        f"{TENANT}|{request.approver.id}",
        rid,
        {
            "RequesterId": request.requester.id,
            "Kind": request.kind,
            "Status": status.value,
            "CreatedAt": NOW.isoformat(),
            "RequesterName": request.requester.name,
            "Summary": "Oud cadeau",
        },
    )
    return request


async def test_older_requests_are_listed_after_the_migration(bot: BotUnderTest) -> None:
    services = bot.server.app[SERVICES]
    pending = await written_the_old_way(services, "CAD-OLD1-AAAA", Status.PENDING)
    await written_the_old_way(services, "CAD-OLD2-BBBB", Status.APPROVED)
    requester, approver = pending.requester.id, pending.approver.id
    assert await services.requests.summaries(TENANT, requester) == []  # not indexed yet
    assert await services.requests.waiting(TENANT, approver) == []

    assert await index_existing_requests(services) == 3  # two requests, one pending inbox row

    mine = await services.requests.summaries(TENANT, requester)
    assert sorted((s.id, s.status) for s in mine) == [
        ("CAD-OLD1-AAAA", Status.PENDING),
        ("CAD-OLD2-BBBB", Status.APPROVED),
    ]
    [waiting] = await services.requests.waiting(TENANT, approver)
    assert (waiting.request_id, waiting.summary) == ("CAD-OLD1-AAAA", "Oud cadeau")
    assert await Leases(services.store).held_for_good(INDEX_ROWS_DONE)
    # done: later passes write nothing, and the requests stay indexed through their changes
    assert await index_existing_requests(services) == 0
    stored = await services.requests.get(TENANT, requester, "CAD-OLD1-AAAA")
    assert stored is not None and stored.indexed


async def test_an_older_request_changed_before_the_migration_is_listed(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    old = await written_the_old_way(services, "CAD-OLD4-DDDD", Status.PENDING)
    stored = await services.requests.get(TENANT, old.requester.id, old.id)
    assert stored is not None
    await services.requests.update(stored, decide(stored.request, old.approver.id, True, "", NOW))
    [summary] = await services.requests.summaries(TENANT, old.requester.id)
    assert (summary.id, summary.status) == ("CAD-OLD4-DDDD", Status.APPROVED)
    await index_existing_requests(services)  # and the migration leaves it as it is
    [summary] = await services.requests.summaries(TENANT, old.requester.id)
    assert summary.status is Status.APPROVED


async def test_a_request_that_changes_meanwhile_is_left_for_the_next_run(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    request = await written_the_old_way(services, "CAD-OLD3-CCCC", Status.PENDING)
    partition = f"{TENANT}|{request.requester.id}"
    real = services.store

    class ChangedBetweenScanAndWrite:
        """Passes everything through, but changes the request right after the scan read it."""

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        async def scan(self, table: str, equals: dict[str, object]) -> list[object]:
            rows = await real.scan(table, equals)
            if table == REQUESTS:
                head = await real.get(REQUESTS, partition, _row_key(request.id))
                changed = {**head.data, "Comment": "gewijzigd"}
                await real.replace(REQUESTS, partition, head.row, changed, head.etag or "")
            return rows

    racing = dataclasses.replace(services, store=ChangedBetweenScanAndWrite())  # type: ignore[arg-type]
    racing = dataclasses.replace(
        racing,
        requests=type(services.requests)(racing.store, services.kinds),  # the same code
    )
    assert await index_existing_requests(racing) == 1  # only the inbox row
    assert not await Leases(services.store).held_for_good(INDEX_ROWS_DONE)
    assert await services.requests.summaries(TENANT, request.requester.id) == []
    later = dataclasses.replace(services, clock=lambda: NOW + timedelta(minutes=11))
    assert await index_existing_requests(later) == 1  # the request, now unchanged
    [summary] = await services.requests.summaries(TENANT, request.requester.id)
    assert summary.id == "CAD-OLD3-CCCC"
    assert await Leases(services.store).held_for_good(INDEX_ROWS_DONE)
    row = await services.store.get(REQUESTS, partition, index.INDEX_ROW)
    assert index.property_name("CAD-OLD3-CCCC") in row.data
