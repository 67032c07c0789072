"""A proactive message sent by `TeamsNotifier` is the message `continue_conversation` sends:
the same requests reach the Bot Connector (method, path, headers, body), only the fresh
continuation id it replies to differs, as it does between any two sends of the SDK."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer
from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference

from bot.services.fanout import TokenBucket
from bot.settings import load_settings
from bot.storage.memory import MemoryTableStore
from bot.storage.repositories import ConversationReferences, StoredReference
from bot.teams.adapter import build_adapter
from bot.teams.handler import card_activity
from bot.teams.proactive import TeamsNotifier
from tests.support.capture import Capture, capture_server

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Je melding is goedgekeurd", "wrap": True}],
}


@pytest.fixture
async def capture(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[Capture, str]]:
    yield await capture_server(aiohttp_server, "/emea/")


def a_reference(service_url: str) -> ConversationReference:
    return ConversationReference(
        activity_id="f:1700000000000",
        user=ChannelAccount(id="29:sanne", name="Sanne de Vries", aad_object_id="aad-sanne"),
        bot=ChannelAccount(id="28:integriteitsbot", name="Integriteitsbot"),
        conversation=ConversationAccount(
            id="a:personal-sanne", conversation_type="personal", tenant_id="tenant"
        ),
        channel_id="msteams",
        locale="nl-NL",
        service_url=service_url,
    )


async def test_a_sent_and_an_updated_card_are_what_continue_conversation_sends(
    capture: tuple[Capture, str],
) -> None:
    cap, service_url = capture
    adapter = build_adapter(load_settings({}, dotenv=None))
    reference = a_reference(service_url)

    async def through_the_sdk(turn_context: TurnContext) -> None:
        await turn_context.send_activity(card_activity(CARD))
        update = card_activity(CARD)
        update.id = "m1"
        await turn_context.update_activity(update)

    await adapter.continue_conversation(reference, through_the_sdk, "")

    stored = StoredReference("tenant", "sanne", json.dumps(reference.serialize()), "nl-NL")
    conversations = ConversationReferences(MemoryTableStore())
    await conversations.save(stored)
    notifier = TeamsNotifier(adapter, "", conversations, TokenBucket(1000, 10))
    sent = await notifier.send_card("tenant", "sanne", CARD, stored)
    await notifier.update_card("tenant", "sanne", "m3", CARD)
    await adapter.bot_framework_authentication.close()

    assert sent == "m3"
    sdk, ours = cap.seen[:2], cap.seen[2:]
    assert [(m, p) for m, p, _, _ in sdk] == [("POST", p) for p in [sdk[0][1]]] + [
        ("PUT", "/emea/v3/conversations/a:personal-sanne/activities/m1")
    ]
    for (method, path, headers, body), (s_method, s_path, s_headers, s_body) in zip(
        ours, sdk, strict=True
    ):
        assert method == s_method
        for name in ("Content-Type", "Accept", "x-ms-conversation-id", "User-Agent"):
            assert headers.get(name) == s_headers.get(name), name
        # the continuation id replied to is new on every send, in both
        uuid.UUID(body.pop("replyToId"))
        uuid.UUID(s_body.pop("replyToId"))
        if method == "PUT":
            assert body.pop("id") == "m3" and s_body.pop("id") == "m1"
        # POST .../activities/<the id replied to>, PUT .../activities/<the message>
        assert path.rsplit("/", 1)[0] == s_path.rsplit("/", 1)[0]
        assert body == s_body
