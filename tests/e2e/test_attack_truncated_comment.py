"""Attack/robustness: an approver's reason longer than the limit is cut off without a word and
the decision is recorded with the cut text, on the tab and on the card, where adding information
to one's own request refuses the same length with a clear message and keeps the text. Fixed:
the engine refuses a reason or advice over its limit whole (`comment_too_long`,
`advice_too_long`), and the card and the page come back with the text kept."""

from __future__ import annotations

from bot.app import SERVICES
from tests.e2e.test_tab_pages import decide, invitation, invoke
from tests.support.activities import PIETER, SANNE, TENANT
from tests.support.tab import TabBot

LONG = "Besproken met de leverancier. " * 50  # 1500 characters


async def _stored(tab: TabBot, rid: str):  # type: ignore[no-untyped-def]
    found = await tab.server.app[SERVICES].requests.get(TENANT, SANNE.aad_id, rid)
    assert found is not None
    return found.request


async def test_a_too_long_reason_on_the_tab_is_refused_and_kept(tab: TabBot) -> None:
    rid = await invitation(tab)
    answer = await decide(tab, PIETER, rid, {"choice": "accept", "comment": LONG})
    request = await _stored(tab, rid)
    assert request.pending  # nothing recorded with a cut reason
    assert answer.status == 422
    page = await answer.text()
    assert f">{LONG.strip()}</textarea>" in page and "langer dan 1000 tekens" in page
    fits = await decide(tab, PIETER, rid, {"choice": "accept", "comment": LONG[:1000]})
    assert fits.status == 200
    assert (await _stored(tab, rid)).comment == LONG[:1000].strip()


async def test_a_too_long_reason_on_the_card_is_refused_and_kept(tab: TabBot) -> None:
    rid = await invitation(tab)
    data = {"requestId": rid, "requesterId": SANNE.aad_id, "comment": LONG}
    card = await invoke(tab, PIETER, "request.accept", data)
    request = await _stored(tab, rid)
    assert request.pending  # nothing recorded with a cut reason
    shown = str(card)
    assert LONG.strip() in shown and "langer dan 1000 tekens" in shown
    assert "request.accept" in shown  # the buttons are still there to try again
