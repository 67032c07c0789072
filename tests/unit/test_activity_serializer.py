"""ActivitySerializer must give exactly msrest's JSON for the activities the bot sends."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    CardAction,
    ChannelAccount,
    ConversationAccount,
    Mention,
    SuggestedActions,
    TextFormatTypes,
)
from botbuilder.schema.teams import NotificationInfo, TeamsChannelData, TenantInfo
from botframework.connector import models
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.serialization import Serializer

from bot.teams.codec import ActivitySerializer
from bot.teams.handler import card_activity

CARD: dict[str, Any] = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Cadeau melden", "wrap": True, "size": None},
        {"type": "Input.Number", "id": "value", "min": 0, "max": 1e6, "isRequired": False},
        {"type": "FactSet", "facts": [{"title": "€", "value": "12,50 \\u2013 ok"}]},
    ],
    "actions": [{"type": "Action.Execute", "verb": "gift.submit", "data": {"n": [1, 2.5, None]}}],
    "refresh": {"userIds": ["29:a", "29:b"]},
}


def _conversation() -> dict[str, Any]:
    return {
        "conversation": ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t"),
        "from_property": ChannelAccount(id="28:bot", name="Integriteitsbot"),
        "recipient": ChannelAccount(id="29:u", name="Sanne", aad_object_id="u"),
        "service_url": "http://127.0.0.1:1/",
        "channel_id": "msteams",
    }


def card_message() -> Activity:
    activity = MessageFactory.attachment(CardFactory.adaptive_card(CARD))
    for name, value in _conversation().items():
        setattr(activity, name, value)
    return activity


def update_with_id() -> Activity:
    activity = card_message()
    activity.id = "msg-7"
    activity.reply_to_id = "act-3"
    activity.timestamp = datetime.datetime(2026, 11, 29, 10, 0, 1, 5000, tzinfo=datetime.UTC)
    activity.local_timestamp = datetime.datetime(2026, 11, 29, 11, 0, 1)
    return activity


def rich_text() -> Activity:
    mention = Mention(
        mentioned=ChannelAccount(id="29:u", name="Sanne"), text="<at>Sanne</at>", type="mention"
    )
    return Activity(
        type=ActivityTypes.message,
        text="Hoi <at>Sanne</at>",
        text_format=TextFormatTypes.markdown,
        locale="nl-NL",
        entities=[mention],
        suggested_actions=SuggestedActions(
            to=["29:u"], actions=[CardAction(type="imBack", title="Ja", value="ja")]
        ),
        channel_data=TeamsChannelData(
            tenant=TenantInfo(id="t"), notification=NotificationInfo(alert=True)
        ),
        value={"when": datetime.datetime(2026, 1, 2, 3, 4, 5), "items": [{"a": None}]},
        **_conversation(),
    )


def plain_channel_data() -> Activity:
    activity = card_message()
    activity.channel_data = {"tenant": {"id": "t"}, "flags": [True, 0, "x"]}
    activity.importance = "high"
    return activity


@pytest.mark.parametrize("make", [card_message, update_with_id, rich_text, plain_channel_data])
def test_same_json_as_msrest(make: Any) -> None:
    msrest = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    assert ActivitySerializer().body(make(), "Activity") == msrest.body(make(), "Activity")


def test_what_it_does_not_know_goes_to_msrest() -> None:
    activity = card_message()
    activity.value = {"blob": bytearray(b"xy")}  # msrest's own (odd) rendering of bytes
    msrest = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    assert ActivitySerializer().body(activity, "Activity") == msrest.body(activity, "Activity")
    other = ActivitySerializer().body(ChannelAccount(id="x"), "ChannelAccount")
    assert other == {"id": "x"}


def ours() -> Activity:
    """`card_activity`: the same message, with a card its deep copies share."""
    activity = card_activity(CARD)
    for name, value in _conversation().items():
        setattr(activity, name, value)
    return activity


def test_a_card_activity_is_the_stock_message_on_the_wire() -> None:
    msrest = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    stock = msrest.body(card_message(), "Activity")
    assert msrest.body(ours(), "Activity") == stock
    assert ActivitySerializer().body(ours(), "Activity") == stock


def test_the_sdks_deep_copy_shares_the_card_and_nothing_else() -> None:
    original = ours()
    copied = copy.deepcopy(original)  # what TurnContext.send_activities does to each activity
    assert copied is not original and copied.attachments is not original.attachments
    assert copied.attachments[0] is original.attachments[0]  # the card is not copied
    reference = TurnContext.get_conversation_reference(original)
    reference.conversation = ConversationAccount(id="a:other")
    TurnContext.apply_conversation_reference(copied, reference)
    assert original.conversation.id == "a:1"  # filling in the copy leaves the original alone


CARD_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)
TEXT = st.none() | st.text(max_size=8)


@st.composite
def outgoing(draw: st.DrawFn) -> Activity:
    """An outgoing activity as the bot builds one: a card and the conversation, plus some of
    the schema's other attribute kinds (strings, enums as text, dates, lists of models, free
    objects)."""
    card = draw(st.dictionaries(st.text(max_size=4), CARD_JSON, max_size=4))
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    for name, value in _conversation().items():
        setattr(activity, name, value)
    activity.text = draw(TEXT)
    activity.locale = draw(TEXT)
    activity.id = draw(TEXT)
    activity.importance = draw(st.none() | st.sampled_from(["low", "normal", "high"]))
    activity.value = draw(CARD_JSON)
    activity.channel_data = draw(CARD_JSON)
    activity.timestamp = draw(
        st.none() | st.datetimes(timezones=st.just(datetime.UTC), allow_imaginary=False)
    )
    activity.entities = draw(
        st.none()
        | st.lists(
            st.builds(Mention, mentioned=st.just(ChannelAccount(id="29:u")), text=TEXT), max_size=2
        )
    )
    return activity


@settings(max_examples=200, deadline=None)
@given(outgoing())
def test_any_outgoing_activity_is_msrest_json(activity: Activity) -> None:
    msrest = Serializer({k: v for k, v in models.__dict__.items() if isinstance(v, type)})
    assert ActivitySerializer().body(activity, "Activity") == msrest.body(
        copy.deepcopy(activity), "Activity"
    )


def test_the_invoke_answer_is_msrest_json() -> None:
    from botbuilder.schema import AdaptiveCardInvokeResponse

    from bot.teams.codec import model_to_json

    answer = AdaptiveCardInvokeResponse(
        status_code=200, type="application/vnd.microsoft.card.adaptive", value=copy.deepcopy(CARD)
    )
    assert model_to_json(answer) == answer.serialize()


@given(outgoing())
def test_a_stored_reference_reads_back_as_msrest_reads_it(activity: Activity) -> None:
    from botbuilder.schema import ConversationReference

    from bot.teams.codec import reference_from_json

    reference = TurnContext.get_conversation_reference(activity)
    body = reference.serialize()
    ours, theirs = (
        reference_from_json(copy.deepcopy(body)),
        ConversationReference().deserialize(copy.deepcopy(body)),
    )
    assert type(ours) is type(theirs)
    assert ours.serialize() == theirs.serialize()
    assert ours.as_dict() == theirs.as_dict()


def test_a_card_activitys_deep_copy_equals_the_generic_one() -> None:
    original = ours()
    original.entities = [Mention(text="<at>Sanne</at>", mentioned=ChannelAccount(id="29:u"))]
    original.channel_data = {"notification": {"alert": True}}
    ours_copy = copy.deepcopy(original)
    generic = copy.deepcopy(Activity(**{k: v for k, v in vars(original).items()}))
    assert ours_copy.serialize() == generic.serialize() == original.serialize()
    assert ours_copy.entities is not original.entities
    assert ours_copy.entities[0].mentioned is not original.entities[0].mentioned
    assert ours_copy.channel_data is not original.channel_data
    assert ours_copy.conversation is not original.conversation


def test_the_invoke_answer_is_shared_by_the_sdks_deep_copy() -> None:
    from botbuilder.core import InvokeResponse
    from botbuilder.schema import ActivityTypes as Types

    from bot.teams.handler import SharedInvokeResponse

    answer = SharedInvokeResponse(
        status=200, body={"statusCode": 200, "value": copy.deepcopy(CARD)}
    )
    assert isinstance(answer, InvokeResponse)
    sent = copy.deepcopy(Activity(type=Types.invoke_response, value=answer))  # as on_turn sends it
    assert sent.value is answer and sent.value.body["value"] == CARD
