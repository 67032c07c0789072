"""Who the code is for (its introduction), over HTTP: the RvC and the director use the bot like
staff, and their own requests stay within the Raad van Commissarissen; a case about the
director is the RvC chair's. The rules: tests/unit/test_rvc_routing.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.app import SERVICES
from bot.domain.people import Person, Role
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.support.activities import LOTTE, MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import WINE, click, decision_verbs, inputs, open_flow, texts

HENK = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000007", "Henk de Boer")  # the RvC chair
ANNA = TeamsUser("0f6c2a10-1111-4a1e-9c01-0000000000a2", "Anna Kok")
BRAM = TeamsUser("0f6c2a10-1111-4a1e-9c01-0000000000a3", "Bram Mol")
VERA = TeamsUser("0f6c2a10-1111-4a1e-9c01-0000000000a1", "Vera Vos")


async def rvc(bot: BotUnderTest, user: TeamsUser, role: Role) -> None:
    services = bot.server.app[SERVICES]
    await services.directory.put_person(
        TENANT,
        Person(
            user.aad_id, user.name, department="Raad van Commissarissen", roles=frozenset({role})
        ),
    )


def cards(bot: BotUnderTest, user: TeamsUser) -> list[dict[str, Any]]:
    return [s.card for s in bot.connector.to(user.conversation_id) if s.card]


async def invoke(bot: BotUnderTest, user: TeamsUser, verb: str, data: dict[str, Any]) -> Any:
    response = await bot.post(user.invoke(bot.service_url, verb, data))
    assert response.status == 200
    return (await response.json())["value"]


async def test_the_directors_gift_goes_to_the_rvc_chair(bot: BotUnderTest) -> None:
    await install(bot, MARIEKE, HENK, LOTTE)
    form = await open_flow(bot, MARIEKE, "gift.open")
    receipt = await click(bot, MARIEKE, form, "gift.submit", WINE)
    assert "Henk de Boer" in texts(receipt)
    assert "voorzitter van de Raad van Commissarissen" in texts(receipt)
    [card] = cards(bot, HENK)
    assert decision_verbs(card)
    assert cards(bot, LOTTE) == []


async def test_an_rvc_members_gift_goes_to_the_chair(bot: BotUnderTest) -> None:
    await rvc(bot, ANNA, Role.RVC_MEMBER)
    await install(bot, ANNA, HENK)
    form = await open_flow(bot, ANNA, "gift.open")
    receipt = await click(bot, ANNA, form, "gift.submit", WINE)
    assert "Henk de Boer" in texts(receipt)
    assert len(cards(bot, HENK)) == 1


async def test_the_chairs_gift_goes_to_the_vice_chair(bot: BotUnderTest) -> None:
    await rvc(bot, VERA, Role.RVC_VICE_CHAIR)
    await rvc(bot, ANNA, Role.RVC_MEMBER)
    await install(bot, HENK, VERA, ANNA, LOTTE)
    form = await open_flow(bot, HENK, "gift.open")
    receipt = await click(bot, HENK, form, "gift.submit", WINE)
    assert "Vera Vos" in texts(receipt) and "vicevoorzitter" in texts(receipt)
    assert len(cards(bot, VERA)) == 1
    assert cards(bot, ANNA) == [] and cards(bot, LOTTE) == []


async def test_without_a_vice_chair_every_member_decides_and_the_first_counts(
    bot: BotUnderTest,
) -> None:
    await rvc(bot, ANNA, Role.RVC_MEMBER)
    await rvc(bot, BRAM, Role.RVC_MEMBER)
    await install(bot, HENK, ANNA, BRAM, LOTTE)
    form = await open_flow(bot, HENK, "gift.open")
    receipt = await click(bot, HENK, form, "gift.submit", WINE)
    assert "Raad van Commissarissen (het eerste besluit telt)" in texts(receipt)
    [to_anna] = cards(bot, ANNA)
    [to_bram] = cards(bot, BRAM)
    assert decision_verbs(to_anna) and decision_verbs(to_bram)
    assert cards(bot, LOTTE) == []
    for member in (ANNA, BRAM):
        pending = texts(await open_flow(bot, member, "pending.open"))
        assert "Henk de Boer" in pending

    decided = await click(bot, BRAM, to_bram, decision_verbs(to_bram)[0])
    assert not decision_verbs(decided)  # decided: no buttons left
    anna_updates = [
        s
        for s in bot.connector.sent
        if s.method == "PUT" and s.conversation_id == ANNA.conversation_id
    ]
    assert anna_updates and not decision_verbs(anna_updates[-1].card or {})
    late = await click(bot, ANNA, to_anna, decision_verbs(to_anna)[-1])
    assert not decision_verbs(late)
    assert "Bram Mol" in texts(late)
    services = bot.server.app[SERVICES]
    [mine] = await services.requests.for_requester(TENANT, HENK.aad_id)
    assert mine.decided_by == BRAM.aad_id
    assert "Henk de Boer" not in texts(await open_flow(bot, ANNA, "pending.open"))


async def test_the_chair_alone_is_told_whom_to_contact_and_nothing_is_recorded(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    await install(bot, HENK, LOTTE, PIETER)
    form = await open_flow(bot, HENK, "gift.open")
    with caplog.at_level(logging.WARNING):
        again = await click(bot, HENK, form, "gift.submit", WINE)
    assert "geen vicevoorzitter of ander lid van de Raad van Commissarissen" in texts(again)
    assert inputs(again)["description"] == "Fles wijn"  # what was typed is kept
    assert "role rvc_vice_chair is not configured in the directory" in caplog.text
    services = bot.server.app[SERVICES]
    assert await services.requests.for_requester(TENANT, HENK.aad_id) == []
    assert cards(bot, LOTTE) == [] and cards(bot, PIETER) == []


async def test_a_case_about_the_director_is_the_rvc_chairs(bot: BotUnderTest) -> None:
    await install(bot, HENK, MARIEKE, LOTTE, SANNE)
    form = await open_flow(bot, HENK, "violation.open")
    [choice_set] = [o for o in _objects(form) if isinstance(o, dict) and o.get("id") == "employee"]
    assert [c["title"] for c in choice_set["choices"]] == ["Marieke Jansen"]
    receipt = await click(
        bot, HENK, form, "violation.submit",
        {"employee": MARIEKE.aad_id, "rule": "§2 Relatiegeschenken", "what": "Reis aangenomen"},
    )  # fmt: skip
    [reference] = [w.rstrip(".") for w in texts(receipt).split() if w.startswith("OVT-")]
    # Not on the director's register, nor the integrity officer's (she reports to the director).
    for reader in (MARIEKE, LOTTE):
        register = await invoke(bot, reader, "violation.register", {})
        assert reference not in texts(register)
        refused = await invoke(bot, reader, "violation.view", {"violation": reference})
        assert "niet te vinden" in texts(refused)
    # The chair reads it and decides.
    register = await invoke(bot, HENK, "violation.register", {})
    assert reference in texts(register)
    case = await invoke(bot, HENK, "violation.view", {"violation": reference})
    assert "measure" in inputs(case)
    decided = await click(bot, HENK, case, "violation.decide", {"measure": "warning"})
    assert "al besloten" not in texts(decided)
    stored = await bot.server.app[SERVICES].violations.get(TENANT, reference)
    assert stored.violation.decided_by == HENK.aad_id and stored.violation.about_director
    # A manager cannot put the director on their team.
    refused = await invoke(
        bot, LOTTE, "violation.submit",
        {"employee": MARIEKE.aad_id, "rule": "§2", "what": "x", "formId": "f"},
    )  # fmt: skip
    assert reference not in texts(refused)


def _objects(node: Any) -> list[Any]:
    found: list[Any] = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for item in node:
            found += _objects(item)
    return found
