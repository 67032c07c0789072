"""Hostile card data at every verb: wrong types, missing and extra fields, 1 MB strings, control
characters, Markdown and HTML, and the ids of other people's records.

The bot must answer every one with a card (never an exception, over HTTP never a 500), write
nothing it should not, and never let someone's text show as a link or formatting in another
person's card."""

from __future__ import annotations

import io
import json
import re
import time
from typing import Any

import pytest
from aiohttp import ClientResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dialogs
from bot.app import SERVICES
from bot.domain.people import Actor
from bot.domain.requests import Status
from bot.storage.requests import COLLECTION, INBOX, REQUESTS
from dialogs.base import CardAction
from tests.e2e.conftest import BotUnderTest
from tests.reliability.helpers import declare, install
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.counting_store import CountingStore, Written
from tests.support.flows import WINE, texts
from tests.support.kinds import KINDS

MARIEKE = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000003", "Marieke Jansen")
REGISTRY = dialogs.build_registry(KINDS)
VERBS = sorted(REGISTRY)
FIELDS = sorted(
    {
        "giverName",
        "giverOrganisation",
        "relation",
        "negotiating",
        "description",
        "kind",
        "everyday",
        "value",
        "receivedOn",
        "atHome",
        "remarks",
        "formId",
        "requestId",
        "requesterId",
        "comment",
        "question",
    }
)
HUGE = "x" * 1_000_000
NASTY = [
    "[klik hier](https://evil.example/steal)",
    "**vet** _schuin_ ~~weg~~",
    "<a href='https://evil.example'>link</a><script>alert(1)</script>",
    "# kop\n- lijst\n1. een",
    "\x00\x01\x07\x1b[31m\u202e\ufeff",
    "`code` | tabel | \\",
    "' OR 1=1; --",
    "${t.errors.title}",
    "PartitionKey eq ''",
    HUGE,
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.sampled_from(NASTY),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def other_peoples_ids(rid: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([rid, PIETER.aad_id, MARIEKE.aad_id, SANNE.aad_id, f"{rid}|a|0000"])


def card_data(rid: str) -> st.SearchStrategy[dict[str, Any]]:
    keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=30))
    values = st.one_of(VALUES, other_peoples_ids(rid))
    return st.dictionaries(keys, values, max_size=14)


@pytest.fixture
async def others_request(
    counted_bot: tuple[BotUnderTest, CountingStore],
) -> tuple[BotUnderTest, CountingStore, str]:
    """Pieter's pending gift (to hand in; Marieke decides): a record Sanne must not touch."""
    bot, store = counted_bot
    await install(bot, SANNE, PIETER, MARIEKE)
    await declare(bot, {**WINE, "value": "75", "everyday": "false"}, user=PIETER)
    services = bot.server.app[SERVICES]
    [request] = await services.requests.for_requester(TENANT, PIETER.aad_id)
    store.writes.clear()
    return bot, store, request.id


def actor(locale: str) -> Actor:
    return Actor(TENANT, SANNE.aad_id, SANNE.name, locale, f"29:{SANNE.aad_id}")


# Verbs with which Sanne records something of her own (a declaration, a report, confirming
# the code); every other verb, fed hostile data, must write nothing at all.
OWN_RECORDS = {"ack.confirm", "dataleak.submit"}


def may_write(verb: str) -> bool:
    return verb.endswith(".submit") or verb in OWN_RECORDS


def allowed(write: Written, approvers: set[str], verb: str = "gift.submit") -> bool:
    """Sanne may only write her own records, and the inbox rows and register entries they
    create (her approver's or adviser's inbox; the collection entry of her gift)."""
    own = f"{TENANT}|{SANNE.aad_id}"
    if write.table.endswith("acknowledgements"):
        return verb == "ack.confirm" and write.row == SANNE.aad_id
    if write.table.endswith("breaches"):
        return verb == "dataleak.submit" and write.partition == TENANT
    if write.table.endswith(REQUESTS):
        return write.partition == own
    if write.table.endswith(INBOX):
        return write.partition in {f"{TENANT}|{a}" for a in approvers}
    if write.table.endswith(COLLECTION):
        return write.partition == TENANT and write.row.startswith("CAD-")
    return False


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_every_verb_answers_hostile_data_with_a_card_and_writes_nothing_it_should_not(
    others_request: tuple[BotUnderTest, CountingStore, str], data: st.DataObject
) -> None:
    bot, store, rid = others_request
    services = bot.server.app[SERVICES]
    verb = data.draw(st.sampled_from(VERBS), label="verb")
    payload = data.draw(card_data(rid), label="data")
    locale = data.draw(st.sampled_from(["nl-NL", "en-US", "", "xx"]), label="locale")
    message_id = data.draw(st.one_of(st.none(), st.text(max_size=20)), label="message_id")
    store.writes.clear()
    sent_before = len(bot.connector.sent)

    card = await dialogs.dispatch(
        REGISTRY, CardAction(actor(locale), verb, payload, message_id), services
    )

    assert isinstance(card, dict) and card.get("type") == "AdaptiveCard"
    assert len(str(card)) < 200_000, "a card never carries a 1 MB echo"
    people = {PIETER.aad_id, LOTTE.aad_id, "0f6c2a10-1111-4a1e-9c01-000000000005"}  # + HR
    wrong = [w for w in store.writes if not allowed(w, people, verb)]
    assert wrong == [], f"{verb} wrote {wrong}"
    if not may_write(verb):
        assert store.writes == [], f"{verb} wrote {store.writes}"
        assert len(bot.connector.sent) == sent_before
    stored = await services.requests.get(TENANT, PIETER.aad_id, rid)
    assert stored is not None and stored.request.status is Status.PENDING
    assert [e.action for e in stored.request.audit] == ["submitted"]
    [entry] = (
        await services.collection.entries(TENANT)
        if verb != "gift.submit"
        else [e for e in await services.collection.entries(TENANT) if e.request_id == rid]
    )
    assert entry.status == "expected"


SPECIAL = re.compile(r"[\\`*_\[\]~<>#|]")


def unescaped_markup(shown: str) -> list[str]:
    """Markdown characters in `shown` that are not backslash-escaped."""
    found = []
    i = 0
    while i < len(shown):
        if shown[i] == "\\":
            i += 2
            continue
        if SPECIAL.match(shown[i]):
            found.append(shown[i])
        i += 1
    for line in shown.split("\n"):
        # CommonMark starts a list item only with a space or tab after the marker (a no-break
        # space, as escape_markdown puts there, does not)
        if re.match(r"^[ \t]*([-+]|\d+\.)[ \t]", line):
            found.append(line[:5])
    return found


def displayed(card: Any) -> list[str]:
    """Every string a reader sees as Markdown (inputs show their value literally)."""
    out: list[str] = []

    def walk(node: Any, in_input: bool) -> None:
        if isinstance(node, dict):
            is_input = str(node.get("type", "")).startswith("Input.")
            for key, value in node.items():
                if key in ("text", "title", "value") and isinstance(value, str):
                    if not (is_input or in_input) or (key == "title" and not is_input):
                        out.append(value)
                elif key not in ("data", "choices", "userIds"):
                    walk(value, in_input or is_input)
        elif isinstance(node, list):
            for item in node:
                walk(item, in_input)

    walk(card, False)
    return out


MARKUP = st.lists(
    st.sampled_from([*"ab [](){}*_~`#|<>!-+.1\\:/\n\t", "https://", "www.", "1. ", "- "]),
    min_size=1,
    max_size=30,
).map("".join)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    giver=MARKUP,
    organisation=MARKUP,
    description=MARKUP,
    remarks=MARKUP,
    comment=MARKUP,
)
async def test_nobodys_text_shows_as_a_link_or_formatting_in_anothers_card(
    teams_bot: BotUnderTest,
    giver: str,
    organisation: str,
    description: str,
    remarks: str,
    comment: str,
) -> None:
    services = teams_bot.server.app[SERVICES]
    if not teams_bot.connector.sent:
        await install(teams_bot, SANNE, PIETER)
        await teams_bot.post(SANNE.message(teams_bot.service_url, "hallo"))
    marker = "QZX"
    fields = {
        **WINE,
        "giverName": f"{marker}{giver}",
        "giverOrganisation": f"{marker}{organisation}",
        "description": f"{marker}{description}",
        "remarks": f"{marker}{remarks}",
    }
    before = len(teams_bot.connector.sent)
    await dialogs.dispatch(
        REGISTRY,
        CardAction(actor("nl-NL"), "gift.submit", {**fields, "formId": _fresh()}, None),
        services,
    )
    # Twice from the same giver: the manager's card then lists the earlier gift too.
    await dialogs.dispatch(
        REGISTRY,
        CardAction(actor("nl-NL"), "gift.submit", {**fields, "formId": _fresh()}, None),
        services,
    )
    to_manager = [
        s.card
        for s in teams_bot.connector.sent[before:]
        if s.conversation_id == PIETER.conversation_id
    ]
    assert len(to_manager) == 2
    card = to_manager[-1]
    assert card is not None
    # The manager decides with a hostile comment; Sanne's notice shows it.
    pointer = {
        "requestId": card["refresh"]["action"]["data"]["requestId"],
        "requesterId": SANNE.aad_id,
    }
    manager = Actor(TENANT, PIETER.aad_id, PIETER.name, "nl-NL", f"29:{PIETER.aad_id}")
    decided = await dialogs.dispatch(
        REGISTRY,
        CardAction(
            manager, "request.give_back", {**pointer, "comment": f"{marker}{comment}"}, None
        ),
        services,
    )
    notices = [
        s.card
        for s in teams_bot.connector.sent[before:]
        if s.conversation_id == SANNE.conversation_id
    ]
    for shown_card in [card, decided, *notices]:
        assert shown_card is not None
        mine = [s for s in displayed(shown_card) if marker in s]
        assert mine, "the user's text is on the card"
        for shown in mine:
            assert unescaped_markup(shown) == [], shown


_counter = iter(range(10**9))


def _fresh() -> str:
    return f"fuzz{next(_counter)}"


async def post_json(bot: BotUnderTest, activity: Any) -> ClientResponse:
    """Post JSON of any size (a large body as a stream, as aiohttp wants it)."""
    body = io.BytesIO(json.dumps(activity).encode())
    headers = {"Content-Type": "application/json"}
    return await bot.session.post(bot.url, data=body, headers=headers)


HOSTILE_BODIES: list[Any] = [
    "not json",
    b"\xff\xfe\x00",
    "[]",
    "null",
    '{"type": 5}',
    '{"type": ""}',
    '{"type": "invoke"}',
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
async def test_garbage_bodies_are_400_not_500(teams_bot: BotUnderTest, body: Any) -> None:
    response = await teams_bot.post(body)
    assert response.status == 400


async def test_a_body_over_the_limit_is_refused_not_500(teams_bot: BotUnderTest) -> None:
    activity = SANNE.invoke(teams_bot.service_url, "gift.submit", {"remarks": "x" * 5_000_000})
    response = await post_json(teams_bot, activity)
    assert response.status == 413


INVOKE_VALUES = st.one_of(
    VALUES,
    st.fixed_dictionaries(
        {
            "action": st.one_of(
                VALUES,
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["Action.Execute", "Action.Submit", ""]),
                        "verb": st.one_of(st.sampled_from(VERBS), VALUES),
                        "data": st.one_of(
                            VALUES, st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)
                        ),
                    }
                ),
            )
        }
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    value=INVOKE_VALUES, name=st.sampled_from(["adaptiveCard/action", "adaptiveCard/action", "x"])
)
async def test_hostile_invokes_over_http_get_a_card_or_a_clear_status_never_a_500(
    teams_bot: BotUnderTest, value: Any, name: str
) -> None:
    activity = SANNE.invoke(teams_bot.service_url, "menu.open")
    activity["value"] = value
    activity["name"] = name
    response = await post_json(teams_bot, activity)
    assert response.status in (200, 501), await response.text()
    if response.status == 200:
        body = await response.json()
        assert body["type"] == "application/vnd.microsoft.card.adaptive"
        shown = texts(body["value"])
        assert "Er ging iets mis aan mijn kant" not in shown, "an unexpected error behind a card"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=3000), st.sampled_from(NASTY)))
async def test_hostile_free_text_gets_an_answer(teams_bot: BotUnderTest, text: str) -> None:
    services = teams_bot.server.app[SERVICES]
    reply = await dialogs.answer_text(actor("nl-NL"), text, services, REGISTRY)
    assert reply.cards and all(c.get("type") == "AdaptiveCard" for c in reply.cards)


@pytest.mark.parametrize("text", ["a" * 28_000, "ab" * 14_000, "cadeauleverancier" * 1500])
async def test_a_message_of_one_huge_word_is_answered_at_once(
    teams_bot: BotUnderTest, text: str
) -> None:
    """Found by fuzzing: compound splitting was quadratic, so one 28 KB word (Teams' message
    limit) would have held the event loop, and every other conversation, for many minutes."""
    started = time.monotonic()
    response = await teams_bot.post(SANNE.message(teams_bot.service_url, text))
    assert response.status == 200
    assert time.monotonic() - started < 5.0  # quadratic took minutes; a busy CI runner seconds
    await teams_bot.connector.wait_for(1)
