"""Violations and measures over HTTP: a manager records a suspected violation by someone on his
team; only the director decides, and the employee is sent only the director's own words; the
register is for the director and the integrity officer, every view is on the record's trail,
and nothing of it shows anywhere else (registers, their exports, the overview, mijn meldingen,
openstaand, the manager's or the employee's chat)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import SERVICES
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.e2e.test_registers import download, show
from tests.support.activities import JOOST, LOTTE, MARIEKE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import actions, click, inputs, open_flow, texts

WHAT = "Hield het kerstpakket van Bouwbedrijf Vos zelf"
KINDS = ("gift", "invitation", "sidejob", "supplier", "tenant", "borrow")


async def invoke(bot: BotUnderTest, user: TeamsUser, verb: str, data: dict[str, Any]) -> Any:
    response = await bot.post(user.invoke(bot.service_url, verb, data))
    assert response.status == 200
    return (await response.json())["value"]


async def record(bot: BotUnderTest) -> str:
    form = await open_flow(bot, PIETER, "violation.open")
    [choice_set] = [o for o in _objects(form) if o.get("id") == "employee"]
    assert [c["title"] for c in choice_set["choices"]] == ["Sanne de Vries"]  # his team only
    receipt = await click(
        bot,
        PIETER,
        form,
        "violation.submit",
        {"employee": SANNE.aad_id, "rule": "§2 Relatiegeschenken", "what": WHAT,
         "proposed": "warning"},
    )  # fmt: skip
    assert receipt["body"][0]["text"] == "Vastgelegd in het vertrouwelijke register"
    [reference] = [w.rstrip(".") for w in texts(receipt).split() if w.startswith("OVT-")]
    return reference


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for item in node:
            found += _objects(item)
    return found


def chat(bot: BotUnderTest, user: TeamsUser) -> str:
    return "\n".join(texts(s.card) for s in bot.connector.to(user.conversation_id) if s.card)


@pytest.fixture
async def case_bot(bot: BotUnderTest) -> BotUnderTest:
    await install(bot, SANNE, PIETER, MARIEKE, LOTTE, JOOST)
    return bot


async def test_record_read_decide_and_tell_only_what_the_director_writes(
    case_bot: BotUnderTest,
) -> None:
    bot = case_bot
    reference = await record(bot)
    assert chat(bot, MARIEKE) == "" and chat(bot, SANNE) == ""  # nobody is sent the case

    # the integrity officer reads it: the list and the case are both on the trail
    register = await invoke(bot, LOTTE, "violation.register", {})
    assert reference in texts(register) and WHAT not in texts(register)
    case = await click(bot, LOTTE, register, "violation.view")
    assert WHAT in texts(case) and "Waarschuwing" in texts(case)
    assert "measure" not in inputs(case)  # she does not decide
    refused = await invoke(
        bot, LOTTE, "violation.decide", {"violation": reference, "measure": "none"}
    )
    assert "Alleen de directeur-bestuurder beslist" in texts(refused)

    # the director decides and writes the one thing Sanne is told
    case = await invoke(bot, MARIEKE, "violation.view", {"violation": reference})
    assert "measure" in inputs(case)
    message = "We gaan hierover op maandag in gesprek."
    decided = await click(
        bot, MARIEKE, case, "violation.decide", {"measure": "warning", "message": message}
    )
    assert "je bericht is bij de medewerker aangekomen" in texts(decided)
    told = [s.card for s in bot.connector.to(SANNE.conversation_id) if s.card]
    assert len(told) == 1
    assert texts(told[0]).split("\n")[:2] == ["Bericht van de directeur-bestuurder", message]
    for secret in (WHAT, "Waarschuwing", "Relatiegeschenken", reference, "Pieter"):
        assert secret not in texts(told[0])
    again = await click(bot, MARIEKE, case, "violation.decide", {"measure": "dismissal"})
    assert "al besloten" in texts(again)

    stored = await bot.server.app[SERVICES].violations.get(TENANT, reference)
    assert [(e.by, e.action) for e in stored.violation.trail] == [
        (PIETER.aad_id, "recorded"),
        (LOTTE.aad_id, "listed"),
        (LOTTE.aad_id, "viewed"),
        (MARIEKE.aad_id, "viewed"),
        (MARIEKE.aad_id, "decided"),
        (MARIEKE.aad_id, "told"),
    ]
    trail = texts(await invoke(bot, LOTTE, "violation.view", {"violation": reference}))
    assert "geopend door Marieke Jansen" in trail and "in de lijst bekeken door Lotte Smit" in trail


async def test_without_a_message_the_employee_is_told_nothing(case_bot: BotUnderTest) -> None:
    bot = case_bot
    reference = await record(bot)
    case = await invoke(bot, MARIEKE, "violation.view", {"violation": reference})
    decided = await click(bot, MARIEKE, case, "violation.decide", {"measure": "none"})
    assert "De medewerker krijgt geen bericht" in texts(decided)
    assert chat(bot, SANNE) == ""


async def test_only_a_manager_records_and_only_about_his_own_team(case_bot: BotUnderTest) -> None:
    bot = case_bot
    staff = await open_flow(bot, SANNE, "violation.open")
    assert "meldregeling" in texts(staff)
    assert "concern.open" in [a["verb"] for a in actions(staff)]
    form = await open_flow(bot, PIETER, "violation.open")
    other = await click(
        bot, PIETER, form, "violation.submit",
        {"employee": JOOST.aad_id, "rule": "§2", "what": WHAT},
    )  # fmt: skip
    assert "Kies een van de mogelijkheden" in texts(other)  # Joost is not on his team
    assert inputs(other)["what"] == WHAT  # nothing typed is lost
    assert await bot.server.app[SERVICES].violations.all(TENANT) == []


async def test_a_plain_sentence_opens_the_form(case_bot: BotUnderTest) -> None:
    from tests.e2e.test_questions_and_concern import _text

    bot = case_bot
    card = await _text(bot, PIETER.message(bot.service_url, "ik wil een overtreding vastleggen"))
    assert card["body"][0]["text"] == "Vermoedelijke overtreding vastleggen"
    card = await _text(bot, SANNE.message(bot.service_url, "ik wil een overtreding melden"))
    assert "meldregeling" in texts(card)  # not a manager: pointed to the reporting channels


async def test_nobody_else_reads_it(case_bot: BotUnderTest) -> None:
    bot = case_bot
    reference = await record(bot)
    for user in (SANNE, PIETER, JOOST):
        for verb in ("violation.register", "violation.view"):
            card = await invoke(bot, user, verb, {"violation": reference})
            assert "alleen voor de directeur-bestuurder en de integriteitsfunctionaris" in texts(
                card
            )
            assert WHAT not in texts(card)
    stored = await bot.server.app[SERVICES].violations.get(TENANT, reference)
    assert [e.action for e in stored.violation.trail] == ["recorded"]


async def test_it_leaks_into_no_other_screen_or_export(case_bot: BotUnderTest) -> None:
    bot = case_bot
    reference = await record(bot)
    secrets = (WHAT, reference, "overtreding", "Overtreding vastgelegd")

    def clean(card: dict[str, Any]) -> None:
        shown = texts(card)
        for secret in secrets[:2]:
            assert secret not in shown

    for user in (SANNE, PIETER):
        clean(await open_flow(bot, user, "mine.open"))
    clean(await open_flow(bot, MARIEKE, "pending.open"))
    for kind in KINDS:
        for user in (LOTTE, JOOST):
            card = await show(bot, user, kind)
            clean(card)
        response = await download(bot, LOTTE, await show(bot, LOTTE, kind), "csv")
        assert response.status == 200
        content = await response.read()
        assert WHAT.encode() not in content and reference.encode() not in content
    menu = await open_flow(bot, MARIEKE, "menu.open")
    clean(await click(bot, MARIEKE, menu, "overview.open"))
    assert chat(bot, SANNE) == "" and chat(bot, MARIEKE) == "" and chat(bot, JOOST) == ""
