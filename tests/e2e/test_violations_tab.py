"""The confidential register of violations does not show in the personal tab either: not in
mijn meldingen (employee or manager), openstaand, any register or the overview."""

from __future__ import annotations

from tests.e2e.test_tab_pages import invoke
from tests.support.activities import LOTTE, MARIEKE, PIETER, SANNE
from tests.support.flows import action
from tests.support.tab import TabBot

WHAT = "Hield het kerstpakket van Bouwbedrijf Vos zelf"
KINDS = ("gift", "invitation", "sidejob", "supplier", "tenant", "borrow")


async def test_a_recorded_violation_is_on_no_page_of_the_tab(tab: TabBot) -> None:
    form = await invoke(tab, PIETER, "violation.open", {})
    data = {
        **(action(form, "violation.submit").get("data") or {}),
        "employee": SANNE.aad_id,
        "rule": "§2 Relatiegeschenken",
        "what": WHAT,
    }
    receipt = await invoke(tab, PIETER, "violation.submit", data)
    [reference] = [
        w.rstrip(".") for b in receipt["body"] for w in str(b.get("text", "")).split()
        if w.startswith("OVT-")
    ]  # fmt: skip
    pages = [
        (SANNE, "/tab/api/mine"),
        (PIETER, "/tab/api/mine"),
        (MARIEKE, "/tab/api/pending"),
        (MARIEKE, "/tab/api/overview"),
        *((LOTTE, f"/tab/api/registers?kind={kind}") for kind in KINDS),
    ]
    for user, path in pages:
        response = await tab.get(path, tab.sso(user))
        assert response.status == 200, path
        body = await response.text()
        assert WHAT not in body and reference not in body, path
