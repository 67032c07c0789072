"""Over HTTP, on Azurite: the manager decides from the card the bot sent, whose buttons carry the
sealed copy of the request; the decision is three writes and no read, and a copy that is old,
changed or taken from another card decides nothing it should not."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import READY, SERVICES, init_app
from bot.domain.requests import Status
from bot.settings import Settings
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.connector import MockConnector
from tests.support.flows import WINE, action, click, open_flow, texts


@pytest.fixture
async def counted(
    settings: Settings,
    connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[BotUnderTest]:
    app = init_app(dataclasses.replace(settings, debug_counters=True))
    server = await aiohttp_server(app)
    await app[READY].wait()
    mock, service_url = connector
    async with ClientSession() as session:
        yield BotUnderTest(server, session, mock, service_url + "/")


async def storage(bot: BotUnderTest) -> dict[str, int]:
    response = await bot.session.get(str(bot.server.make_url("/_debug/counters")))
    return dict((await response.json())["storage"])


async def declared(bot: BotUnderTest, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """Sanne declares; the card the bot sent Pieter."""
    for user in (SANNE, PIETER):
        await bot.post(user.install(bot.service_url))
    bot.connector.sent.clear()
    form = await open_flow(bot, SANNE, "gift.open")
    await click(bot, SANNE, form, "gift.submit", fields or WINE)
    card = bot.connector.to(PIETER.conversation_id)[-1].card
    assert card is not None
    return card


async def request_of(bot: BotUnderTest) -> Any:
    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
    stored = await repository.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    return stored.request


async def test_the_decision_from_the_cards_button_is_three_writes_and_no_read(
    counted: BotUnderTest,
) -> None:
    card = await declared(counted)
    keep = action(card, "request.keep")["data"]
    assert keep["sealed"]  # the decision buttons carry it ...
    assert "sealed" not in action(card, "request.refresh")["data"]  # ... nothing else does
    assert b"wijn" not in base64.urlsafe_b64decode(keep["sealed"])  # and nobody can read it

    before = await storage(counted)
    decided = await click(counted, PIETER, card, "request.keep", {"comment": "Prima"}, "msg-1")
    after = await storage(counted)

    assert "Gezien door jou" in texts(decided)
    turn = {k: after[k] - before[k] for k in ("requests", "reads", "writes")}
    # the request (ETag-conditional), its register copy, Pieter's inbox row
    assert turn == {"requests": 3, "reads": 0, "writes": 3}
    stored = await request_of(counted)
    assert stored.status is Status.APPROVED
    assert [e.action for e in stored.audit] == ["submitted", "approved"]
    [notice] = counted.connector.to(SANNE.conversation_id)
    assert notice.card is not None and "Prima" in texts(notice.card)


async def test_without_the_copy_the_decision_reads_the_request_first(
    counted: BotUnderTest,
) -> None:
    card = await declared(counted)
    pointer = {k: v for k, v in action(card, "request.keep")["data"].items() if k != "sealed"}
    before = await storage(counted)
    response = await counted.post(
        PIETER.invoke(counted.service_url, "request.keep", pointer, "msg-1")
    )
    assert response.status == 200
    after = await storage(counted)
    assert (after["reads"] - before["reads"], after["writes"] - before["writes"]) == (1, 3)
    assert (await request_of(counted)).status is Status.APPROVED


async def test_a_note_added_after_the_card_was_sent_stays(counted: BotUnderTest) -> None:
    """The card's copy is from before Sanne's note: the decision on it does not land as it is,
    is judged again on storage and keeps the note."""
    card = await declared(counted)
    pointer = {k: v for k, v in action(card, "request.keep")["data"].items() if k != "sealed"}
    response = await counted.post(
        SANNE.invoke(counted.service_url, "mine.add", {**pointer, "addition": "Een kleine fles"})
    )
    assert response.status == 200
    assert "Een kleine fles" in texts((await response.json())["value"])

    await click(counted, PIETER, card, "request.give_back", {"comment": "Toch niet"}, "msg-1")

    stored = await request_of(counted)
    assert stored.status is Status.DECLINED
    assert [n.text for n in stored.notes] == ["Een kleine fles"]
    assert [e.action for e in stored.audit] == ["submitted", "information_added", "declined"]


async def test_a_copy_changed_or_taken_from_another_card_decides_only_what_storage_allows(
    counted: BotUnderTest,
) -> None:
    card = await declared(counted)
    keep = action(card, "request.keep")["data"]
    token = keep["sealed"]
    # Lotte (not the approver) sends Pieter's card, copy and all: refused, nothing written.
    refused = await click(counted, LOTTE, card, "request.keep")
    assert "Alleen de aangewezen beoordelaar" in texts(refused)
    # A changed copy is ignored: the request is read and the decision taken on it.
    changed = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    response = await counted.post(
        PIETER.invoke(
            counted.service_url,
            "request.give_back",
            {**keep, "sealed": changed, "comment": "Nee"},
            "msg-1",
        )
    )
    assert response.status == 200
    stored = await request_of(counted)
    assert stored.status is Status.DECLINED
    assert stored.decided_by == PIETER.aad_id
