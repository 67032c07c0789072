"""The yearly overview's numbers, checked against values worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.overview import (
    LeakRecord,
    RequestRecord,
    hours_to_decision,
    quarter,
    yearly_overview,
)
from tests.support.kinds import KINDS


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rec(
    kind: str,
    status: str,
    submitted: datetime,
    hours: float | None = None,
    verdict: str = "",
    reasons: tuple[str, ...] = (),
    cents: int | None = None,
) -> RequestRecord:
    decided = submitted + timedelta(hours=hours) if hours is not None else None
    return RequestRecord(kind, status, verdict, reasons, submitted, decided, cents)


REQUESTS = [
    rec("gift", "approved", at(2026, 1, 10, 9), 2, "keep", ("everyday_under_limit",), 2500),
    # 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam: the second quarter.
    rec("gift", "declined", at(2026, 3, 31, 22, 30), 24, "hand_in", ("not_everyday",), 12500),
    rec(
        "gift", "pending", at(2026, 7, 15, 9), None, "refuse", ("money", "report_to_manager"), 2000
    ),
    rec("gift", "approved", at(2026, 10, 5, 10), 4, "refuse", ("money", "negotiating"), 1000),
    # 23:30 UTC on New Year's Eve is already 2027 in Amsterdam: not in 2026.
    rec("gift", "approved", at(2026, 12, 31, 23, 30), 1, "keep", (), 9900),
    rec("gift", "approved", at(2025, 6, 1, 9), 1, "keep", (), 9900),
    rec("invitation", "approved", at(2026, 2, 1, 10), 72, cents=8000),
    rec("invitation", "withdrawn", at(2026, 5, 5, 10), None),
    rec("sidejob", "approved", at(2026, 11, 1, 8), 10),
]
LEAKS = [
    LeakRecord(at(2026, 3, 1, 10), at(2026, 3, 4, 10), True),  # exactly 72 hours: in time
    LeakRecord(at(2026, 6, 1, 10), at(2026, 6, 4, 11), True),  # 73 hours: late
    LeakRecord(at(2026, 9, 1, 10)),  # no decision recorded
    LeakRecord(at(2026, 10, 1, 10), at(2026, 10, 1, 15), False),
    LeakRecord(at(2025, 10, 1, 10), at(2025, 10, 1, 15), True),  # another year
]


def test_counts_values_and_statuses_per_kind() -> None:
    overview = yearly_overview(KINDS, REQUESTS, LEAKS, 2026)
    gifts, invitations, sidejobs, suppliers, tenants, *_ = overview.kinds
    assert (gifts.count, gifts.value_cents) == (4, 18000)
    assert gifts.statuses == {"approved": 2, "declined": 1, "pending": 1, "withdrawn": 0}
    assert (invitations.count, invitations.value_cents) == (2, 8000)
    assert invitations.statuses["withdrawn"] == 1
    assert (sidejobs.count, suppliers.count, tenants.count) == (1, 0, 0)
    assert overview.total.count == 7 and overview.total.value_cents == 26000
    assert overview.total.statuses == {"approved": 4, "declined": 1, "pending": 1, "withdrawn": 1}


def test_median_and_mean_time_to_decision_in_hours() -> None:
    overview = yearly_overview(KINDS, REQUESTS, LEAKS, 2026)
    gifts, invitations, _, suppliers, *_ = overview.kinds
    assert (gifts.median_hours, gifts.mean_hours) == (4.0, 10.0)  # 2, 4, 24
    assert (invitations.median_hours, invitations.mean_hours) == (72.0, 72.0)
    assert (suppliers.median_hours, suppliers.mean_hours) == (None, None)
    # All decided: 2, 4, 10, 24, 72 hours.
    assert (overview.total.median_hours, overview.total.mean_hours) == (10.0, 22.4)


def test_undecided_and_withdrawn_requests_have_no_decision_time() -> None:
    withdrawn = rec("gift", "withdrawn", at(2026, 1, 1), 5)
    assert hours_to_decision(withdrawn) is None
    assert hours_to_decision(rec("gift", "pending", at(2026, 1, 1))) is None


def test_gift_verdicts_and_the_reasons_for_refusal() -> None:
    overview = yearly_overview(KINDS, REQUESTS, LEAKS, 2026)
    assert overview.verdicts == {"keep": 1, "hand_in": 1, "refuse": 2}
    assert overview.refusals == {"money": 2, "negotiating": 1}


def test_declarations_per_kind_per_quarter_in_amsterdam_time() -> None:
    overview = yearly_overview(KINDS, REQUESTS, LEAKS, 2026)
    assert overview.quarters["gift"] == (1, 1, 1, 1)
    assert overview.quarters["invitation"] == (1, 1, 0, 0)
    assert overview.quarters["sidejob"] == (0, 0, 0, 1)
    assert overview.quarters["tenant"] == (0, 0, 0, 0)
    assert quarter(at(2026, 12, 31, 23, 30)) == 1  # already January in Amsterdam


def test_data_leaks_the_72_hour_share_and_notifications() -> None:
    leaks = yearly_overview(KINDS, REQUESTS, LEAKS, 2026).leaks
    assert (leaks.count, leaks.decided_within_72h, leaks.notified) == (4, 2, 2)
    assert leaks.share_within_72h == 50.0


def test_an_empty_year_has_zeros_and_no_averages() -> None:
    overview = yearly_overview(KINDS, [], [], 2030)
    assert overview.total.count == 0 and overview.total.median_hours is None
    assert overview.leaks.share_within_72h is None
    assert overview.verdicts == {"keep": 0, "hand_in": 0, "refuse": 0}


def test_the_chart_is_a_small_png_with_a_bar_for_each_count() -> None:
    import io

    from PIL import Image

    from bot.services.charts import HEIGHT, WIDTH, bar_chart

    png = bar_chart("Meldingen", ["K1", "K2", "K3", "K4"], {"Cadeaus": [0, 3, 0, 1]})
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    assert len(png) < 10_000  # small enough for a data URI on a card
    green = (0x2E, 0x7D, 0x32)
    column = [image.getpixel((x, HEIGHT - 60)) for x in range(40, WIDTH - 170)]
    assert green in column  # the bars of K2 and K4
    empty = Image.open(io.BytesIO(bar_chart("x", ["K1"], {"Cadeaus": [0]}))).convert("RGB")
    assert green not in [empty.getpixel((x, HEIGHT - 60)) for x in range(40, WIDTH - 170)]


def test_trailer_bookings_count_by_the_year_of_the_day_booked_each_once() -> None:
    from datetime import date

    from bot.domain.trailer import Booker, BookingFact

    facts = [
        BookingFact("a", date(2026, 12, 12), Booker.EMPLOYEE, True),
        BookingFact("b", date(2026, 12, 12), Booker.TENANT, False),
        BookingFact("c", date(2026, 1, 2), Booker.EMPLOYEE, False),
        BookingFact("c", date(2026, 1, 2), Booker.EMPLOYEE, False),  # held and counted: once
        BookingFact("d", date(2027, 1, 1), Booker.EMPLOYEE, False),
    ]
    trailer = yearly_overview(KINDS, [], [], 2026, trailer=facts).trailer
    assert (trailer.employee, trailer.cancelled_for_tenant, trailer.tenant) == (2, 1, 1)


def test_violations_are_numbers_only_with_every_measure_and_zero_without_any() -> None:
    empty = yearly_overview(KINDS, [], [], 2026).violations
    assert set(empty.values()) == {0} and "dismissal" in empty and "recorded" in empty
    counted = yearly_overview(
        KINDS, [], [], 2026, violations={"recorded": 3, "decided": 2, "warning": 2}
    ).violations
    assert (counted["recorded"], counted["decided"], counted["warning"]) == (3, 2, 2)
    assert all(isinstance(v, int) for v in counted.values())  # nothing but numbers
