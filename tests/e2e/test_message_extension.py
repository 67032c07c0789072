"""The message extension 'Melden bij Integriteit', invoked over HTTP as Teams sends it: the
`composeExtension/fetchTask` invoke carries the chat message (`messagePayload`), the answer is a
task module with the right form prefilled; `composeExtension/submitAction` carries the form's
inputs and goes through the same engine as the bot's card; nothing is posted in the chat."""

from __future__ import annotations

from typing import Any

from bot.app import SERVICES
from bot.domain.requests import Status
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import FATIMA, PIETER, SANNE, TENANT, TeamsUser
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
    """The form's own submit (not the chooser's "open another form")."""
    [submit] = [
        o
        for o in objects(card)
        if o.get("type") == "Action.Submit" and o["data"].get("verb") != "extension.kind"
    ]
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


def chooser_of(card: dict[str, Any]) -> dict[str, Any]:
    [choose] = [
        o
        for o in objects(card)
        if o.get("type") == "Action.Submit" and o["data"].get("verb") == "extension.kind"
    ]
    data: dict[str, Any] = choose["data"]
    return data


async def choose(bot: BotUnderTest, card: dict[str, Any], kind: str) -> dict[str, Any]:
    """The person picks another kind above the form and presses "Ander formulier openen"."""
    shown = {k: v if v is not None else "" for k, v in inputs(card).items()}
    data = {**chooser_of(card), **shown, "extensionKind": kind}
    value = {"messagePayload": payload(GIFT_MESSAGE), "data": data}
    response = await bot.post(extension_invoke(bot, SANNE, "composeExtension/submitAction", value))
    assert response.status == 200, await response.text()
    return task_card(await response.json())


async def test_every_declarable_kind_is_offered_above_the_form(bot: BotUnderTest) -> None:
    card = task_card(await fetch(bot, SANNE, GIFT_MESSAGE))
    [chooser] = [o for o in objects(card) if o.get("id") == "extensionKind"]
    assert chooser["label"] == "Wat wil je melden?"
    assert chooser["value"] == "gift"
    assert [c["value"] for c in chooser["choices"]] == [
        "gift",
        "invitation",
        "sidejob",
        "supplier",
        "tenant",
        "housing",
        "press",
        "social",
        "dataleak",
    ]
    assert "Datalek" in [c["title"] for c in chooser["choices"]]
    assert bot.connector.sent == []


async def test_another_kind_opens_prefilled_with_the_message_and_its_sender(
    bot: BotUnderTest,
) -> None:
    card = task_card(await fetch(bot, SANNE, GIFT_MESSAGE))
    expected = {
        "supplier": ("supplier", "what"),
        "tenant": ("tenant", "case"),
        "press": ("journalist", "question"),
        "housing": ("person", "remarks"),
    }
    for kind, (sender_field, text_field) in expected.items():
        form = await choose(bot, card, kind)
        values = inputs(form)
        assert values[sender_field] == "Jan de Vos", kind
        assert "kerstpakket" in values[text_field], kind
        assert submit_of(form)["verb"] == f"{kind}.submit"
    social = inputs(await choose(bot, card, "social"))
    assert "kerstpakket" in social["post"]
    sidejob = await choose(bot, card, "sidejob")
    assert submit_of(sidejob)["verb"] == "sidejob.submit"
    assert not inputs(sidejob).get("organisation")  # a sender is no organisation
    # Anything else asked for opens the gift form.
    unknown = await choose(bot, card, "request.approve")
    assert submit_of(unknown)["verb"] == "gift.submit"
    assert bot.connector.sent == []


async def test_a_tenant_tie_from_a_message_goes_through_the_engine(bot: BotUnderTest) -> None:
    await bot.post(PIETER.install(bot.service_url))
    bot.connector.sent.clear()
    form = await choose(bot, task_card(await fetch(bot, SANNE, GIFT_MESSAGE)), "tenant")
    body = await submit(bot, SANNE, form, {"tie": "acquaintance", "sure": "yes"})
    receipt = task_card(body)
    assert "Pieter Bakker" in texts(receipt)
    repository = bot.server.app[SERVICES].requests
    [summary] = await repository.for_requester(TENANT, SANNE.aad_id)
    assert summary.kind == "tenant"
    stored = await repository.get(TENANT, SANNE.aad_id, summary.id)
    assert stored is not None and stored.request.status is Status.PENDING
    assert [s.conversation_id for s in bot.connector.sent] == [PIETER.conversation_id]
    assert bot.connector.to(GROUP_CHAT) == []


async def test_a_data_leak_from_a_message_alerts_the_privacy_office_only(
    bot: BotUnderTest,
) -> None:
    await bot.post(FATIMA.install(bot.service_url))
    bot.connector.sent.clear()
    leak = "<p>Sorry, ik heb per ongeluk de huurachterstandenlijst naar jou gemaild.</p>"
    card = task_card(await fetch(bot, SANNE, leak))
    form = await choose(bot, card, "dataleak")
    values = inputs(form)
    assert "huurachterstandenlijst" in values["description"]
    assert values["occurredDate"] and values["discoveredTime"]  # now, as on the bot's form
    assert submit_of(form)["verb"] == "dataleak.submit"
    body = await submit(bot, SANNE, form, {"ongoing": "no"})
    receipt = task_card(body)
    assert "LEK-" in texts(receipt)
    [breach] = await bot.server.app[SERVICES].breaches.register(TENANT)
    assert breach.reporter.id == SANNE.aad_id
    assert "huurachterstandenlijst" in breach.facts.description
    assert [s.conversation_id for s in bot.connector.sent] == [FATIMA.conversation_id]
    assert bot.connector.to(GROUP_CHAT) == []
