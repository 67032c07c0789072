"""Attack/bad input: a reference with a character Table storage does not allow in a key ('/',
'#', '?', '\\') goes to storage unchecked; the storage's 400 is taken for an outage, so the
person is told "storage is unavailable, try again in a few minutes" (and the tab answers 503)
where the truth is "no such request", and every such click is logged as a storage failure.
Fixed: a key storage cannot hold names no row (bot.storage.store.storable_key), so its point
read is NotFound on Azure and on the twin alike."""

from __future__ import annotations

import pytest

from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, PIETER, SANNE
from tests.support.tab import TabBot

UNAVAILABLE = "opslag even niet bereikbaar"


async def test_a_malformed_reference_on_the_tab_is_not_found(tab: TabBot) -> None:
    mine = await tab.get("/tab/api/mine/a%2Fb", tab.sso(SANNE))
    pending = await tab.get(f"/tab/api/pending/{SANNE.aad_id}/a%2Fb", tab.sso(PIETER))
    assert (mine.status, pending.status) == (404, 404)


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        ("mine.show", {"requestId": "a/b"}),
        ("pending.show", {"requestId": "a/b", "requesterId": SANNE.aad_id}),
        ("dataleak.view", {"breachId": "a/b"}),
    ],
)
async def test_a_malformed_reference_on_a_card_is_not_an_outage(
    tab: TabBot, verb: str, data: dict[str, str]
) -> None:
    for user in (SANNE, FATIMA, PIETER):
        await tab.post(user.install(tab.service_url))
    card = await invoke(tab, FATIMA if verb == "dataleak.view" else SANNE, verb, data)
    assert UNAVAILABLE not in str(card)
