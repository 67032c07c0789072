"""The tab's register filters (bot/tab/registers.py) over the export's own rows: the department,
the verdict, switching register (kind) and paging by 25, each narrowing what the page shows and
carried in the links to the next page."""

from __future__ import annotations

from typing import Any

from bot.domain.requests import ApprovalRequest
from bot.tab import registers as tab
from dialogs.kinds import request_kinds
from tests.support.kinds import KINDS
from tests.unit.test_registers import DEPARTMENTS, gift, request

BY_NAME = request_kinds(KINDS)


def query(kind: str = "gift", **changed: Any) -> tab.Query:
    values: dict[str, Any] = {
        "kind": BY_NAME[kind],
        "year": 2026,
        "department": None,
        "status": "",
        "verdict": "",
        "search": "",
        "sort": "newest",
        "page": 1,
    }
    values.update(changed)
    return tab.Query(**values)


def requests() -> list[ApprovalRequest]:
    """27 gifts of Sanne's (Wonen), 3 of Fatima's (Bedrijfsvoering), the first 4 of Sanne's to
    hand in, and one invitation."""
    sanne = [
        gift(f"s{n:02}", f"2026-10-{n:02}", verdict="hand_in" if n <= 4 else "keep")
        for n in range(1, 28)
    ]
    fatima = [gift(f"f{n}", f"2026-09-0{n}", requester="fatima") for n in range(1, 4)]
    invitation = request("invitation", "i1", {"summary": "Diner", "eventDate": "2026-10-10"})
    return [*sanne, *fatima, invitation]


def ids(result: tab.Result) -> set[str]:
    return {r.id for r, _ in result.rows}


def run(q: tab.Query) -> tab.Result:
    return tab.run(q, requests(), DEPARTMENTS, "nl-NL", 2026)


def test_the_department_filter_keeps_that_departments_entries_only() -> None:
    found = run(query(department="Bedrijfsvoering"))
    assert found.total == 3 and ids(found) == {"f1", "f2", "f3"}
    assert run(query(department="Wonen")).total == 27
    assert run(query()).total == 30


def test_the_verdict_filter_keeps_that_verdict_only() -> None:
    found = run(query(verdict="hand_in"))
    assert ids(found) == {"s01", "s02", "s03", "s04"}
    assert found.verdicts == ["hand_in", "keep"]
    assert run(query(verdict="keep")).total == 26


def test_switching_register_shows_that_kinds_entries_only() -> None:
    invitations = run(query("invitation"))
    assert ids(invitations) == {"i1"}
    assert "i1" not in ids(run(query(page=2)))  # not among the gifts either
    assert not ids(run(query())) & {"i1"}
    html = tab.page(
        query("invitation"), invitations, tab.kinds_with_register(KINDS), DEPARTMENTS, "nl-NL", ""
    )
    assert 'value="invitation" selected' in html


def test_27_entries_make_a_page_of_25_and_one_of_2_with_the_filters_kept() -> None:
    first = run(query(department="Wonen"))
    second = run(query(department="Wonen", page=2))
    assert (first.total, len(first.rows)) == (27, 25)
    assert (second.total, len(second.rows)) == (27, 2)
    assert not ids(first) & ids(second)
    assert ids(first) | ids(second) == {f"s{n:02}" for n in range(1, 28)}
    assert ids(second) == {"s01", "s02"}  # newest first: the oldest two come last
    assert run(query(department="Wonen", page=3)).rows == []
    html = tab.page(
        query(department="Wonen"), first, tab.kinds_with_register(KINDS), DEPARTMENTS, "nl-NL", ""
    )
    assert "department=Wonen" in html and "page=2" in html
    assert "page=0" not in html  # no previous page on the first
