"""The sealed copy of a request on its approver's card: a decision judged on it and written
with its ETag, without a read, and never trusted beyond what storage still holds."""

from __future__ import annotations

import base64
import dataclasses
import zlib
from dataclasses import dataclass

import pytest

from bot.app import card_seal
from bot.domain.amend import add_information
from bot.domain.people import Person
from bot.domain.requests import ApprovalRequest, DecisionRefused, Status
from bot.services.approvals import decide_request
from bot.services.context import Services
from bot.settings import load_settings
from bot.storage.memory import MemoryRequestRepository
from bot.storage.requests import StoredRequest, sealed_request, unsealed_request
from bot.storage.seal import MAX_AGE, MAX_SEALED, Seal
from tests.support.kinds import KINDS
from tests.unit.test_approval_engine import (
    LOTTE,
    PIETER_ACTOR,
    PRESENTER,
    SANNE,
    START,
    TENANT,
    Clock,
    actor,
    notifier,
    services_with,
    submitted,
)

SECRET = "a card seal secret of more than 32 characters"


@dataclass
class ReadCounting(MemoryRequestRepository):
    """The twin, counting the point reads of a request."""

    reads: int = 0

    async def get(self, tenant_id: str, requester_id: str, request_id: str) -> StoredRequest | None:
        self.reads += 1
        return await super().get(tenant_id, requester_id, request_id)


@pytest.fixture
def requests() -> ReadCounting:
    return ReadCounting(KINDS)


@pytest.fixture
async def services(requests: ReadCounting) -> Services:
    return await services_with(requests, Clock())


async def stored(services: Services, request: ApprovalRequest) -> StoredRequest:
    found = await services.requests.get(TENANT, request.requester.id, request.id)
    assert found is not None
    return found


# -- the seal ------------------------------------------------------------------------------


def test_a_copy_opens_only_under_its_key_and_for_what_it_was_sealed_for() -> None:
    seal = Seal.from_secret(SECRET)
    token = seal.seal(b"the request", "request A")
    assert seal.open(token, "request A") == b"the request"
    assert Seal.from_secret(SECRET).open(token, "request A") == b"the request"  # every instance
    assert seal.open(token, "request B") is None  # moved to another request
    assert Seal.from_secret(SECRET + "!").open(token, "request A") is None  # another key
    assert Seal.ephemeral().open(token, "request A") is None  # another process without a secret


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"),  # changed
        lambda t: t[: len(t) // 2],  # cut off
        lambda t: "",
        lambda t: "not base64 at all %%%",
        lambda t: "é" * 10,
        lambda t: "A" * (MAX_SEALED + 4),
        lambda t: base64.urlsafe_b64encode(b"\x01" + base64.urlsafe_b64decode(t)[1:]).decode(),
    ],
)
def test_anything_but_the_copy_as_sealed_opens_as_nothing(damage: object) -> None:
    seal = Seal.from_secret(SECRET)
    token = seal.seal(b"the request", "request A")
    assert callable(damage)
    assert seal.open(damage(token), "request A") is None


def test_a_copy_opens_for_thirty_days_after_it_was_sealed() -> None:
    """A card lies in a chat for ever; the request it copies is removed in time."""
    now = [1_800_000_000.0]
    seal = Seal.from_secret(SECRET, clock=lambda: now[0])
    token = seal.seal(b"the request", "request A")
    now[0] += MAX_AGE - 60
    assert seal.open(token, "request A") == b"the request"
    now[0] += 120
    assert seal.open(token, "request A") is None
    # a copy dated far ahead of this instance's clock does not open either
    ahead = Seal.from_secret(SECRET, clock=lambda: 1_800_000_000.0 + 3600).seal(b"x", "a")
    assert Seal.from_secret(SECRET, clock=lambda: 1_800_000_000.0).open(ahead, "a") is None


def test_the_card_cannot_read_the_copy() -> None:
    token = Seal.from_secret(SECRET).seal(b"Fles wijn van Bouwbedrijf Vos", "request A")
    raw = base64.urlsafe_b64decode(token)
    assert b"wijn" not in raw
    with pytest.raises(zlib.error):
        zlib.decompress(raw[13:])


def test_every_instance_has_the_same_key_from_the_settings() -> None:
    token = Seal.from_secret(SECRET).seal(b"x", "a")
    configured = load_settings({"CARD_SEAL_KEY": SECRET}, dotenv=None)
    assert card_seal(configured).open(token, "a") == b"x"
    # Without CARD_SEAL_KEY the app's secret (also the same on every instance) is the source.
    from_password = load_settings({"MicrosoftAppPassword": SECRET}, dotenv=None)
    assert card_seal(from_password).open(token, "a") == b"x"
    assert card_seal(load_settings({}, dotenv=None)).open(token, "a") is None


def test_a_short_card_seal_key_stops_start_up_naming_it() -> None:
    from bot.settings import SettingsError

    for short in ("too short", "  " + "x" * 30 + "  "):
        with pytest.raises(SettingsError, match="CARD_SEAL_KEY"):
            load_settings({"CARD_SEAL_KEY": short}, dotenv=None)


# -- the request in it ---------------------------------------------------------------------


async def test_a_request_comes_back_from_its_copy_as_stored(services: Services) -> None:
    request = await submitted(services)
    noted = add_information(request, SANNE, "Het was een kleine fles", START)
    now = await services.requests.update(await stored(services, request), noted)
    token = sealed_request(services.seal, now)
    back = unsealed_request(services.seal, KINDS, token, TENANT, SANNE, request.id)
    assert back == now
    # bound to its request: another requester or id opens nothing
    assert unsealed_request(services.seal, KINDS, token, TENANT, LOTTE, request.id) is None
    assert unsealed_request(services.seal, KINDS, token, TENANT, SANNE, "CAD-OTHER") is None


# -- deciding on it ------------------------------------------------------------------------


async def test_a_decision_on_the_cards_copy_reads_nothing(
    services: Services, requests: ReadCounting
) -> None:
    request = await submitted(services)
    token = sealed_request(services.seal, await stored(services, request))
    requests.reads = 0

    decided = await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", "msg-1", sealed=token
    )

    assert decided.status is Status.APPROVED
    assert requests.reads == 0
    assert (await stored(services, request)).request.status is Status.APPROVED
    assert notifier(services).to(SANNE) == [{"card": "notice", "status": "approved"}]


async def test_without_a_copy_or_with_a_foreign_one_the_decision_reads_first(
    services: Services, requests: ReadCounting
) -> None:
    request = await submitted(services)
    foreign = Seal.ephemeral().seal(b"{}", "request")
    for sealed in ("", foreign):
        requests.reads = 0
        await decide_request(
            services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", None, sealed=sealed
        )
        assert requests.reads >= 1


async def test_an_old_copy_never_overwrites_what_came_after_it(services: Services) -> None:
    """The card was sealed at submission; Sanne added a note since. The decision on the old
    copy fails on its ETag, is judged again on what storage holds, and keeps the note."""
    request = await submitted(services)
    token = sealed_request(services.seal, await stored(services, request))
    noted = add_information(request, SANNE, "Het was een kleine fles", START)
    await services.requests.update(await stored(services, request), noted)

    await decide_request(
        services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "decline", "Nee", "m", sealed=token
    )

    now = (await stored(services, request)).request
    assert now.status is Status.DECLINED
    assert [e.action for e in now.audit] == ["submitted", "information_added", "declined"]
    assert [n.text for n in now.notes] == ["Het was een kleine fles"]


async def test_a_copy_naming_an_approver_who_no_longer_is_one_decides_nothing(
    services: Services,
) -> None:
    """Pieter's card was sealed while he was the approver; the request went to Lotte since
    (he left). His old card's copy says he may decide; storage says he may not."""
    request = await submitted(services)
    token = sealed_request(services.seal, await stored(services, request))
    moved = dataclasses.replace(request, approver=Person(LOTTE, "Lotte Smit"))
    await services.requests.update(await stored(services, request), moved)

    with pytest.raises(DecisionRefused) as refused:
        await decide_request(
            services, PRESENTER, PIETER_ACTOR, SANNE, request.id, "approve", "", None, sealed=token
        )

    assert refused.value.code == "not_approver"
    assert (await stored(services, request)).request.status is Status.PENDING


async def test_a_refusal_judged_on_an_old_copy_is_judged_again_on_storage(
    services: Services,
) -> None:
    """Lotte, now the approver, clicks with a copy from before the request came to her: on the
    copy she may not decide, on storage she may, and storage is what counts."""
    request = await submitted(services)
    token = sealed_request(services.seal, await stored(services, request))
    moved = dataclasses.replace(request, approver=Person(LOTTE, "Lotte Smit"))
    await services.requests.update(await stored(services, request), moved)

    decided = await decide_request(
        services,
        PRESENTER,
        actor(LOTTE, "Lotte"),
        SANNE,
        request.id,
        "approve",
        "",
        None,
        sealed=token,
    )

    assert decided.status is Status.APPROVED
    assert decided.decided_by == LOTTE


async def test_a_copy_does_not_let_anyone_else_decide(services: Services) -> None:
    request = await submitted(services)
    token = sealed_request(services.seal, await stored(services, request))
    for who, code in ((actor(SANNE, "Sanne"), "own_request"), (actor(LOTTE, "L"), "not_approver")):
        with pytest.raises(DecisionRefused) as refused:
            await decide_request(
                services, PRESENTER, who, SANNE, request.id, "approve", "", None, sealed=token
            )
        assert refused.value.code == code
    assert (await stored(services, request)).request.status is Status.PENDING
