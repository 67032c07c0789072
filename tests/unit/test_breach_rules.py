"""The 72-hour clock and the privacy office's decisions (pure rules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain.breaches import (
    AMSTERDAM,
    Answer3,
    Breach,
    BreachAction,
    BreachStatus,
    LeakFacts,
    Person,
    add_information,
    ap_deadline,
    apply,
    check_times,
    is_overdue,
    local_moment,
    reminder_due,
    time_left,
)
from bot.domain.intents import OpenFlow, understand
from bot.domain.knowledge import knowledge_base
from bot.domain.requests import DecisionRefused

FATIMA = Person("fatima", "Fatima el Amrani")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)  # type: ignore[misc]


def a_breach(discovered: datetime) -> Breach:
    return Breach(
        id="LEK-AAAA-BBBB",
        tenant_id="t",
        reporter=Person("sanne", "Sanne de Vries"),
        reported_at=discovered,
        facts=LeakFacts("Mail naar verkeerde ontvanger", discovered, discovered, Answer3.NO),
    )


def test_deadline_across_the_spring_daylight_saving_change() -> None:
    # 28 March 12:00 CET; the clocks go forward on 29 March: 72 hours later reads 13:00 CEST.
    deadline = ap_deadline(local(2026, 3, 28, 12, 0).astimezone(UTC))
    assert deadline == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    assert deadline.astimezone(AMSTERDAM).strftime("%d-%m %H:%M %Z") == "31-03 13:00 CEST"


def test_deadline_across_the_autumn_daylight_saving_change() -> None:
    # 24 October 12:00 CEST; the clocks go back on 25 October: 72 hours later reads 11:00 CET.
    deadline = ap_deadline(local(2026, 10, 24, 12, 0).astimezone(UTC))
    assert deadline == datetime(2026, 10, 27, 10, 0, tzinfo=UTC)
    assert deadline.astimezone(AMSTERDAM).strftime("%d-%m %H:%M %Z") == "27-10 11:00 CET"


def test_exactly_72_hours_is_still_on_time_and_a_second_later_is_not() -> None:
    discovered = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
    boundary = discovered + timedelta(hours=72)
    assert not is_overdue(discovered, boundary)
    assert time_left(discovered, boundary) == timedelta(0)
    assert is_overdue(discovered, boundary + timedelta(seconds=1))
    breach = a_breach(discovered)
    with pytest.raises(DecisionRefused, match="delay_reason_required"):
        apply(breach, BreachAction.AP_YES, FATIMA, "", boundary + timedelta(seconds=1))
    on_time = apply(breach, BreachAction.AP_YES, FATIMA, "", boundary)
    assert on_time.ap is not None and not on_time.ap.late


def test_local_times_that_do_not_exist_or_exist_twice_take_the_earlier_instant() -> None:
    # 02:30 on 29 March does not exist; 02:30 on 25 October happens twice.
    assert local_moment(date(2026, 3, 29), time(2, 30)) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert local_moment(date(2026, 10, 25), time(2, 30)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    assert local_moment(date(2026, 3, 28), time(12, 0)) == datetime(2026, 3, 28, 11, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours_after", "sent_before", "due"),
    [
        (23.99, 0, 0),
        (24, 0, 1),
        (30, 1, 0),
        (48, 1, 2),
        (50, 0, 2),  # after an outage: only the latest stage
        (66, 2, 3),
        (80, 3, 0),
    ],
)
def test_reminder_stages(hours_after: float, sent_before: int, due: int) -> None:
    discovered = local(2026, 3, 28, 12, 0).astimezone(UTC)  # across the DST change too
    breach = replace(a_breach(discovered), reminders_sent=sent_before)
    assert reminder_due(breach, discovered + timedelta(hours=hours_after)) == due


def test_no_reminder_once_the_ap_decision_is_recorded() -> None:
    discovered = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
    decided = apply(a_breach(discovered), BreachAction.AP_NO, FATIMA, "geen risico", discovered)
    assert reminder_due(decided, discovered + timedelta(hours=30)) == 0


def test_times_in_the_future_or_discovery_before_occurrence_are_named() -> None:
    now = datetime(2026, 11, 29, 10, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert check_times(now - hour, now, now) == {}
    assert check_times(now, now - hour, now) == {"discovered": "discovered_before_occurred"}
    assert check_times(now + hour, now + hour, now) == {
        "occurred": "moment_future",
        "discovered": "moment_future",
    }
    assert check_times(now, now + timedelta(minutes=4), now) == {}  # a phone clock a bit ahead


def test_decisions_need_reasons_and_closing_needs_the_ap_decision() -> None:
    now = datetime(2026, 11, 29, 10, tzinfo=UTC)
    breach = a_breach(now)
    with pytest.raises(DecisionRefused, match="reason_required"):
        apply(breach, BreachAction.AP_NO, FATIMA, "", now)
    with pytest.raises(DecisionRefused, match="reason_required"):
        apply(breach, BreachAction.SUBJECTS_NO, FATIMA, "", now)
    with pytest.raises(DecisionRefused, match="ap_decision_first"):
        apply(breach, BreachAction.CLOSE, FATIMA, "", now)
    decided = apply(breach, BreachAction.AP_YES, FATIMA, "", now)
    assert decided.status is BreachStatus.ACKNOWLEDGED  # deciding implies having seen it
    with pytest.raises(DecisionRefused, match="already_done"):
        apply(decided, BreachAction.AP_YES, FATIMA, "", now)
    closed = apply(decided, BreachAction.CLOSE, FATIMA, "", now)
    with pytest.raises(DecisionRefused, match="closed"):
        apply(closed, BreachAction.SUBJECTS_YES, FATIMA, "", now)
    assert [e.action for e in closed.audit] == ["ap_yes", "close"]


def test_only_the_reporter_adds_information() -> None:
    now = datetime(2026, 11, 29, 10, tzinfo=UTC)
    breach = a_breach(now)
    with pytest.raises(DecisionRefused, match="not_reporter"):
        add_information(breach, "pieter", "ik weet meer", now)
    added = add_information(breach, "sanne", "Ontvanger heeft verwijderd", now)
    assert [a.text for a in added.additions] == ["Ontvanger heeft verwijderd"]


@pytest.mark.parametrize(
    "typed",
    [
        "ik heb een mail naar de verkeerde persoon gestuurd",
        "laptop gestolen",
        "Ik heb per ongeluk een bijlage naar de verkeerde huurder gemaild",
        "telefoon kwijtgeraakt in de trein",
        "I sent an email to the wrong person",
    ],
)
def test_telling_about_a_leak_opens_the_data_leak_form(typed: str) -> None:
    understood = understand(typed, knowledge_base())
    assert isinstance(understood, OpenFlow)
    assert understood.flow == "dataleak"
