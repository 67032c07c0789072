"""Attack: a data-leak report's reference is 8 characters (31^8, about 2^40) derived from
(tenant, reporter, formId), and the formId is the card's, chosen by whoever submits. Anyone who
knows someone else's reference (it is on their receipt, read aloud, mailed) can search offline
for a formId whose reference under their own id is that one (about 10^12 SHA-256, minutes on a
GPU), submit the form with it, and `bot.services.breaches.report` answers with the existing
report, not checking that it is the submitter's own: the receipt shows the other reporter's
report (its status, the privacy office's questions and the reporter's answers). Fixed: a
reference held by another reporter's report is skipped for the next one in the sequence.

The offline search is replaced by patching the id function to give the colliding value for the
attacker's formId; everything else is real requests."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import SERVICES
from bot.domain import requests as domain_requests
from bot.services import breaches as breach_service
from tests.e2e.test_dataleak_flow import MAIL
from tests.e2e.test_tab_breach_actions import act
from tests.e2e.test_tab_pages import invoke
from tests.support.activities import FATIMA, JOOST, LOTTE, SANNE, TENANT
from tests.support.flows import action
from tests.support.tab import TabBot

FOUND = "found-offline-by-brute-force"


async def test_a_colliding_reference_does_not_open_someone_elses_report(
    tab: TabBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    for user in (SANNE, FATIMA, JOOST, LOTTE):
        assert (await tab.post(user.install(tab.service_url))).status == 200
    form = await invoke(tab, SANNE, "dataleak.open", {})
    data = {**(action(form, "dataleak.submit").get("data") or {}), **MAIL}
    await invoke(tab, SANNE, "dataleak.submit", data)
    [victim] = await tab.server.app[SERVICES].breaches.register(TENANT)
    secret = "Het ging om het BSN van huurder Jansen aan de Lindelaan 4"
    await act(tab, FATIMA, victim.id, {"do": "ask", "question": "Welke gegevens precies?"})
    await invoke(
        tab, SANNE, "dataleak.answer", {"breachId": victim.id, "question": "1", "answer": secret}
    )

    stored = await tab.server.app[SERVICES].breaches.get(TENANT, victim.id)
    assert stored is not None and [q.answer for q in stored.breach.questions] == [secret]

    real = domain_requests.request_id

    def colliding(prefix: str, *parts: str) -> str:
        return victim.id if parts[-1:] == (FOUND,) else real(prefix, *parts)

    monkeypatch.setattr(breach_service, "request_id", colliding)
    form = await invoke(tab, LOTTE, "dataleak.open", {})
    data: dict[str, Any] = {**(action(form, "dataleak.submit").get("data") or {}), **MAIL}
    data["formId"] = FOUND
    receipt = await invoke(tab, LOTTE, "dataleak.submit", data)
    shown = str(receipt)
    assert secret not in shown
    assert "Welke gegevens precies?" not in shown
    reports = await tab.server.app[SERVICES].breaches.register(TENANT)
    [own] = [b for b in reports if b.id != victim.id]
    assert own.reporter.id == LOTTE.aad_id  # Lotte's report is stored, under a fresh reference
    assert own.id in shown
    again = await invoke(tab, LOTTE, "dataleak.submit", data)  # her retry finds her own report
    assert own.id in str(again)
    assert len(await tab.server.app[SERVICES].breaches.register(TENANT)) == 2
