"""Who the code is for (its introduction): the director's and the RvC's own requests stay within
the Raad van Commissarissen, never with someone who reports to the director. On the in-memory
twins; the same flows over HTTP: tests/e2e/test_rvc_routes.py."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from bot.domain.directory import GroupsDelta, MemberChange, UserChange, UsersDelta, plan
from bot.domain.people import Person, PersonType, Role, person_type
from bot.domain.raffle import eligibility
from bot.domain.reminders import ReminderPolicy
from bot.domain.requests import ApproverRole, DecisionRefused, Status
from bot.services.approvals import decide_request, submit, withdraw_request
from bot.services.approvers import RoleNotConfigured, find_route
from bot.services.context import Services
from bot.services.reminders import remind_and_escalate
from bot.storage.repositories import StoredReference
from tests.support.kinds import KINDS
from tests.unit.test_approval_engine import (
    PRESENTER,
    TENANT,
    WINE,
    Clock,
    RacingRequests,
    actor,
    notifier,
    services_with,
)

DIRECTOR = "0f6c2a10-1111-4a1e-9c01-000000000003"
LOTTE = "0f6c2a10-1111-4a1e-9c01-000000000006"  # integrity officer, reports to the director
CHAIR = "0f6c2a10-1111-4a1e-9c01-000000000007"  # Henk de Boer, RvC chair
VICE = "0f6c2a10-1111-4a1e-9c01-0000000000a1"
ANNA = "0f6c2a10-1111-4a1e-9c01-0000000000a2"
BRAM = "0f6c2a10-1111-4a1e-9c01-0000000000a3"


async def add(services: Services, person_id: str, name: str, role: Role) -> None:
    await services.directory.put_person(
        TENANT,
        Person(person_id, name, department="Raad van Commissarissen", roles=frozenset({role})),
    )
    reference = json.dumps({"user": {"id": f"29:{person_id}"}})
    await services.conversations.save(StoredReference(TENANT, person_id, reference, "nl-NL"))


@pytest.fixture
async def services() -> Services:
    found = await services_with(RacingRequests(KINDS), Clock())
    for person in (DIRECTOR, CHAIR):
        reference = json.dumps({"user": {"id": f"29:{person}"}})
        await found.conversations.save(StoredReference(TENANT, person, reference, "nl-NL"))
    return found


# A gift to hand in: decided, not only taken note of, so an unanswered one would be escalated.
HAND_IN = dataclasses.replace(WINE, verdict="hand_in", form_id="hand-in")


async def route_of(services: Services, requester: str) -> tuple[str, ApproverRole, list[str]]:
    route = await find_route(TENANT, requester, services.directory, services.managers)
    return route.approver.id, route.role, [p.id for p in route.co_approvers]


async def test_the_directors_own_request_goes_to_the_rvc_chair(services: Services) -> None:
    assert await route_of(services, DIRECTOR) == (CHAIR, ApproverRole.RVC_CHAIR, [])


async def test_an_rvc_members_request_goes_to_the_chair(services: Services) -> None:
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    assert await route_of(services, ANNA) == (CHAIR, ApproverRole.RVC_CHAIR, [])


async def test_the_chairs_own_request_goes_to_the_vice_chair(services: Services) -> None:
    await add(services, VICE, "Vera Vos", Role.RVC_VICE_CHAIR)
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    assert await route_of(services, CHAIR) == (VICE, ApproverRole.RVC_VICE_CHAIR, [])


async def test_without_a_vice_chair_the_whole_rvc_decides(services: Services) -> None:
    await add(services, BRAM, "Bram Mol", Role.RVC_MEMBER)
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    assert await route_of(services, CHAIR) == (ANNA, ApproverRole.RVC, [BRAM])


async def test_the_chair_alone_is_never_put_before_the_integrity_officer(
    services: Services,
) -> None:
    with pytest.raises(RoleNotConfigured) as missing:
        await find_route(TENANT, CHAIR, services.directory, services.managers)
    assert missing.value.role is Role.RVC_VICE_CHAIR
    chair = actor(CHAIR, "Henk de Boer")
    with pytest.raises(RoleNotConfigured):
        await submit(services, PRESENTER, chair, WINE)
    assert notifier(services).to(LOTTE) == []


async def test_the_director_without_an_rvc_chair_is_refused_not_sent_to_staff(
    services: Services,
) -> None:
    chair = await services.directory.get_person(TENANT, CHAIR)
    assert chair is not None
    await services.directory.put_person(TENANT, dataclasses.replace(chair, active=False))
    with pytest.raises(RoleNotConfigured) as missing:
        await find_route(TENANT, DIRECTOR, services.directory, services.managers)
    assert missing.value.role is Role.RVC_CHAIR


async def test_every_rvc_member_gets_the_card_and_the_first_decision_counts(
    services: Services,
) -> None:
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    await add(services, BRAM, "Bram Mol", Role.RVC_MEMBER)
    chair = actor(CHAIR, "Henk de Boer")
    result = await submit(services, PRESENTER, chair, WINE)
    request = result.request
    assert (request.approver.id, [p.id for p in request.co_approvers]) == (ANNA, [BRAM])
    assert notifier(services).to(ANNA) and notifier(services).to(BRAM)
    for member in (ANNA, BRAM):
        assert [e.request_id for e in await services.requests.inbox(TENANT, member)] == [request.id]
    # Bram, a co-approver, decides first; Anna's card then shows the decision.
    decided = await decide_request(
        services, PRESENTER, actor(BRAM, "Bram Mol"), CHAIR, request.id, "approve", "", None
    )
    assert (decided.status, decided.decided_by) == (Status.APPROVED, BRAM)
    updated = [(who, card["status"]) for who, _, card in notifier(services).updated]
    assert (ANNA, "approved") in updated
    for member in (ANNA, BRAM):
        [entry] = await services.requests.inbox(TENANT, member)
        assert entry.status is Status.APPROVED
    # Anna's later click changes nothing: the first decision counts.
    again = await decide_request(
        services, PRESENTER, actor(ANNA, "Anna Kok"), CHAIR, request.id, "decline", "nee", None
    )
    assert (again.status, again.decided_by) == (Status.APPROVED, BRAM)
    # Someone outside the RvC may not decide.
    other = await submit(services, PRESENTER, chair, dataclasses.replace(WINE, form_id="f2"))
    with pytest.raises(DecisionRefused):
        await decide_request(
            services, PRESENTER, actor(LOTTE, "Lotte"), CHAIR, other.request.id, "approve", "", None
        )


async def test_a_withdrawal_reaches_every_rvc_members_card(services: Services) -> None:
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    await add(services, BRAM, "Bram Mol", Role.RVC_MEMBER)
    chair = actor(CHAIR, "Henk de Boer")
    request = (await submit(services, PRESENTER, chair, WINE)).request
    await withdraw_request(services, PRESENTER, chair, request.id)
    updated = {(who, card["status"]) for who, _, card in notifier(services).updated}
    assert {(ANNA, "withdrawn"), (BRAM, "withdrawn")} <= updated
    for member in (ANNA, BRAM):
        [entry] = await services.requests.inbox(TENANT, member)
        assert entry.status is Status.WITHDRAWN


async def test_the_rvc_route_is_reminded_but_never_escalated_to_staff(
    services: Services,
) -> None:
    director = actor(DIRECTOR, "Marieke Jansen")
    request = (await submit(services, PRESENTER, director, HAND_IN)).request
    assert request.approver.id == CHAIR
    clock = services.clock
    assert isinstance(clock, Clock)
    policy = ReminderPolicy(remind_after=2, escalate_after=2)
    clock.now += timedelta(days=30)
    assert await remind_and_escalate(services, PRESENTER, policy) == 1  # the reminder
    assert await remind_and_escalate(services, PRESENTER, policy) == 0  # never an escalation
    stored = await services.requests.get(TENANT, DIRECTOR, request.id)
    assert stored is not None and stored.request.approver.id == CHAIR
    assert notifier(services).to(LOTTE) == []


async def test_an_undeliverable_rvc_card_is_not_rerouted_to_the_integrity_officer(
    services: Services,
) -> None:
    notifier(services).blocked.add(CHAIR)
    result = await submit(services, PRESENTER, actor(DIRECTOR, "Marieke Jansen"), WINE)
    assert (result.delivered, result.rerouted) == (False, False)
    assert result.request.approver.id == CHAIR
    assert notifier(services).to(LOTTE) == []


def test_the_type_follows_the_account_the_rvc_groups_and_entras_employee_type() -> None:
    assert person_type(True, frozenset(), "") is PersonType.STAFF
    assert person_type(True, frozenset(), "Employee") is PersonType.STAFF
    assert person_type(True, frozenset(), "Contractor") is PersonType.CONTRACTOR
    assert person_type(True, frozenset(), " inhuur ") is PersonType.CONTRACTOR
    assert person_type(True, frozenset({Role.RVC_MEMBER}), "") is PersonType.RVC
    assert person_type(True, frozenset({Role.RVC_VICE_CHAIR}), "Contractor") is PersonType.RVC
    assert person_type(False, frozenset({Role.RVC_CHAIR}), "") is PersonType.FORMER


def test_a_sync_round_fills_the_type_the_raffle_reads() -> None:
    users = UsersDelta(
        (
            UserChange("u1", name="Staff", enabled=True),
            UserChange("u2", name="Hired", enabled=True, employee_type="Contractor"),
            UserChange("u3", name="Board", enabled=True),
            UserChange("u4", name="Gone", enabled=False),
        ),
        "link",
        full=True,
    )
    groups = GroupsDelta((MemberChange("g-rvc", "u3", added=True),), "glink", full=True)
    outcome = plan({}, users, groups, {"g-rvc": frozenset({Role.RVC_MEMBER})})
    types = {p.id: p.type for p in outcome.changed}
    assert types == {
        "u1": PersonType.STAFF,
        "u2": PersonType.CONTRACTOR,
        "u3": PersonType.RVC,
        "u4": PersonType.FORMER,
    }
    why = {p.id: eligibility(p) for p in outcome.changed}
    assert why == {"u1": "", "u2": "contractor", "u3": "rvc", "u4": "inactive"}
    # A later round that does not send employeeType keeps what it was.
    current = {p.id: p for p in outcome.changed}
    later = plan(
        current,
        UsersDelta((UserChange("u2", department="Wonen"),), "link2", full=False),
        GroupsDelta((), "glink2", full=False),
        {"g-rvc": frozenset({Role.RVC_MEMBER})},
    )
    [hired] = later.changed
    assert (hired.type, hired.department) == (PersonType.CONTRACTOR, "Wonen")


async def test_a_request_the_director_lets_lie_goes_up_to_the_rvc_chair_not_down(
    services: Services,
) -> None:
    """Fatima reports to the director: her gift waits for the director; unanswered, it goes to
    the RvC chair, never to the integrity officer (who reports to the director)."""
    fatima = "0f6c2a10-1111-4a1e-9c01-000000000004"
    reference = json.dumps({"user": {"id": f"29:{fatima}"}})
    await services.conversations.save(StoredReference(TENANT, fatima, reference, "nl-NL"))
    request = (
        await submit(services, PRESENTER, actor(fatima, "Fatima el Amrani"), HAND_IN)
    ).request
    assert (request.approver.id, request.approver_role) == (DIRECTOR, ApproverRole.MANAGER)
    clock = services.clock
    assert isinstance(clock, Clock)
    clock.now += timedelta(days=30)
    policy = ReminderPolicy(remind_after=2, escalate_after=2)
    assert await remind_and_escalate(services, PRESENTER, policy) == 1  # escalated at once
    stored = await services.requests.get(TENANT, fatima, request.id)
    assert stored is not None
    assert (stored.request.approver.id, stored.request.approver_role) == (
        CHAIR,
        ApproverRole.ESCALATION,
    )
    assert notifier(services).to(LOTTE) == []
    # With no RvC chair it stays with the director (and is not sent down the line).
    chair = await services.directory.get_person(TENANT, CHAIR)
    assert chair is not None
    await services.directory.put_person(TENANT, dataclasses.replace(chair, active=False))
    other = await submit(
        services,
        PRESENTER,
        actor(fatima, "Fatima el Amrani"),
        dataclasses.replace(HAND_IN, form_id="f3"),
    )
    clock.now += timedelta(days=30)
    await remind_and_escalate(services, PRESENTER, policy)
    again = await services.requests.get(TENANT, fatima, other.request.id)
    assert again is not None and again.request.approver.id == DIRECTOR
    assert notifier(services).to(LOTTE) == []


async def test_every_rvc_member_is_reminded_once(services: Services) -> None:
    await add(services, ANNA, "Anna Kok", Role.RVC_MEMBER)
    await add(services, BRAM, "Bram Mol", Role.RVC_MEMBER)
    request = (await submit(services, PRESENTER, actor(CHAIR, "Henk de Boer"), HAND_IN)).request
    clock = services.clock
    assert isinstance(clock, Clock)
    clock.now += timedelta(days=30)
    policy = ReminderPolicy(remind_after=2, escalate_after=2)
    assert await remind_and_escalate(services, PRESENTER, policy) == 1
    assert await remind_and_escalate(services, PRESENTER, policy) == 0
    for member in (ANNA, BRAM):
        cards = [c["card"] for c in notifier(services).to(member)]
        assert cards == ["approver", "reminder"]
        [entry] = await services.requests.inbox(TENANT, member)
        assert entry.request_id == request.id and entry.status is Status.PENDING
