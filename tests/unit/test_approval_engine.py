"""The approval engine's use cases on the in-memory twins (no Azurite, no Teams): submit,
decide, withdraw, notes, and that nothing is lost or left unannounced when writes race or an
answer is lost. The same behaviour over HTTP on Azurite: tests/reliability/test_lost_decisions.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cache import TtlCache
from bot.directory import import_directory, read_directory
from bot.domain.amend import add_information
from bot.domain.gifts import Gift
from bot.domain.people import Actor, Role
from bot.domain.press import PressRequest
from bot.domain.reminders import ReminderPolicy
from bot.domain.requests import ApprovalRequest, ApproverRole, DecisionRefused, Status
from bot.services import approvals
from bot.services.approvals import Draft, decide_request, submit, withdraw_request
from bot.services.approvers import DirectoryManagers
from bot.services.context import Services
from bot.services.directory_sync import reroute_departed
from bot.services.notify import RecipientUnreachable
from bot.services.personal import add_note
from bot.services.recovery import settle_unannounced
from bot.services.reminders import remind_and_escalate
from bot.settings import load_settings
from bot.storage.errors import Conflict, StorageUnavailable
from bot.storage.memory import (
    MemoryCollection,
    MemoryNegotiations,
    MemoryRequestRepository,
    MemoryTableStore,
    MemoryTrailer,
    MemoryViolations,
)
from bot.storage.repositories import ConversationReferences, DirectoryRepository, StoredReference
from bot.storage.requests import StoredRequest
from tests.conftest import DEMO_DIRECTORY
from tests.support.kinds import KINDS

TENANT = "6d1f3a52-8c4e-4b7a-9e21-5f0c3d8b7a10"
SANNE = "0f6c2a10-1111-4a1e-9c01-000000000001"
PIETER = "0f6c2a10-1111-4a1e-9c01-000000000002"
FATIMA = "0f6c2a10-1111-4a1e-9c01-000000000004"  # Communicatie
MARIEKE = "0f6c2a10-1111-4a1e-9c01-000000000003"  # the director, Fatima's manager
JOOST = "0f6c2a10-1111-4a1e-9c01-000000000005"
LOTTE = "0f6c2a10-1111-4a1e-9c01-000000000006"  # the integrity officer (the fallback approver)
START = datetime(2026, 11, 29, 10, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class RecordingNotifier:
    """Teams as far as the engine sees it: sent and updated cards, per person."""

    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updated: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)

    async def send_card(
        self,
        tenant_id: str,
        user_id: str,
        card: dict[str, Any],
        reference: StoredReference | None = None,
    ) -> str:
        if user_id in self.blocked:
            raise RecipientUnreachable(user_id)
        self.sent.append((user_id, card))
        return f"msg-{len(self.sent)}"

    async def update_card(
        self, tenant_id: str, user_id: str, message_id: str, card: dict[str, Any]
    ) -> None:
        self.updated.append((user_id, message_id, card))

    def to(self, user_id: str) -> list[dict[str, Any]]:
        return [card for who, card in self.sent if who == user_id]


class Presenter:
    """Cards as plain records of what they would show."""

    def approver_card(
        self, request: ApprovalRequest, locale: str, *, sealed: str = ""
    ) -> dict[str, Any]:
        return {"card": "approver", "status": request.status.value}

    def decision_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        return {"card": "notice", "status": request.status.value}

    def withdrawal_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        return {"card": "withdrawn", "status": request.status.value}

    def advisor_card(
        self, request: ApprovalRequest, locale: str, reminder: bool = False
    ) -> dict[str, Any]:
        return {"card": "advisor", "status": request.status.value}

    def reminder_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        return {"card": "reminder", "status": request.status.value}

    def overdue_card(self, request: ApprovalRequest, locale: str, viewer_id: str) -> dict[str, Any]:
        return {"card": "overdue", "viewer": viewer_id}

    def handover_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        return {"card": "handover", "status": request.status.value}

    def overdue_notice(
        self, request: ApprovalRequest, locale: str, viewer_id: str
    ) -> dict[str, Any]:
        return {"card": "overdue_notice", "viewer": viewer_id, "approver": request.approver.id}

    def receipt_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        return {"card": "receipt", "status": request.status.value}


PRESENTER = Presenter()


@dataclass
class RacingRequests(MemoryRequestRepository):
    """The twin, plus: run a competing change just before the next update of a request, or let
    the next update land and lose its answer."""

    before_next_update: Any = None
    lose_next_answer: bool = False
    # how the lost answer shows: the connection dropped, or the SDK's retry met its own ETag
    lost_answer_as: type[Exception] = StorageUnavailable

    async def update(self, stored: StoredRequest, updated: ApprovalRequest) -> StoredRequest:
        hook, self.before_next_update = self.before_next_update, None
        if hook is not None:
            await hook(self)
        result = await super().update(stored, updated)
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise self.lost_answer_as("answer lost")
        return result


async def services_with(requests: MemoryRequestRepository, clock: Clock) -> Services:
    store = MemoryTableStore()
    directory = DirectoryRepository(store)
    await import_directory(directory, read_directory(DEMO_DIRECTORY))
    conversations = ConversationReferences(store)
    for person in (SANNE, PIETER, LOTTE):
        reference = json.dumps({"user": {"id": f"29:{person}"}})
        await conversations.save(StoredReference(TENANT, person, reference, "nl-NL"))
    return Services(
        settings=load_settings({}, dotenv=None),
        store=store,
        conversations=conversations,
        directory=directory,
        notifier=RecordingNotifier(),
        requests=requests,
        collection=MemoryCollection(),
        managers=DirectoryManagers(directory),
        kinds=KINDS,
        negotiations=MemoryNegotiations(),
        trailer=MemoryTrailer(),
        violations=MemoryViolations(),
        clock=clock,
    )


def actor(user_id: str, name: str) -> Actor:
    return Actor(user_id=user_id, tenant_id=TENANT, name=name, locale="nl-NL", mri=f"29:{user_id}")


SANNE_ACTOR = actor(SANNE, "Sanne de Vries")
PIETER_ACTOR = actor(PIETER, "Pieter Bakker")
WINE = Draft(
    kind="gift",
    prefix="CAD",
    facts=Gift.from_record({"description": "Fles wijn", "receivedOn": "2026-11-20"}),
    verdict="keep",
    reasons=(),
    form_id="form-1",
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def requests() -> RacingRequests:
    return RacingRequests(KINDS)


@pytest.fixture
async def services(requests: RacingRequests, clock: Clock) -> Services:
    return await services_with(requests, clock)


def notifier(services: Services) -> RecordingNotifier:
    assert isinstance(services.notifier, RecordingNotifier)
    return services.notifier


async def submitted(services: Services) -> ApprovalRequest:
    result = await submit(services, PRESENTER, SANNE_ACTOR, WINE)
    assert result.created and result.delivered
    return result.request


async def decided_but_answer_lost(services: Services, requests: RacingRequests) -> ApprovalRequest:
    """Sanne's wine is submitted; Pieter approves, the write lands, its answer is lost."""
    request = await submitted(services)
    requests.lose_next_answer = True
    with pytest.raises(StorageUnavailable):
        await decide_request(
            services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", "msg-1"
        )
    return request


async def test_a_submission_goes_before_the_manager_and_the_decision_back_to_the_requester(
    services: Services,
) -> None:
    request = await submitted(services)
    assert notifier(services).to(PIETER) == [{"card": "approver", "status": "pending"}]
    waiting = await services.requests.waiting(TENANT, PIETER)
    assert [e.request_id for e in waiting] == [request.id]

    decided = await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "prima", "msg-1"
    )

    assert decided.status is Status.APPROVED
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "approved"}]
    assert await services.requests.waiting(TENANT, PIETER) == []
    [copy] = await services.requests.register(TENANT, "gift", 2026)
    assert copy.status is Status.APPROVED


async def test_nobody_but_the_designated_approver_decides(services: Services) -> None:
    request = await submitted(services)
    for who, code in ((SANNE_ACTOR, "own_request"), (actor(LOTTE, "Lotte"), "not_approver")):
        with pytest.raises(DecisionRefused) as refused:
            await decide_request(services, PRESENTER, who, SANNE, request.id, "approve", "", None)
        assert refused.value.code == code


async def test_a_decision_that_loses_a_race_to_a_note_is_reapplied(
    services: Services, requests: RacingRequests
) -> None:
    request = await submitted(services)

    async def sanne_adds_a_note(repository: MemoryRequestRepository) -> None:
        stored = await repository.get(TENANT, SANNE, request.id)
        assert stored is not None
        noted = add_information(stored.request, SANNE, "Het was een taart", START)
        await repository.update(stored, noted)

    requests.before_next_update = sanne_adds_a_note
    decided = await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "decline", "Nee", "msg-1"
    )

    assert decided.status is Status.DECLINED
    stored = await services.requests.get(TENANT, SANNE, request.id)
    assert stored is not None
    assert [e.action for e in stored.request.audit] == [
        "submitted",
        "information_added",
        "declined",
    ]
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "declined"}]


async def test_a_lost_answer_is_completed_by_the_repeat_on_the_same_instance_and_only_once(
    services: Services, requests: RacingRequests
) -> None:
    request = await decided_but_answer_lost(services, requests)
    assert notifier(services).to(SANNE) == []

    # this instance saw the write fail: nobody is announcing it, so the repeat does
    again = await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", "msg-1"
    )
    await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", "msg-1"
    )

    assert again.status is Status.APPROVED
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "approved"}]
    assert await services.requests.waiting(TENANT, PIETER) == []


async def test_another_instance_leaves_a_fresh_decision_to_its_own_turn(
    services: Services, requests: RacingRequests, clock: Clock
) -> None:
    request = await decided_but_answer_lost(services, requests)
    elsewhere = dataclasses.replace(services, unannounced=TtlCache(60.0))
    clock.now += timedelta(seconds=5)  # a later turn (each turn reads the clock anew)
    await decide_request(elsewhere, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", None)
    assert notifier(services).to(SANNE) == []  # within the grace: its turn may be sending

    clock.now += approvals.SETTLE_GRACE + timedelta(seconds=1)
    await decide_request(elsewhere, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", None)
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "approved"}]


async def test_two_repair_jobs_at_once_announce_a_lost_decision_once(
    services: Services, requests: RacingRequests, clock: Clock
) -> None:
    await decided_but_answer_lost(services, requests)
    clock.now += timedelta(minutes=1)

    done = await asyncio.gather(
        settle_unannounced(services, PRESENTER), settle_unannounced(services, PRESENTER)
    )

    assert sorted(done) == [0, 1]
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "approved"}]


async def test_a_withdrawal_takes_it_off_the_approvers_list_and_updates_his_card(
    services: Services,
) -> None:
    request = await submitted(services)
    withdrawn = await withdraw_request(services, PRESENTER, SANNE_ACTOR, request.id)
    assert withdrawn.status is Status.WITHDRAWN
    assert await services.requests.waiting(TENANT, PIETER) == []
    assert notifier(services).updated == [
        (PIETER, "msg-1", {"card": "approver", "status": "withdrawn"})
    ]
    # a decision afterwards changes nothing
    after = await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", None
    )
    assert after.status is Status.WITHDRAWN


async def test_notes_added_at_once_are_all_kept(services: Services) -> None:
    request = await submitted(services)
    typed = [f"Aanvulling {n}" for n in range(6)]
    await asyncio.gather(*(add_note(services, SANNE_ACTOR, request.id, t) for t in typed))
    stored = await services.requests.get(TENANT, SANNE, request.id)
    assert stored is not None
    assert sorted(n.text for n in stored.request.notes) == sorted(typed)


async def test_an_undeliverable_card_goes_to_the_fallback_approver(services: Services) -> None:
    notifier(services).blocked.add(PIETER)
    result = await submit(services, PRESENTER, SANNE_ACTOR, dataclasses.replace(WINE, form_id="2"))
    assert result.rerouted and result.delivered
    assert result.request.approver.id == LOTTE
    assert result.request.former_approvers == (PIETER,)
    assert notifier(services).to(LOTTE) == [{"card": "approver", "status": "pending"}]


async def test_a_reminder_claim_whose_answer_came_back_as_a_conflict_still_reminds_once(
    services: Services, requests: RacingRequests, clock: Clock
) -> None:
    await submitted(services)
    clock.now += timedelta(days=3)  # Sunday to Wednesday: three working days
    requests.lose_next_answer = True
    requests.lost_answer_as = Conflict

    assert await remind_and_escalate(services, PRESENTER, ReminderPolicy()) == 1
    assert await remind_and_escalate(services, PRESENTER, ReminderPolicy()) == 0

    assert notifier(services).to(PIETER) == [
        {"card": "approver", "status": "pending"},
        {"card": "reminder", "status": "pending"},
    ]


# A journalist's question: Communicatie decides it (the kind's `decider`), not the manager.
JOURNALIST = Draft(
    kind="press",
    prefix="PER",
    facts=PressRequest.from_record(
        {"journalist": "Eva Bos", "asks": "information", "question": "Waarom?"}
    ),
    verdict="refer_to_communications",
    reasons=("refer_journalist", "meanwhile"),
    form_id="press-1",
    decider_role=Role.COMMUNICATIONS,
)


async def reachable(services: Services, *people: str) -> None:
    for person in people:
        reference = json.dumps({"user": {"id": f"29:{person}"}})
        await services.conversations.save(StoredReference(TENANT, person, reference, "nl-NL"))


async def test_a_request_communicatie_decides_stays_with_communicatie_when_unreachable(
    services: Services,
) -> None:
    """Fatima (Communicatie) never opened the bot: the integrity officer must not get the
    journalist's question in her place (and could then decide it)."""
    result = await submit(services, PRESENTER, SANNE_ACTOR, JOURNALIST)

    assert result.created and not result.delivered and not result.rerouted
    request = result.request
    assert (request.approver.id, request.approver_role) == (FATIMA, ApproverRole.COMMUNICATIONS)
    assert [(e.action, e.detail) for e in request.audit] == [
        ("submitted", ""),
        ("undelivered", "NoConversationReference"),
    ]
    assert notifier(services).to(LOTTE) == [] and notifier(services).sent == []
    assert [e.request_id for e in await services.requests.waiting(TENANT, FATIMA)] == [request.id]
    assert await services.requests.waiting(TENANT, LOTTE) == []
    for who in (actor(LOTTE, "Lotte Smit"), PIETER_ACTOR):
        with pytest.raises(DecisionRefused) as refused:
            await decide_request(
                services, PRESENTER, who, SANNE, request.id, "taken_over", "", None
            )
        assert refused.value.code == "not_approver"


async def test_an_unreachable_role_holder_hands_over_to_another_holder_of_the_role(
    services: Services,
) -> None:
    joost = await services.directory.get_person(TENANT, JOOST)
    assert joost is not None
    await services.directory.put_person(
        TENANT, dataclasses.replace(joost, roles=joost.roles | {Role.COMMUNICATIONS})
    )
    await reachable(services, JOOST)  # Fatima, the first holder, still never opened the bot

    result = await submit(services, PRESENTER, SANNE_ACTOR, JOURNALIST)

    assert result.delivered and not result.rerouted
    request = result.request
    assert (request.approver.id, request.approver_role) == (JOOST, ApproverRole.COMMUNICATIONS)
    assert request.former_approvers == (FATIMA,)
    assert [e.action for e in request.audit] == ["submitted", "undelivered", "rerouted"]
    assert notifier(services).to(JOOST) == [{"card": "approver", "status": "pending"}]
    assert notifier(services).to(LOTTE) == []
    assert [e.request_id for e in await services.requests.waiting(TENANT, JOOST)] == [request.id]


async def test_a_role_holder_who_lets_it_lie_is_reported_to_their_manager_who_cannot_decide(
    services: Services, clock: Clock
) -> None:
    await reachable(services, FATIMA, MARIEKE)
    request = (await submit(services, PRESENTER, SANNE_ACTOR, JOURNALIST)).request
    clock.now += timedelta(days=3)  # Sunday to Wednesday: three working days
    assert await remind_and_escalate(services, PRESENTER, ReminderPolicy()) == 1
    clock.now += timedelta(days=2)  # Friday: five working days

    assert await remind_and_escalate(services, PRESENTER, ReminderPolicy()) == 1
    assert await remind_and_escalate(services, PRESENTER, ReminderPolicy()) == 0

    stored = await services.requests.get(TENANT, SANNE, request.id)
    assert stored is not None
    still = stored.request
    assert (still.approver.id, still.approver_role) == (FATIMA, ApproverRole.COMMUNICATIONS)
    assert still.escalated_at == clock.now
    assert [e.action for e in still.audit] == ["submitted", "reminded", "overseer_told"]
    assert notifier(services).to(MARIEKE) == [
        {"card": "overdue_notice", "viewer": MARIEKE, "approver": FATIMA}
    ]
    assert await services.requests.waiting(TENANT, MARIEKE) == []
    with pytest.raises(DecisionRefused) as refused:
        await decide_request(
            services,
            PRESENTER,
            actor(MARIEKE, "Marieke"),
            SANNE,
            request.id,
            "taken_over",
            "",
            None,
        )
    assert refused.value.code == "not_approver"
    decided = await decide_request(
        services, PRESENTER, actor(FATIMA, "Fatima"), SANNE, request.id, "taken_over", "", None
    )
    assert decided.status is Status.APPROVED and decided.decided_by == FATIMA


async def test_a_departed_role_holder_is_replaced_by_another_holder_never_by_the_manager(
    services: Services,
) -> None:
    await reachable(services, FATIMA, JOOST)
    request = (await submit(services, PRESENTER, SANNE_ACTOR, JOURNALIST)).request
    fatima = await services.directory.get_person(TENANT, FATIMA)
    assert fatima is not None
    await services.directory.put_person(TENANT, dataclasses.replace(fatima, active=False))

    # Nobody else is Communicatie: it stays where it is (not to Pieter, Sanne's manager).
    assert await reroute_departed(services, PRESENTER, TENANT, [FATIMA], {}) == (0, ())
    stored = await services.requests.get(TENANT, SANNE, request.id)
    assert stored is not None and stored.request.approver.id == FATIMA
    assert notifier(services).to(PIETER) == []

    joost = await services.directory.get_person(TENANT, JOOST)
    assert joost is not None
    await services.directory.put_person(
        TENANT, dataclasses.replace(joost, roles=joost.roles | {Role.COMMUNICATIONS})
    )
    assert await reroute_departed(services, PRESENTER, TENANT, [FATIMA], {}) == (1, ())
    stored = await services.requests.get(TENANT, SANNE, request.id)
    assert stored is not None
    moved = stored.request
    assert (moved.approver.id, moved.approver_role) == (JOOST, ApproverRole.COMMUNICATIONS)
    assert notifier(services).to(JOOST) == [{"card": "approver", "status": "pending"}]
