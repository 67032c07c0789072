"""The Graph manager lookup against a loopback Graph and a loopback Entra ID token endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from bot.domain.people import Person
from bot.graph import GraphClient, GraphError, GraphTokenError
from bot.services.approvers import GraphLookup
from bot.services.managers import ManagerLookupError
from bot.settings import load_settings
from bot.storage.tables import AzureTableStore
from tests.conftest import DEMO_DIRECTORY
from tests.support.entra import FakeEntra
from tests.support.graph import FakeGraph, served

APP_ID = "8f1e2d3c-4b5a-4c6d-9e8f-0a1b2c3d4e5f"
SECRET = "test-only-client-secret"
TENANT = "6d1f3a52-8c4e-4b7a-9e21-5f0c3d8b7a10"
SANNE = "0f6c2a10-1111-4a1e-9c01-000000000001"
PIETER = {
    "id": "0f6c2a10-1111-4a1e-9c01-000000000002",
    "displayName": "Pieter Bakker",
    "mail": "pieter.bakker@woongroen.example",
    "jobTitle": "Teamleider",
}


class Sleeps:
    """Records the waits the client asks for, without waiting."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    return await served(entra, aiohttp_server)


def lookup_for(
    entra: FakeEntra, graph_url: str, sleep: Sleeps, secret: str = SECRET
) -> GraphClient:
    settings = load_settings(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": secret,
            "MicrosoftAppTenantId": TENANT,
            "GRAPH_BASE_URL": graph_url,
            "GRAPH_LOGIN_URL": entra.base_url,
            "BOT_PUBLIC_URL": "https://bot.woongroen.example",
            "MELDREGELING_URL": "https://intranet.woongroen.example/meldregeling",
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
        },
        dotenv=None,
    )
    # Only the clock is the test's: waits are recorded instead of slept.
    return GraphClient.from_settings(settings, sleep=sleep)


@pytest.fixture
async def lookup(
    entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> AsyncIterator[tuple[GraphClient, Sleeps]]:
    entra.clients[APP_ID] = SECRET
    sleeps = Sleeps()
    client = lookup_for(entra, graph[1], sleeps)
    yield client, sleeps
    await client.close()


async def test_the_manager_is_found(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str], entra: FakeEntra
) -> None:
    fake, _ = graph
    fake.managers[SANNE] = PIETER
    client: GraphLookup = lookup[0]
    manager = await client.manager_of(SANNE)
    assert manager == Person(id=PIETER["id"], name="Pieter Bakker", email=PIETER["mail"])
    assert fake.requests == ["id,displayName,mail"]
    [issued] = entra.issued
    assert (issued.client_id, issued.scope) == (APP_ID, "https://graph.microsoft.com/.default")


async def test_no_manager_is_none(lookup: tuple[GraphClient, Sleeps]) -> None:
    assert await lookup[0].manager_of(SANNE) is None


async def test_the_token_is_fetched_once_for_many_calls(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str], entra: FakeEntra
) -> None:
    graph[0].managers[SANNE] = PIETER
    results = await asyncio.gather(*(lookup[0].manager_of(SANNE) for _ in range(20)))
    results += [await lookup[0].manager_of(SANNE) for _ in range(5)]
    assert all(r is not None and r.id == PIETER["id"] for r in results)
    assert len(graph[0].requests) == 25
    assert entra.token_requests == 1


async def test_429_then_success_waits_as_told(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    fake.managers[SANNE] = PIETER
    fake.fail_next(429, {"Retry-After": "7"})
    fake.fail_next(503)
    manager = await lookup[0].manager_of(SANNE)
    assert manager is not None and manager.name == "Pieter Bakker"
    sleeps = lookup[1]
    assert sleeps.seconds[0] == 7.0
    assert len(sleeps.seconds) == 2  # then a backoff for the 503
    assert len(fake.requests) == 3


async def test_503_honours_retry_after_and_412_is_retried(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    fake.managers[SANNE] = PIETER
    fake.fail_next(503, {"Retry-After": "3"})
    fake.fail_next(412)
    manager = await lookup[0].manager_of(SANNE)
    assert manager is not None and manager.id == PIETER["id"]
    assert lookup[1].seconds[0] == 3.0
    assert len(lookup[1].seconds) == 2
    assert len(fake.requests) == 3


async def test_a_busy_token_endpoint_is_retried_by_the_same_policy(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str], entra: FakeEntra
) -> None:
    graph[0].managers[SANNE] = PIETER
    entra.token_faults += [(503, {"Retry-After": "0"}), (429, {"Retry-After": "0"})]
    manager = await lookup[0].manager_of(SANNE)
    assert manager is not None and manager.id == PIETER["id"]
    assert entra.token_requests == 3
    assert len(entra.issued) == 1


async def test_persistent_throttling_ends_in_a_typed_error(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    for _ in range(4):
        graph[0].fail_next(429, {"Retry-After": "1"})
    with pytest.raises(GraphError) as raised:
        await lookup[0].manager_of(SANNE)
    assert raised.value.status == 429
    assert isinstance(raised.value, ManagerLookupError)


async def test_a_refused_token_is_a_typed_error_not_a_retry(
    entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> None:
    entra.clients[APP_ID] = SECRET
    client = lookup_for(entra, graph[1], Sleeps(), secret="wrong")
    with pytest.raises(GraphTokenError) as raised:
        await client.manager_of(SANNE)
    assert raised.value.error == "invalid_client"
    assert graph[0].requests == []
    await client.close()


async def test_an_unauthorised_graph_answer_is_a_typed_error(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    graph[0].fail_next(403)
    with pytest.raises(GraphError) as raised:
        await lookup[0].manager_of(SANNE)
    assert raised.value.status == 403


async def test_the_approval_engine_asks_graph_and_falls_back_to_the_directory(
    lookup: tuple[GraphClient, Sleeps],
    graph: tuple[FakeGraph, str],
    store: AzureTableStore,
) -> None:
    """The approver comes from Graph when it answers; when Graph fails, from the directory."""
    from bot.directory import import_directory, read_directory
    from bot.domain.requests import ApproverRole
    from bot.domain.requests import Person as Approver
    from bot.services.approvers import DirectoryManagers, GraphManagers, find_approver
    from bot.storage.repositories import TABLES, DirectoryRepository

    fake, _ = graph
    directory = DirectoryRepository(store)
    await store.ensure_tables(TABLES)
    await import_directory(directory, read_directory(DEMO_DIRECTORY))
    managers = GraphManagers(lookup[0], DirectoryManagers(directory))

    # Graph says Sanne's manager is Lotte (the directory says Pieter): Graph wins.
    fake.managers[SANNE] = {
        "id": "0f6c2a10-1111-4a1e-9c01-000000000006",
        "displayName": "Lotte Smit",
    }
    approver, role = await find_approver(TENANT, SANNE, directory, managers)
    assert (approver, role) == (
        Approver("0f6c2a10-1111-4a1e-9c01-000000000006", "Lotte Smit"),
        ApproverRole.MANAGER,
    )
    # Graph fails for good (403): the directory's manager is used, the request is not stuck.
    fake.fail_next(403)
    approver, role = await find_approver(TENANT, SANNE, directory, managers)
    assert approver.id == PIETER["id"] and role is ApproverRole.MANAGER


async def test_a_delta_round_follows_every_page_and_waits_as_told_when_throttled(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    for n in range(5):
        fake.put_user(f"0f6c2a10-1111-4a1e-9c01-00000000020{n}", displayName=f"P{n}")
    fake.fail_request(2, 429, {"Retry-After": "7"})  # the second page
    first = await lookup[0].users_delta(None)
    assert first.full and [c.name for c in first.changes] == [f"P{n}" for n in range(5)]
    assert lookup[1].seconds == [7.0]
    assert len(fake.paths) == 4  # 3 pages, one of them asked twice
    assert "$deltatoken=" in first.delta_link

    fake.put_user("0f6c2a10-1111-4a1e-9c01-000000000201", accountEnabled=False)
    fake.delete_user("0f6c2a10-1111-4a1e-9c01-000000000203")
    later = await lookup[0].users_delta(first.delta_link)
    assert not later.full
    assert [(c.id[-3:], c.removed, c.enabled) for c in later.changes] == [
        ("201", False, False),
        ("203", True, None),
    ]


async def test_a_groups_round_gathers_members_spread_over_pages_and_removals(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    group, other = "9a000000-0000-4000-8000-000000000005", "9a000000-0000-4000-8000-000000000006"
    for n in range(3):
        fake.add_member(group, f"u{n}")
    fake.add_member(other, "u9")
    fake.add_member("9a000000-0000-4000-8000-0000000000ff", "u8")  # not asked for
    first = await lookup[0].groups_delta([group, other], None)
    assert first.full
    assert {(m.group_id, m.user_id, m.added) for m in first.members} == {
        (group, "u0", True), (group, "u1", True), (group, "u2", True), (other, "u9", True)
    }  # fmt: skip
    assert fake.answered["groups"] == 2  # four memberships, two a page
    fake.remove_member(group, "u1")
    later = await lookup[0].groups_delta([group, other], first.delta_link)
    assert [(m.user_id, m.added) for m in later.members] == [("u1", False)]


async def test_an_expired_delta_token_is_a_typed_error(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    from bot.graph import DeltaExpired

    first = await lookup[0].users_delta(None)
    graph[0].expire_delta_tokens()
    with pytest.raises(DeltaExpired):
        await lookup[0].users_delta(first.delta_link)


async def test_nested_groups_are_reported_and_their_users_read_over_every_page(
    lookup: tuple[GraphClient, Sleeps], graph: tuple[FakeGraph, str]
) -> None:
    fake, _ = graph
    group, team, inner = (
        "9a000000-0000-4000-8000-000000000005",
        "9b000000-0000-4000-8000-0000000000a1",
        "9b000000-0000-4000-8000-0000000000a2",
    )
    fake.add_member(group, "u0")
    for n in range(1, 4):
        fake.add_member(team, f"u{n}")
    fake.add_member(inner, "u4")
    fake.add_member(inner, "u1")  # in two of the groups: once
    fake.add_group_member(team, inner)
    fake.add_group_member(group, team)
    client, sleeps = lookup
    first = await client.groups_delta([group], None)
    assert [(m.user_id, m.added) for m in first.members] == [("u0", True)]
    assert [(n.group_id, n.nested_id, n.added) for n in first.nested] == [(group, team, True)]

    fake.fail_next(429, {"Retry-After": "2"})
    assert await client.transitive_members(group) == {"u0", "u1", "u2", "u3", "u4"}
    assert fake.answered["transitive"] == 3  # five users, two a page
    assert sleeps.seconds == [2.0]
    [asked] = [p for p in fake.paths if "transitiveMembers" in p][:1]
    assert asked.startswith(f"/v1.0/groups/{group}/transitiveMembers/microsoft.graph.user?")
    assert "%24select=id" in asked or "$select=id" in asked

    fake.remove_group_member(group, team)
    later = await client.groups_delta([group], first.delta_link)
    assert [(n.nested_id, n.added) for n in later.nested] == [(team, False)]
    assert later.members == ()
    with pytest.raises(GraphError) as missing:
        await client.transitive_members("9c000000-0000-4000-8000-000000000000")
    assert missing.value.status == 404
