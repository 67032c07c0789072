"""The directory from Microsoft Graph (issue #17, point 1): the real app with an app id, its
token from the loopback Entra ID (MSAL, client credentials), reading a loopback Graph that
speaks the delta protocol (paging, delta tokens, throttling, removed members, 410); activities
posted over HTTP with real JWTs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import DIRECTORY_READER, READY, SERVICES, background_jobs, init_app
from bot.domain.people import Role
from bot.domain.requests import ApproverRole, Status
from bot.services.context import Services
from bot.services.jobs import run_pass
from bot.settings import Settings
from bot.storage.tables import AzureTableStore
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.directory import APP_ID, GROUPS, SECRET, fill_graph, production_settings
from tests.support.entra import FakeEntra
from tests.support.flows import WINE, click, open_flow, texts
from tests.support.graph import FakeGraph, served
from tests.support.leaks import Clock

JOOST = "0f6c2a10-1111-4a1e-9c01-000000000005"
HENK = "0f6c2a10-1111-4a1e-9c01-000000000007"
NEW = "0f6c2a10-1111-4a1e-9c01-000000000042"


@dataclass
class Deployed:
    bot: BotUnderTest
    graph: FakeGraph
    clock: Clock

    @property
    def services(self) -> Services:
        return self.bot.server.app[SERVICES]

    async def sync_round(self) -> dict[str, int]:
        """One pass of the background jobs, as the timer runs them."""
        app = self.bot.server.app
        return await run_pass(background_jobs(self.services, app[DIRECTORY_READER]))

    async def person(self, person_id: str) -> Any:
        return await self.services.directory.get_person(TENANT, person_id)

    async def holders(self, role: Role) -> set[str]:
        return {p.id for p in await self.services.directory.with_role(TENANT, role)}


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    fake, url = await served(entra, aiohttp_server, (APP_ID, SECRET))
    fill_graph(fake)
    return fake, url


async def start(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    entra: FakeEntra,
    clock: Clock,
) -> AsyncIterator[BotUnderTest]:
    app = init_app(settings, clock=clock)
    server = await aiohttp_server(app)
    assert app[READY].is_set()  # with an app id, start-up waits for the directory
    mock, service_url = connector
    token = entra.channel_token(APP_ID, service_url + "/")
    async with ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        yield BotUnderTest(server, session, mock, service_url + "/")


@pytest.fixture
async def deployed(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
) -> AsyncIterator[Deployed]:
    fake, url = graph
    environment = production_settings(settings, entra, url)
    async for bot in start(environment, connector, aiohttp_server, entra, clock):
        yield Deployed(bot, fake, clock)


def first_rounds(fake: FakeGraph, resource: str) -> int:
    """Requests that started a full round (no skip or delta token) of a delta resource."""
    return sum(
        1
        for path in fake.paths
        if path.startswith(f"/v1.0/{resource}/delta") and "token=" not in path
    )


async def test_start_up_reads_people_and_role_groups_from_graph_page_by_page(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    assert first_rounds(fake, "users") == 1 and first_rounds(fake, "groups") == 1
    assert fake.answered["users"] == 4  # 7 people, 2 a page
    assert fake.answered["groups"] >= 4  # 8 memberships of 7 groups, 2 a page
    [users_query] = [p for p in fake.paths if p.startswith("/v1.0/users/delta")][:1]
    assert "accountEnabled" in users_query and "jobTitle" in users_query
    [groups_query] = [p for p in fake.paths if p.startswith("/v1.0/groups/delta")][:1]
    assert GROUPS[Role.HR] in groups_query and "members" in groups_query

    fatima = await deployed.person("0f6c2a10-1111-4a1e-9c01-000000000004")
    assert fatima.name == "Fatima el Amrani" and fatima.email.startswith("fatima.")
    assert fatima.department == "Bedrijfsvoering" and fatima.job_title == "Medewerker"
    assert await deployed.holders(Role.PRIVACY_OFFICER) == {fatima.id}
    assert await deployed.holders(Role.HR) == {JOOST}
    assert await deployed.holders(Role.PRIVACY_DEPUTY) == {JOOST}
    assert await deployed.holders(Role.INTEGRITY_OFFICER) == {LOTTE.aad_id}
    assert await deployed.holders(Role.RVC_CHAIR) == {HENK}
    # Graph's app token came from the loopback Entra ID (MSAL, client credentials).
    assert any(t.scope == "https://graph.microsoft.com/.default" for t in fake.entra.issued)


async def test_healthz_says_where_the_directory_came_from_and_how_fresh_it_is(
    deployed: Deployed,
) -> None:
    url = deployed.bot.server.make_url("/healthz")
    async with deployed.bot.session.get(url) as response:
        assert response.status == 200
        body = await response.json()
    assert body["directory"] == {
        "source": "graph",
        "lastSync": deployed.clock.now.isoformat(),
        "ageSeconds": 0,
        "people": 7,
        "stale": False,
    }
    deployed.clock.advance(hours=2)  # no round for two hours (Graph down, jobs stopped)
    async with deployed.bot.session.get(url) as response:
        assert response.status == 200  # a stale directory is reported, not a failure
        body = await response.json()
    assert body["directory"]["stale"] is True and body["directory"]["ageSeconds"] == 7200


async def test_a_later_round_asks_only_for_what_changed_and_applies_it(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fake.put_user(PIETER.aad_id, department="Vastgoed", jobTitle="Teamleider Vastgoed")
    fake.put_user(NEW, displayName="Nadia Nieuw", mail="nadia@woongroen.example",
                  department="HR", accountEnabled=True)  # fmt: skip
    fake.add_member(GROUPS[Role.HR], NEW)
    fake.remove_member(GROUPS[Role.SECRETARIAT], LOTTE.aad_id)
    before = len(fake.paths)

    assert (await deployed.sync_round())["directory"] == 0  # not due yet: nothing asked
    assert len(fake.paths) == before
    deployed.clock.advance(minutes=15)
    done = await deployed.sync_round()

    assert done["directory"] == 3  # Pieter, Nadia, Lotte
    asked = fake.paths[before:]
    assert asked and all("$deltatoken=" in p or "$skiptoken=" in p for p in asked)
    assert first_rounds(fake, "users") == 1  # no second full round
    pieter = await deployed.person(PIETER.aad_id)
    assert (pieter.department, pieter.job_title) == ("Vastgoed", "Teamleider Vastgoed")
    assert pieter.name == "Pieter Bakker"  # unchanged properties kept
    assert await deployed.holders(Role.HR) == {JOOST, NEW}
    assert await deployed.holders(Role.SECRETARIAT) == set()
    assert await deployed.holders(Role.INTEGRITY_OFFICER) == {LOTTE.aad_id}


async def test_throttled_pages_are_waited_for_as_told_and_asked_again(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fake.page_size = 1
    for n in range(3):
        fake.put_user(f"0f6c2a10-1111-4a1e-9c01-00000000010{n}", displayName=f"Nieuw {n}")
    fake.fail_request(2, 429, {"Retry-After": "1"})  # the second page of the users round
    fake.fail_request(4, 503, {"Retry-After": "0"})
    deployed.clock.advance(minutes=15)
    started = time.monotonic()
    done = await deployed.sync_round()
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert done["directory"] == 3
    for n in range(3):
        person = await deployed.person(f"0f6c2a10-1111-4a1e-9c01-00000000010{n}")
        assert person.name == f"Nieuw {n}"


async def test_a_round_that_fails_stores_nothing_and_the_next_one_catches_up(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    state = await deployed.services.directory.sync_state(TENANT)
    fake.put_user(PIETER.aad_id, department="Vastgoed")
    for _ in range(4):  # every attempt of the round's first page
        fake.fail_next(503)
    deployed.clock.advance(minutes=15)
    assert (await deployed.sync_round())["directory"] == 0
    assert await deployed.services.directory.sync_state(TENANT) == state
    assert (await deployed.person(PIETER.aad_id)).department == "Wonen"

    await deployed.sync_round()  # the lease was given back: the next pass does the round
    assert (await deployed.person(PIETER.aad_id)).department == "Vastgoed"


async def test_someone_deleted_or_removed_from_a_group_loses_the_role(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fake.delete_user(JOOST)  # HR and privacy deputy: `@removed` user and members
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    joost = await deployed.person(JOOST)
    assert joost is not None and not joost.active  # kept: earlier requests name him
    assert await deployed.holders(Role.HR) == set()
    assert await deployed.holders(Role.PRIVACY_DEPUTY) == set()


async def test_an_expired_delta_token_starts_a_full_round(deployed: Deployed) -> None:
    fake = deployed.graph
    fake.expire_delta_tokens()
    fake.delete_user(HENK)
    fake.put_user(PIETER.aad_id, jobTitle="Manager Wonen")
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    assert first_rounds(fake, "users") == 2 and first_rounds(fake, "groups") == 2
    assert not (await deployed.person(HENK)).active  # absent from the full round: gone
    assert (await deployed.person(PIETER.aad_id)).job_title == "Manager Wonen"
    assert await deployed.holders(Role.RVC_CHAIR) == set()
    assert await deployed.holders(Role.HR) == {JOOST}


async def install(bot: BotUnderTest, *users: Any) -> None:
    for user in users:
        response = await bot.post(user.install(bot.service_url))
        assert response.status == 200
    bot.connector.sent.clear()


async def test_a_manager_who_leaves_is_passed_over_and_what_waits_for_them_moves(
    deployed: Deployed,
) -> None:
    bot = deployed.bot
    await install(bot, SANNE, PIETER, LOTTE)
    form = await open_flow(bot, SANNE, "gift.open")
    receipt = await click(bot, SANNE, form, "gift.submit", WINE)
    assert "Pieter Bakker" in texts(receipt)  # Graph names Pieter as Sanne's manager
    [summary] = await deployed.services.requests.for_requester(TENANT, SANNE.aad_id)
    assert [e.request_id for e in await deployed.services.requests.waiting(TENANT, PIETER.aad_id)]
    bot.connector.sent.clear()

    deployed.graph.put_user(PIETER.aad_id, accountEnabled=False)  # Pieter leaves Woongroen
    deployed.clock.advance(minutes=15)
    done = await deployed.sync_round()

    assert done["directory"] == 2  # Pieter's row, and his one pending request moved
    stored = await deployed.services.requests.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    request = stored.request
    assert request.status is Status.PENDING
    assert (request.approver.id, request.approver_role) == (LOTTE.aad_id, ApproverRole.FALLBACK)
    assert request.former_approvers == (PIETER.aad_id,)
    assert request.audit[-1].action == "rerouted" and "left" in request.audit[-1].detail
    assert await deployed.services.requests.waiting(TENANT, PIETER.aad_id) == []
    [waiting] = await deployed.services.requests.waiting(TENANT, LOTTE.aad_id)
    assert waiting.request_id == summary.id
    [card] = bot.connector.to(LOTTE.conversation_id)
    assert card.card is not None and "Fles wijn" in texts(card.card)

    # Graph still names Pieter as Sanne's manager; a new request does not go to him.
    second = await click(bot, SANNE, await open_flow(bot, SANNE, "gift.open"), "gift.submit",
                         {**WINE, "description": "Doos bonbons"})  # fmt: skip
    assert "Lotte Smit" in texts(second) and "Pieter Bakker" not in texts(second)
    # A second pass moves nothing again.
    deployed.clock.advance(minutes=15)
    assert (await deployed.sync_round())["directory"] == 0


async def test_two_instances_starting_together_do_the_first_round_once(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
    store: AzureTableStore,
) -> None:
    import asyncio

    fake, url = graph
    environment = production_settings(settings, entra, url)
    first, second = init_app(environment, clock=clock), init_app(environment, clock=clock)
    await asyncio.gather(aiohttp_server(first), aiohttp_server(second))
    assert first[READY].is_set() and second[READY].is_set()
    assert first_rounds(fake, "users") == 1
    assert {p.id for p in await first[SERVICES].directory.with_role(TENANT, Role.HR)} == {JOOST}


async def test_who_left_stays_recorded_until_their_requests_have_moved(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
    store: AzureTableStore,
) -> None:
    """Storage fails while the requests of someone who left are read: the name is kept with
    the round, and the next pass (no new round due) moves the request."""
    from tests.support.leaks import FlakyStore

    fake, url = graph
    flaky = FlakyStore(store)
    app = init_app(production_settings(settings, entra, url), flaky, clock=clock)  # type: ignore[arg-type]
    server = await aiohttp_server(app)
    mock, service_url = connector
    token = entra.channel_token(APP_ID, service_url + "/")
    async with ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        deployed = Deployed(BotUnderTest(server, session, mock, service_url + "/"), fake, clock)
        await install(deployed.bot, SANNE, PIETER, LOTTE)
        form = await open_flow(deployed.bot, SANNE, "gift.open")
        await click(deployed.bot, SANNE, form, "gift.submit", WINE)
        [summary] = await deployed.services.requests.for_requester(TENANT, SANNE.aad_id)

        fake.put_user(PIETER.aad_id, accountEnabled=False)
        clock.advance(minutes=15)
        flaky.failures[("query", "inbox")] = 1  # Pieter's "openstaand" cannot be read
        assert (await deployed.sync_round())["directory"] == 1  # his row only
        state = await deployed.services.directory.sync_state(TENANT)
        assert state is not None and state.departed == (PIETER.aad_id,)

        clock.advance(minutes=1)  # no round due: only the handover
        answered = dict(fake.answered)
        assert (await deployed.sync_round())["directory"] == 1
        assert fake.answered == answered  # no delta round (only Sanne's manager was asked)
        stored = await deployed.services.requests.get(TENANT, SANNE.aad_id, summary.id)
        assert stored is not None and stored.request.approver.id == LOTTE.aad_id
        state = await deployed.services.directory.sync_state(TENANT)
        assert state is not None and state.departed == ()


SIDEJOB = {
    "activity": "board",
    "role": "Penningmeester",
    "organisation": "Voetbalclub VV Groen",
    "paid": "unpaid",
    "hours": "6",
    "touches": "true",
    "touchesHow": "De club huurt een kantine van Woongroen",
    "start": "2026-01-01",
}


async def test_an_hr_advisor_who_leaves_before_advising_is_replaced_by_another(
    deployed: Deployed,
) -> None:
    from tests.support.activities import TeamsUser

    bot, fake = deployed.bot, deployed.graph
    nadia = TeamsUser(NEW, "Nadia Nieuw")
    joost = TeamsUser(JOOST, "Joost Visser")
    await install(bot, SANNE, PIETER, joost, nadia)
    form = await open_flow(bot, SANNE, "sidejob.open")
    await click(bot, SANNE, form, "sidejob.submit", SIDEJOB)
    [summary] = await deployed.services.requests.for_requester(TENANT, SANNE.aad_id)
    assert [e.role for e in await deployed.services.requests.waiting(TENANT, JOOST)] == ["advisor"]
    bot.connector.sent.clear()

    fake.put_user(NEW, displayName="Nadia Nieuw", accountEnabled=True)
    fake.add_member(GROUPS[Role.HR], NEW)
    fake.put_user(JOOST, accountEnabled=False)  # Joost leaves before he advised
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()

    stored = await deployed.services.requests.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    request = stored.request
    assert request.advisor is not None and request.advisor.id == NEW
    assert request.approver.id == PIETER.aad_id  # the manager still decides
    assert request.audit[-1].action == "advisor_rerouted"
    assert await deployed.services.requests.waiting(TENANT, JOOST) == []
    [asked] = await deployed.services.requests.waiting(TENANT, NEW)
    assert asked.role == "advisor"
    [card] = bot.connector.to(nadia.conversation_id)
    assert card.card is not None and "Om advies gevraagd" in texts(card.card)


async def test_with_no_other_hr_advisor_the_request_goes_on_without_advice(
    deployed: Deployed,
) -> None:
    bot = deployed.bot
    await install(bot, SANNE, PIETER)
    form = await open_flow(bot, SANNE, "sidejob.open")
    await click(bot, SANNE, form, "sidejob.submit", SIDEJOB)
    [summary] = await deployed.services.requests.for_requester(TENANT, SANNE.aad_id)
    deployed.graph.delete_user(JOOST)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    stored = await deployed.services.requests.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None and stored.request.advisor is None
    assert stored.request.pending and stored.request.approver.id == PIETER.aad_id
    assert "the advisor has left" in stored.request.audit[-2].detail
    # Recorded, so the manager decides without HR's advice, and the decision says so.
    from bot.domain.requests import lacking_advice

    assert stored.request.audit[-1].action == "no_advisor"
    assert lacking_advice(stored.request) == "no_advisor"
    assert await deployed.services.requests.waiting(TENANT, JOOST) == []


async def test_each_persons_type_comes_from_entra_and_the_rvc_groups(deployed: Deployed) -> None:
    """What the raffle reads (§2: staff only): the RvC by its groups, contractors by Entra ID's
    `employeeType`, former staff by their disabled account; everyone else staff."""
    from bot.domain.people import PersonType
    from bot.domain.raffle import eligibility

    assert "employeeType" in deployed.graph.requests[0].split(",")
    henk = await deployed.person(HENK)
    sanne = await deployed.person(SANNE.aad_id)
    assert (henk.type, sanne.type) == (PersonType.RVC, PersonType.STAFF)
    fake = deployed.graph
    fake.put_user(NEW, displayName="Nadia Nieuw", mail="nadia@woongroen.example",
                  department="ICT", accountEnabled=True, employeeType="Contractor")  # fmt: skip
    fake.put_user(PIETER.aad_id, accountEnabled=False)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    nadia = await deployed.person(NEW)
    pieter = await deployed.person(PIETER.aad_id)
    assert (nadia.type, nadia.employee_type) == (PersonType.CONTRACTOR, "Contractor")
    assert pieter.type is PersonType.FORMER
    assert [eligibility(p) for p in (sanne, henk, nadia, pieter)] == [
        "",
        "rvc",
        "contractor",
        "inactive",
    ]


async def test_with_a_mailbox_set_the_app_mails_through_graph(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
) -> None:
    from bot.app import MAILER

    fake, url = graph
    fake.mailboxes.add("integriteit@woongroen.example")
    environment = production_settings(
        settings, entra, url, MAIL_SENDER="integriteit@woongroen.example"
    )
    async for bot in start(environment, connector, aiohttp_server, entra, clock):
        app = bot.server.app
        assert app[SERVICES].mailer is app[MAILER]
        await app[MAILER].send("jan@vos.nl", "Jan de Vos", "Onderwerp", "<p>Hallo</p>")
        [(mailbox, message)] = fake.mails
        assert mailbox == "integriteit@woongroen.example"
        assert message["toRecipients"] == [
            {"emailAddress": {"address": "jan@vos.nl", "name": "Jan de Vos"}}
        ]
    without = production_settings(settings, entra, url)
    async for bot in start(without, connector, aiohttp_server, entra, clock):
        assert bot.server.app[SERVICES].mailer is None


# Groups inside role groups (nested groups), as a real tenant has them: "HR-team" is a member
# of the HR role group, "HR-stagiairs" a member of HR-team.
HR_TEAM = "9b000000-0000-4000-8000-0000000000a1"
HR_INTERNS = "9b000000-0000-4000-8000-0000000000a2"
INTERN = "0f6c2a10-1111-4a1e-9c01-000000000043"
TRANSITIVE = "/transitiveMembers/microsoft.graph.user"


def transitive_asked(fake: FakeGraph, since: int = 0) -> list[str]:
    """The role groups whose transitiveMembers were asked (first pages), in order."""
    return [
        path.split("/")[3]
        for path in fake.paths[since:]
        if TRANSITIVE in path and "$skiptoken" not in path
    ]


def fill_hr_team(fake: FakeGraph) -> None:
    fake.put_user(NEW, displayName="Nadia Nieuw", mail="nadia@woongroen.example",
                  department="HR", accountEnabled=True)  # fmt: skip
    fake.put_user(INTERN, displayName="Ivo Stagiair", department="HR", accountEnabled=True)
    fake.add_member(HR_TEAM, NEW)
    fake.add_member(HR_TEAM, SANNE.aad_id)
    fake.add_member(HR_INTERNS, INTERN)
    fake.add_group_member(HR_TEAM, HR_INTERNS)
    fake.add_group_member(GROUPS[Role.HR], HR_TEAM)


async def test_people_in_a_group_inside_a_role_group_get_the_role_and_lose_it_when_taken_out(
    deployed: Deployed, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    fake = deployed.graph
    assert transitive_asked(fake) == []  # start-up: no role group had a group inside it
    fill_hr_team(fake)
    deployed.clock.advance(minutes=15)
    before = len(fake.paths)
    with caplog.at_level(logging.INFO, logger="bot.services.directory_sync"):
        await deployed.sync_round()

    assert await deployed.holders(Role.HR) == {JOOST, NEW, SANNE.aad_id, INTERN}
    assert await deployed.holders(Role.PRIVACY_DEPUTY) == {JOOST}  # other groups: as they were
    assert (await deployed.person(INTERN)).name == "Ivo Stagiair"
    assert transitive_asked(fake, before) == [GROUPS[Role.HR]]  # only the group with a group
    state = await deployed.services.directory.sync_state(TENANT)
    assert state is not None and state.nested == ((GROUPS[Role.HR], HR_TEAM),)
    [line] = [r.getMessage() for r in caplog.records if "nested" in r.getMessage()]
    assert "hr" in line and "1 nested group(s), 4 user(s)" in line
    assert not any(p in line for p in (NEW, SANNE.aad_id, INTERN, JOOST, "Nadia", "Ivo"))

    # Taken out of the nested group (and out of the group inside it): the role goes at the
    # next round, although the role group's own members did not change.
    fake.remove_member(HR_TEAM, SANNE.aad_id)
    fake.remove_member(HR_INTERNS, INTERN)
    deployed.clock.advance(minutes=15)
    before = len(fake.paths)
    await deployed.sync_round()
    assert await deployed.holders(Role.HR) == {JOOST, NEW}
    assert transitive_asked(fake, before) == [GROUPS[Role.HR]]  # remembered across rounds

    # Direct members still come and go as before.
    fake.remove_member(GROUPS[Role.HR], JOOST)
    fake.add_member(GROUPS[Role.HR], PIETER.aad_id)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    assert await deployed.holders(Role.HR) == {NEW, PIETER.aad_id}
    assert await deployed.holders(Role.PRIVACY_DEPUTY) == {JOOST}


async def test_a_group_taken_out_of_a_role_group_takes_the_role_from_its_members(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fill_hr_team(fake)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    assert await deployed.holders(Role.HR) == {JOOST, NEW, SANNE.aad_id, INTERN}

    fake.remove_group_member(GROUPS[Role.HR], HR_TEAM)
    deployed.clock.advance(minutes=15)
    before = len(fake.paths)
    await deployed.sync_round()
    assert await deployed.holders(Role.HR) == {JOOST}
    assert transitive_asked(fake, before) == [GROUPS[Role.HR]]  # read once more, to know
    state = await deployed.services.directory.sync_state(TENANT)
    assert state is not None and state.nested == ()

    deployed.clock.advance(minutes=15)  # no group inside a role group any more: no extra ask
    before = len(fake.paths)
    await deployed.sync_round()
    assert transitive_asked(fake, before) == []
    assert await deployed.holders(Role.HR) == {JOOST}


async def test_a_throttled_transitive_members_page_is_waited_for_and_asked_again(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fill_hr_team(fake)
    fake.fail_next_on(TRANSITIVE, 429, {"Retry-After": "1"})
    fake.fail_next_on("$skiptoken", 503, {"Retry-After": "0"})  # a later page: kept going
    deployed.clock.advance(minutes=15)
    before = len(fake.paths)
    started = time.monotonic()
    await deployed.sync_round()
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    assert transitive_asked(fake, before) == [GROUPS[Role.HR]] * 2  # refused once, asked again
    assert sum(TRANSITIVE in p for p in fake.paths[before:]) == 4  # and its second page twice
    assert await deployed.holders(Role.HR) == {JOOST, NEW, SANNE.aad_id, INTERN}


async def test_a_round_whose_transitive_read_fails_stores_nothing(deployed: Deployed) -> None:
    fake = deployed.graph
    state = await deployed.services.directory.sync_state(TENANT)
    fill_hr_team(fake)
    for _ in range(4):  # every attempt
        fake.fail_next_on(TRANSITIVE, 503)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    assert await deployed.services.directory.sync_state(TENANT) == state
    assert await deployed.holders(Role.HR) == {JOOST}

    await deployed.sync_round()  # the next pass replays the deltas and reads the group whole
    assert await deployed.holders(Role.HR) == {JOOST, NEW, SANNE.aad_id, INTERN}


async def test_role_groups_without_groups_inside_them_cost_no_transitive_request(
    deployed: Deployed,
) -> None:
    fake = deployed.graph
    fake.put_user(NEW, displayName="Nadia Nieuw", accountEnabled=True)
    fake.add_member(GROUPS[Role.HR], NEW)
    fake.remove_member(GROUPS[Role.SECRETARIAT], LOTTE.aad_id)
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    fake.expire_delta_tokens()  # a full round as well
    deployed.clock.advance(minutes=15)
    await deployed.sync_round()
    assert first_rounds(fake, "groups") == 2
    assert transitive_asked(fake) == [] and "transitive" not in fake.answered
    assert await deployed.holders(Role.HR) == {JOOST, NEW}


async def test_a_group_inside_a_role_group_counts_from_the_first_round_and_in_full_rounds(
    settings: Settings,
    entra: FakeEntra,
    graph: tuple[FakeGraph, str],
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    clock: Clock,
) -> None:
    fake, url = graph
    fill_hr_team(fake)
    fake.remove_member(GROUPS[Role.HR], JOOST)  # HR only through HR-team
    async for bot in start(production_settings(settings, entra, url), connector, aiohttp_server,
                           entra, clock):  # fmt: skip
        deployed = Deployed(bot, fake, clock)
        assert await deployed.holders(Role.HR) == {NEW, SANNE.aad_id, INTERN}
        assert transitive_asked(fake) == [GROUPS[Role.HR]]

        fake.expire_delta_tokens()
        fake.remove_member(HR_TEAM, NEW)
        clock.advance(minutes=15)
        before = len(fake.paths)
        await deployed.sync_round()
        assert first_rounds(fake, "groups") == 2  # a full round: nested groups named again
        assert transitive_asked(fake, before) == [GROUPS[Role.HR]]
        assert await deployed.holders(Role.HR) == {SANNE.aad_id, INTERN}
