"""`activity_from_json` builds exactly what msrest's `Activity().deserialize` builds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st
from msrest.exceptions import DeserializationError

from bot.teams.codec import ActivitySerializer, activity_from_json
from bot.teams.codec import model_from_json as _from_json
from tests.support.activities import PIETER, SANNE

URL = "https://smba.trafficmanager.net/emea/"


def conversation_update() -> dict[str, Any]:
    body = SANNE.base(URL, "conversationUpdate")
    body["membersAdded"] = [{"id": "28:bot", "name": "Integriteitsbot"}, {"id": "29:x"}]
    body["channelData"] = {"tenant": {"id": "t"}, "team": {"id": "19:team"}, "eventType": "x"}
    return body


def rich_message() -> dict[str, Any]:
    body = SANNE.message(URL, "Hoi <at>Pieter</at>")
    body["timestamp"] = "2026-11-29T10:00:01.5Z"
    body["localTimestamp"] = "2026-11-29T11:00:01.123+01:00"
    body["localTimezone"] = "Europe/Amsterdam"
    body["entities"] = [
        {"type": "mention", "mentioned": {"id": "29:p", "name": "Pieter"}, "text": "<at>P</at>"},
        {"type": "clientInfo", "locale": "nl-NL", "country": "NL", "platform": "Android"},
    ]
    body["attachments"] = [{"contentType": "text/html", "content": "<p>Hoi</p>"}]
    body["textFormat"] = "plain"
    body["somethingTeamsAddsLater"] = {"x": [1, 2]}  # both keep it in additional_properties
    return body


CORPUS = [
    SANNE.message(URL, "hallo"),
    SANNE.install(URL),
    PIETER.invoke(URL, "request.approve", {"requestId": "CAD-1", "comment": "Prima"}),
    conversation_update(),
    rich_message(),
]


def msrest(body: dict[str, Any]) -> Activity:
    return Activity().deserialize(body)


@pytest.mark.parametrize("body", CORPUS)
def test_the_same_activity_as_msrest(body: dict[str, Any]) -> None:
    ours, theirs = activity_from_json(body), msrest(body)
    assert ours == theirs  # msrest models compare every attribute, nested models too
    assert _from_json(Activity, body) == theirs  # built by the direct path, not msrest
    assert ActivitySerializer().body(ours, "Activity") == ActivitySerializer().body(
        theirs, "Activity"
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
KEYS = st.sampled_from(
    [
        "text",
        "timestamp",
        "localTimestamp",
        "value",
        "from",
        "conversation",
        "entities",
        "attachments",
        "membersAdded",
        "channelData",
        "locale",
        "expiration",
        "listenFor",
        "textHighlights",
        "unknownKey",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=3))
def test_any_json_gives_what_msrest_gives_or_fails_as_msrest_fails(
    changes: dict[str, Any],
) -> None:
    body = {**SANNE.message(URL, "hallo"), **changes}
    try:
        theirs: Activity | None = msrest(body)
    except DeserializationError:
        theirs = None
    try:
        ours: Activity | None = activity_from_json(body)
    except DeserializationError:
        ours = None
    assert ours == theirs


ZONES = st.sampled_from(["Z", "+00:00", "+01:00", "-05:30", "+14:00", "z", ""])


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1899, 1, 2), max_value=datetime(2101, 1, 1)),
    st.integers(min_value=0, max_value=9),
    ZONES,
)
def test_a_timestamp_is_the_instant_msrest_reads(moment: datetime, digits: int, zone: str) -> None:
    """Teams' timestamps are read by the standard library, other spellings by msrest: either
    way the same instant as msrest's, with a time zone (or msrest's error)."""
    fraction = f"{moment.microsecond:06d}{moment.microsecond % 10}"[:digits]
    value = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + zone
    body = {**SANNE.message(URL, "hallo"), "timestamp": value}
    try:
        theirs: Any = msrest(body).timestamp
    except DeserializationError:
        theirs = DeserializationError
    try:
        ours: Any = activity_from_json(body).timestamp
    except DeserializationError:
        ours = DeserializationError
    assert ours == theirs
    if ours is not DeserializationError:
        assert (ours.tzinfo is None) == (theirs.tzinfo is None)
        assert ours.utcoffset() == theirs.utcoffset()
