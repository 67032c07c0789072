"""The breach register page's paging and the export's filters, on made-up reports (the browser
test, tests/e2e/test_tab_browser_breach_register.py, drives the filters in a real page)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.breaches import Answer3, Breach, LeakFacts, Person
from bot.tab.breaches import PAGE_SIZE, BreachQuery, register_page
from dialogs.breach_register import Narrowing, narrowed

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def report(number: int) -> Breach:
    at = NOW - timedelta(hours=number)
    return Breach(
        id=f"DL-{number:04d}",
        tenant_id="t",
        reporter=Person("p", "Sanne"),
        reported_at=at,
        facts=LeakFacts(f"Melding nummer {number}", at, at, Answer3.NO),
    )


def test_the_register_pages_by_25_and_links_the_next_page_with_the_filters() -> None:
    # 30 reports within their 72 hours, and three past them (left out by the filter).
    breaches = [report(n) for n in range(1, 31)] + [report(n) for n in (100, 101, 102)]
    query = BreachQuery.of({"year": "all", "q": "melding", "clock": "on_time"}, NOW)
    first = register_page(breaches, query, NOW, "nl-NL", "")
    assert first.count("<tr>") == PAGE_SIZE + 1  # the header row and 25 reports
    assert "30 meldingen gevonden · pagina 1 van 2" in first
    assert "DL-0100" not in first
    assert "page=2" in first and "clock=on_time" in first and "q=melding" in first
    assert "Volgende pagina" in first and "Vorige pagina" not in first
    second = register_page(
        breaches,
        BreachQuery.of({"year": "all", "q": "melding", "clock": "on_time", "page": "2"}, NOW),
        NOW,
        "nl-NL",
        "",
    )
    assert second.count("<tr>") == 5 + 1
    assert "Vorige pagina" in second and "Volgende pagina" not in second
    # The export form carries the same filters.
    assert '<input type="hidden" name="clock" value="on_time">' in second
    assert '<input type="hidden" name="q" value="melding">' in second


def test_the_export_keeps_only_known_filter_values() -> None:
    smuggled = Narrowing.of({"state": "<script>", "risk": "high", "ap": "maybe", "q": " a  b "})
    assert smuggled == Narrowing(risk="high", search="a b")
    late = report(80)
    fresh = report(2)
    assert narrowed([late, fresh], Narrowing(clock="late"), NOW) == [late]
    assert narrowed([late, fresh], Narrowing(search="dl-0002"), NOW) == [fresh]
