"""Attack: a privacy officer who reports a data leak themselves decides on it (no notification
to the AP, nobody informed, closed) from the tab, with nobody else in the privacy office seeing
it first. The alert already skips the reporter (bot.services.breaches, the office's recipients),
but acting on the case did not (found from outside). Now the reporter is refused
(`own_report`), is not alerted to weigh it, and the case page shows no forms to them."""

from __future__ import annotations

from bot.app import SERVICES
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_breach_actions import act, current
from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, JOOST, SANNE, TENANT
from tests.support.flows import action
from tests.support.tab import TabBot


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
    assert FATIMA.aad_id not in decided.alerts  # the deputy weighs it, not the reporter
    assert JOOST.aad_id in decided.alerts
    page = await (await tab.get(f"/tab/api/breaches/{breach.id}", tab.sso(FATIMA))).text()
    assert "zelf gemeld" in page
    assert 'value="ap_no"' not in page and 'value="close"' not in page
