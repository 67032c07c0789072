"""A conversation reference served from this process's cache may be out of date on a
multi-instance deployment (another instance stored a newer one). When Teams refuses it (403 or
404), the notifier drops it, reads storage and tries once more, so a request is never rerouted
because of a stale copy; when storage holds the same reference, Teams' answer stands."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.app import SERVICES
from bot.services.notify import DeliveryFailed, RecipientUnreachable
from bot.settings import Settings
from bot.storage.repositories import TABLES, ConversationReferences, StoredReference
from bot.storage.tables import AzureTableStore
from bot.teams.adapter import build_adapter
from bot.teams.fast_connector import close_connectors
from bot.teams.proactive import TeamsNotifier, teams_limiter
from tests.e2e.conftest import BotUnderTest
from tests.reliability.helpers import declare, install, stored_request
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.faults import FaultyConnector
from tests.support.flows import WINE, texts

CARD = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hoi"}]}


def moved(stored: StoredReference, conversation_id: str) -> StoredReference:
    """The same person's reference, now leading to another conversation."""
    reference = json.loads(stored.reference)
    reference["conversation"]["id"] = conversation_id
    return StoredReference(stored.tenant_id, stored.user_id, json.dumps(reference), stored.locale)


def reference_for(service_url: str, conversation_id: str) -> StoredReference:
    data = {
        "user": {"id": f"29:{PIETER.aad_id}", "aadObjectId": PIETER.aad_id},
        "bot": {"id": "28:integriteitsbot", "name": "Integriteitsbot"},
        "conversation": {"id": conversation_id, "conversationType": "personal"},
        "channelId": "msteams",
        "serviceUrl": service_url + "/",
    }
    return StoredReference(TENANT, PIETER.aad_id, json.dumps(data), "nl-NL")


@pytest.mark.parametrize("status", [403, 404])
async def test_a_manager_whose_cached_reference_went_stale_still_gets_the_card(
    teams_bot: BotUnderTest, status: int
) -> None:
    await install(teams_bot, SANNE, PIETER, LOTTE)  # the bot now holds Pieter's reference
    services = teams_bot.server.app[SERVICES]
    cached = await services.conversations.get(TENANT, PIETER.aad_id)
    assert cached is not None and cached.cached
    # Another instance stores Pieter's newer reference; this one still has the old one.
    await ConversationReferences(services.store).save(moved(cached, "a:personal-pieter-new"))
    teams_bot.connector.fail_for(PIETER.conversation_id, status, times=5)  # type: ignore[attr-defined]

    _form, receipt = await declare(teams_bot, WINE)

    assert "Je melding staat bij Pieter Bakker" in texts(receipt)
    assert len(teams_bot.connector.to("a:personal-pieter-new")) == 1
    assert teams_bot.connector.to(LOTTE.conversation_id) == []  # not rerouted
    # one refused attempt on the old conversation, no retries on it
    assert len(teams_bot.connector.faults_for[PIETER.conversation_id]) == 4  # type: ignore[attr-defined]
    request = await stored_request(teams_bot)
    assert request.approver.id == PIETER.aad_id
    assert [e.action for e in request.audit] == ["submitted"]
    fresh = await services.conversations.get(TENANT, PIETER.aad_id)
    assert fresh is not None and json.loads(fresh.reference)["conversation"]["id"] == (
        "a:personal-pieter-new"
    )


@pytest.fixture
async def notifier_parts(
    settings: Settings, store: AzureTableStore, faulty_connector: tuple[FaultyConnector, str]
) -> AsyncIterator[tuple[TeamsNotifier, ConversationReferences, FaultyConnector, str]]:
    await store.ensure_tables(TABLES)
    adapter = build_adapter(settings)
    references = ConversationReferences(store)
    mock, url = faulty_connector
    notifier = TeamsNotifier(adapter, "", references, teams_limiter(45.0))
    yield notifier, references, mock, url
    await close_connectors(adapter)


async def test_a_card_update_on_a_stale_cached_reference_goes_to_the_stored_one(
    notifier_parts: tuple[TeamsNotifier, ConversationReferences, FaultyConnector, str],
    store: AzureTableStore,
) -> None:
    notifier, references, connector, url = notifier_parts
    await references.save(reference_for(url, "a:old"))
    await ConversationReferences(store).save(reference_for(url, "a:new"))  # another instance
    connector.fail_for("a:old", 404)

    await notifier.update_card(TENANT, PIETER.aad_id, "msg-7", CARD)

    [update] = connector.sent
    assert (update.method, update.conversation_id, update.activity_id) == ("PUT", "a:new", "msg-7")
    # and from now on this process sends there straight away
    await notifier.send_card(TENANT, PIETER.aad_id, CARD)
    assert [s.conversation_id for s in connector.sent] == ["a:new", "a:new"]
    assert connector.arrivals == 3


@pytest.mark.parametrize("status", [403, 404])
async def test_teams_refusing_the_current_reference_is_final(
    notifier_parts: tuple[TeamsNotifier, ConversationReferences, FaultyConnector, str],
    status: int,
) -> None:
    """Storage holds the very reference Teams refused: no second attempt."""
    notifier, references, connector, url = notifier_parts
    await references.save(reference_for(url, "a:only"))
    connector.fail_for("a:only", status, times=2)
    cached = await references.get(TENANT, PIETER.aad_id)
    assert cached is not None and cached.cached

    expected = RecipientUnreachable if status == 403 else DeliveryFailed
    with pytest.raises(expected):
        await notifier.send_card(TENANT, PIETER.aad_id, CARD, cached)
    assert connector.arrivals == 1
    assert connector.sent == []


async def test_a_reference_fresh_from_storage_is_not_read_again(
    notifier_parts: tuple[TeamsNotifier, ConversationReferences, FaultyConnector, str],
    store: AzureTableStore,
) -> None:
    """Only a cached copy can be out of date; a refusal of a fresh read is Teams' answer."""
    notifier, _references, connector, url = notifier_parts
    await ConversationReferences(store).save(reference_for(url, "a:old"))
    other = ConversationReferences(store)
    fresh = await other.get(TENANT, PIETER.aad_id)
    assert fresh is not None and not fresh.cached
    await other.save(reference_for(url, "a:new"))  # changed after that read
    connector.fail_for("a:old", 403)

    with pytest.raises(RecipientUnreachable):
        await notifier.send_card(TENANT, PIETER.aad_id, CARD, fresh)
    assert connector.sent == []
