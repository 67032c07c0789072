"""The message extension 'Melden bij Integriteit', invoked over HTTP as Teams sends it: the
`composeExtension/fetchTask` invoke carries the chat message (`messagePayload`), the answer is a
task module with the right form prefilled; `composeExtension/submitAction` carries the form's
inputs and goes through the same engine as the bot's card; nothing is posted in the chat."""

from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import WINE, inputs, objects, texts

GROUP_CHAT = "19:chat-with-bouwbedrijf-vos@thread.v2"
GIFT_MESSAGE = (
    "<p>Hoi Sanne,</p><p>Als dank voor de fijne samenwerking hebben we je een "
    "<strong>kerstpakket</strong> gestuurd.</p>"
)
INVITATION_MESSAGE = (
    "<p>Wil je mee naar de wedstrijd van Ajax op zaterdag? Je bent uitgenodigd!</p>"
)


def payload(html: str, sender: str = "Jan de Vos") -> dict[str, Any]:
    """What Teams puts in `messagePayload` for a message in a chat."""
    return {
        "id": "1700000000000",
        "createdDateTime": "2026-11-28T09:12:00.000Z",
        "messageType": "message",
        "importance": "normal",
        "locale": "nl-nl",
        "from": {
            "user": {
                "id": "8a7e5c44-0000-4000-8000-00000000abcd",
                "displayName": sender,
                "userIdentityType": "aadUser",
            }
        },
        "body": {"contentType": "html", "content": html},
        "attachments": [],
        "mentions": [],
        "reactions": [],
    }


def extension_invoke(
    bot: BotUnderTest, user: TeamsUser, name: str, value: dict[str, Any]
) -> dict[str, Any]:
    """An action command invoked from a message's '...' menu in a group chat."""
    activity = user.base(bot.service_url, "invoke")
    activity["name"] = name
    activity["conversation"] = {
        "id": GROUP_CHAT,
        "conversationType": "groupChat",
        "tenantId": TENANT,
    }
    activity["value"] = {
        "commandId": "declareFromMessage",
        "commandContext": "message",
        "requestId": "d6b0d0b1a2",
        "context": {"theme": "default"},
        **value,
    }
    return activity


async def fetch(bot: BotUnderTest, user: TeamsUser, html: str) -> dict[str, Any]:
    response = await bot.post(
        extension_invoke(bot, user, "composeExtension/fetchTask", {"messagePayload": payload(html)})
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


def task_card(body: dict[str, Any]) -> dict[str, Any]:
    assert body["task"]["type"] == "continue", body
    card = body["task"]["value"]["card"]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = card["content"]
    return content


def submit_of(card: dict[str, Any]) -> dict[str, Any]:
    [submit] = [o for o in objects(card) if o.get("type") == "Action.Submit"]
    data: dict[str, Any] = submit["data"]
    return data


async def submit(
    bot: BotUnderTest, user: TeamsUser, card: dict[str, Any], typed: dict[str, str]
) -> dict[str, Any]:
    # Teams sends every input's value (as shown, changed by what was typed) with the data.
    shown = {k: v if v is not None else "" for k, v in inputs(card).items()}
    data = {**submit_of(card), **shown, **typed}
    value = {"messagePayload": payload(GIFT_MESSAGE), "data": data}
    response = await bot.post(extension_invoke(bot, user, "composeExtension/submitAction", value))
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def test_fetch_task_opens_the_gift_form_with_the_message_and_its_sender(
    bot: BotUnderTest,
) -> None:
    card = task_card(await fetch(bot, SANNE, GIFT_MESSAGE))
    values = inputs(card)
    assert values["giverName"] == "Jan de Vos"
    assert values["description"].startswith("Hoi Sanne, Als dank voor de fijne samenwerking")
    assert "kerstpakket" in values["description"] and "<" not in values["description"]
    assert values["receivedOn"]  # today, as on the bot's own form
    # A task module takes Action.Submit; the verb travels in the data.
    assert submit_of(card)["verb"] == "gift.submit"
    assert not [o for o in objects(card) if o.get("type") == "Action.Execute"]
    assert bot.connector.sent == []


async def test_an_invitation_opens_the_invitation_form(bot: BotUnderTest) -> None:
    card = task_card(await fetch(bot, SANNE, INVITATION_MESSAGE))
    values = inputs(card)
    assert values["inviter"] == "Jan de Vos"
    assert "wedstrijd van Ajax" in values["description"]
    assert submit_of(card)["verb"] == "invitation.submit"


async def test_submit_goes_through_the_engine_and_posts_nothing_in_the_chat(
    bot: BotUnderTest,
) -> None:
    await bot.post(PIETER.install(bot.service_url))
    bot.connector.sent.clear()
    card = task_card(await fetch(bot, SANNE, GIFT_MESSAGE))
    typed = {k: v for k, v in WINE.items() if k not in ("giverName", "description")}
    body = await submit(bot, SANNE, card, {**typed, "description": "Kerstpakket"})
    receipt = task_card(body)
    shown = texts(receipt)
    assert "Pieter Bakker" in shown and "CAD-" in shown
    assert not [o for o in objects(receipt) if str(o.get("type", "")).startswith("Action.")]

    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
    stored = await repository.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None
    assert stored.request.status is Status.PENDING
    assert stored.request.facts.summary.startswith("Kerstpakket")
    # The approver's card went to the approver's own chat; nothing to the group chat or Sanne.
    assert [s.conversation_id for s in bot.connector.sent] == [PIETER.conversation_id]
    assert bot.connector.to(GROUP_CHAT) == []
    # Nor is the group chat remembered for later messages.
    assert await bot.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id) is None


async def test_a_form_with_errors_stays_in_the_dialog_with_what_was_typed(
    bot: BotUnderTest,
) -> None:
    card = task_card(await fetch(bot, SANNE, GIFT_MESSAGE))
    body = await submit(bot, SANNE, card, {"value": "veel", "relation": ""})
    again = task_card(body)
    values = inputs(again)
    assert values["giverName"] == "Jan de Vos"
    assert values["value"] == "veel"
    assert "Er ontbreekt iets of klopt iets niet" in texts(again)
    assert submit_of(again)["verb"] == "gift.submit"
    assert await bot.server.app[SERVICES].requests.for_requester(TENANT, SANNE.aad_id) == []
    assert bot.connector.sent == []


async def test_only_a_form_verb_is_accepted_back(bot: BotUnderTest) -> None:
    value = {"data": {"verb": "request.approve", "requestId": "CAD-1", "requesterId": "x"}}
    response = await bot.post(extension_invoke(bot, PIETER, "composeExtension/submitAction", value))
    body = await response.json()
    assert body["task"]["type"] == "message"
    assert "Er is niets verstuurd" in body["task"]["value"]
    other = extension_invoke(bot, SANNE, "composeExtension/fetchTask", {})
    other["value"]["commandId"] = "somethingElse"
    answer = await (await bot.post(other)).json()
    assert "Deze opdracht ken ik niet" in answer["task"]["value"]
