"""The bot over HTTP as Teams talks to it, with a loopback Bot Connector."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import ClientSession

from bot.app import SERVICES, init_app
from bot.services.notify import NoConversationReference
from bot.settings import load_settings
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import EMMA_EN, SANNE, TENANT


def _buttons(card: dict) -> list[str]:
    return [
        action["title"]
        for element in card["body"]
        if element.get("type") == "ActionSet"
        for action in element["actions"]
    ]


async def test_install_greets_with_the_menu_and_remembers_the_conversation(
    bot: BotUnderTest,
) -> None:
    response = await bot.post(SANNE.install(bot.service_url))
    assert response.status == 200
    [sent] = bot.connector.to(SANNE.conversation_id)
    assert sent.card is not None
    assert "Cadeau melden" in _buttons(sent.card)
    assert "Datalek melden" in _buttons(sent.card)
    stored = await bot.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id)
    assert stored is not None
    assert json.loads(stored.reference)["serviceUrl"] == bot.service_url


async def test_a_person_is_welcomed_once_however_often_the_chat_is_opened(
    bot: BotUnderTest,
) -> None:
    """The Playground sends an install (without the name) each time its page opens (#19)."""
    nameless = SANNE.install(bot.service_url)
    nameless["from"].pop("name", None)
    await bot.post(nameless)
    [welcome] = bot.connector.to(SANNE.conversation_id)
    assert "Hoi Sanne!" in json.dumps(welcome.card)  # her name from the directory
    for _ in range(3):
        response = await bot.post(nameless)
        assert response.status == 200
        await bot.post({**SANNE.base(bot.service_url, "conversationUpdate"), "membersAdded": []})
    assert len(bot.connector.to(SANNE.conversation_id)) == 1
    # In another conversation (a new chat after reinstalling), she is welcomed there.
    moved = SANNE.install(bot.service_url)
    moved["conversation"] = {**moved["conversation"], "id": "a:another-chat"}
    await bot.post(moved)
    assert len([s for s in bot.connector.sent if s.card is not None]) == 2


async def test_any_text_gets_the_menu_in_the_users_language(bot: BotUnderTest) -> None:
    await bot.post(SANNE.message(bot.service_url, "hallo"))
    await bot.post(EMMA_EN.message(bot.service_url, "hello"))
    dutch, english = bot.connector.sent
    assert dutch.card is not None and english.card is not None
    assert dutch.card["body"][0]["text"] == "Integriteitsbot van Woongroen"
    assert english.card["body"][0]["text"] == "Woongroen integrity bot"
    assert "Declare a gift" in _buttons(english.card)


async def test_a_card_button_answers_the_invoke_with_a_card(bot: BotUnderTest) -> None:
    response = await bot.post(SANNE.invoke(bot.service_url, "question.open"))
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["type"] == "AdaptiveCard"
    back = await bot.post(SANNE.invoke(bot.service_url, "menu.open"))
    assert "Cadeau melden" in _buttons((await back.json())["value"])


async def test_an_unknown_verb_gets_a_clear_error_card(bot: BotUnderTest) -> None:
    response = await bot.post(SANNE.invoke(bot.service_url, "gift.explode"))
    assert response.status == 200
    card = (await response.json())["value"]
    assert card["body"][0]["text"] == "Dat lukte niet"
    assert card["actions"][0]["verb"] == "menu.open"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "text",
        {"action": "x"},
        {"action": {"type": "Action.Submit", "verb": "menu.open"}},
        {"action": {"type": "Action.Execute"}},
        {"action": {"type": "Action.Execute", "verb": 5}},
        {"action": {"type": "Action.Execute", "verb": "menu.open", "data": [1]}},
    ],
)
async def test_a_malformed_invoke_gets_an_error_card_not_a_500(
    bot: BotUnderTest, value: object
) -> None:
    activity = SANNE.invoke(bot.service_url, "menu.open")
    activity["value"] = value
    response = await bot.post(activity)
    assert response.status == 200
    assert (await response.json())["value"]["body"][0]["color"] == "Attention"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"text": "no type"}', "application/json"),
        (b'{"type": 42}', "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
async def test_a_body_that_is_not_an_activity_is_a_400(
    bot: BotUnderTest, body: bytes, content_type: str
) -> None:
    response = await bot.post(body, content_type)
    assert response.status == 400
    assert bot.connector.sent == []


async def test_wrong_content_type_is_refused(bot: BotUnderTest) -> None:
    response = await bot.post(b"hello", "text/plain")
    assert response.status == 415


async def test_an_activity_type_the_bot_does_not_handle_is_200_and_silent(
    bot: BotUnderTest,
) -> None:
    for kind in ("typing", "messageReaction", "event", "endOfConversation"):
        response = await bot.post(SANNE.base(bot.service_url, kind))
        assert response.status == 200
    await asyncio.sleep(0.1)
    assert bot.connector.sent == []


async def test_proactive_send_without_reference_is_a_typed_error(bot: BotUnderTest) -> None:
    notifier = bot.server.app[SERVICES].notifier
    with pytest.raises(NoConversationReference):
        await notifier.send_card(TENANT, "nobody", {"type": "AdaptiveCard"})


async def test_proactive_send_reaches_a_known_person(bot: BotUnderTest) -> None:
    await bot.post(SANNE.message(bot.service_url, "hallo"))
    notifier = bot.server.app[SERVICES].notifier
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    message_id = await notifier.send_card(TENANT, SANNE.aad_id, card)
    assert message_id
    assert bot.connector.sent[-1].card == card


async def test_proactive_send_retries_after_429_and_503(bot: BotUnderTest) -> None:
    await bot.post(SANNE.message(bot.service_url, "hallo"))
    bot.connector.fail_next(429, {"Retry-After": "0"})
    bot.connector.fail_next(503)
    notifier = bot.server.app[SERVICES].notifier
    await notifier.send_card(TENANT, SANNE.aad_id, {"type": "AdaptiveCard", "body": []})
    assert len(bot.connector.sent) == 2  # the menu, then the card after two failures


async def test_healthz_is_200_when_storage_answers(bot: BotUnderTest) -> None:
    response = await bot.session.get(str(bot.server.make_url("/healthz")))
    assert response.status == 200


async def test_healthz_is_503_when_storage_does_not_answer(aiohttp_server) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": (
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
                "TableEndpoint=http://127.0.0.1:9/devstoreaccount1;"
            )
        },
        dotenv=None,
    )
    server = await aiohttp_server(init_app(settings))
    async with ClientSession() as session:
        response = await session.get(str(server.make_url("/healthz")))
        assert response.status == 503
        assert (await response.json())["storage"] == "unreachable"
