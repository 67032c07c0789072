"""Attack: a privacy officer who reports a data leak themselves decides on it (no notification
to the AP, nobody informed, closed) from the tab, with nobody else in the privacy office seeing
it first. The alert already skips the reporter (bot.services.breaches, the office's recipients),
but acting on the case does not."""

from __future__ import annotations

import pytest

from bot.app import SERVICES
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_breach_actions import act, current
from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, JOOST, SANNE, TENANT
from tests.support.flows import action
from tests.support.tab import TabBot


@pytest.mark.xfail(
    strict=True,
    reason="attack: the privacy officer decides 'not to the AP' and closes their own report "
    "(bot.services.breaches.act/change do not refuse the reporter)",
)
async def test_a_privacy_officer_cannot_decide_on_a_leak_they_reported(tab: TabBot) -> None:
    for user in (SANNE, FATIMA, JOOST):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, FATIMA, "dataleak.open", {})
    data = {**(action(form, "dataleak.submit").get("data") or {}), **MAIL}
    await invoke(tab, FATIMA, "dataleak.submit", data)
    [breach] = await tab.server.app[SERVICES].breaches.register(TENANT)
    assert breach.reporter.id == FATIMA.aad_id

    answer = await act(tab, FATIMA, breach.id, {"do": "ap_no", "reason": "Geen risico"})
    assert answer.status in (403, 409)
    closed = await act(tab, FATIMA, breach.id, {"do": "close", "reason": "Klaar"})
    assert closed.status in (403, 409)
    decided = await current(tab, breach.id)
    assert decided.ap is None  # the deputy (Joost) still has to weigh it
    assert decided.status.value != "closed"
