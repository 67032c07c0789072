"""The privacy officer's dossier as pure rules: the proposed risk (a table of cases with the
expected proposal, after the AP's and EDPB's guidance: docs/data-leaks.md), the clock from
awareness, the AP notification, the art. 34 decision before closing, questions and answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.breaches import (
    Answer3,
    ApUpdateKind,
    Breach,
    BreachAction,
    DataCategory,
    LeakFacts,
    PeopleRange,
    Person,
    Risk,
    RiskFactors,
    answer_question,
    apply,
    ask_reporter,
    assess,
    propose_risk,
    record_case,
    record_notification,
    reminder_due,
    reporter_status,
    update_notification,
)
from bot.domain.requests import DecisionRefused

ORD, SP, BSN, FIN, KIDS, PW = (
    DataCategory.ORDINARY,
    DataCategory.SPECIAL,
    DataCategory.BSN,
    DataCategory.FINANCIAL,
    DataCategory.CHILDREN,
    DataCategory.PASSWORDS,
)
ONE, FEW, DOZENS, MANY, UNKNOWN = (
    PeopleRange.ONE,
    PeopleRange.FEW,
    PeopleRange.DOZENS,
    PeopleRange.MANY,
    PeopleRange.UNKNOWN,
)


def f(
    categories: tuple[DataCategory, ...],
    people: PeopleRange = FEW,
    identifiable: bool = True,
    encrypted: bool = False,
    recovered: bool = False,
    ongoing: bool = False,
) -> RiskFactors:
    return RiskFactors(categories, people, identifiable, encrypted, recovered, ongoing)


# (case, factors, expected risk, a reason that must be shown)
CASES = [
    ("names to a wrong recipient", f((ORD,)), Risk.RISK, "identifiable"),
    ("names of one tenant", f((ORD,), ONE), Risk.RISK, "identifiable"),
    ("health data of one tenant", f((SP,), ONE), Risk.HIGH, "sensitive_special"),
    ("BSN copies", f((ORD, BSN), DOZENS), Risk.HIGH, "sensitive_bsn"),
    ("rent arrears", f((ORD, FIN), DOZENS), Risk.HIGH, "sensitive_financial"),
    ("about children", f((ORD, KIDS)), Risk.HIGH, "sensitive_children"),
    ("passwords", f((PW,)), Risk.HIGH, "sensitive_passwords"),
    ("ordinary data of more than 1,000", f((ORD,), MANY), Risk.HIGH, "many_people"),
    ("unknown count is said", f((ORD,), UNKNOWN), Risk.RISK, "people_unknown"),
    ("encrypted laptop, key safe", f((ORD, SP), MANY, encrypted=True), Risk.NONE, "encrypted"),
    ("encrypted but ongoing", f((ORD,), encrypted=True, ongoing=True), Risk.RISK, "ongoing"),
    ("mail deleted by a trusted recipient", f((ORD,), recovered=True), Risk.NONE, "recovered"),
    ("sensitive, recovered: one step lower", f((FIN,), recovered=True), Risk.RISK, "recovered"),
    (
        "sensitive, recovered, ongoing",
        f((FIN,), recovered=True, ongoing=True),
        Risk.HIGH,
        "ongoing",
    ),
    ("not identifiable", f((SP,), MANY, identifiable=False), Risk.NONE, "not_identifiable"),
]


@pytest.mark.parametrize(
    ("case", "factors", "expected", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_the_proposal_follows_the_guidance(
    case: str, factors: RiskFactors, expected: Risk, reason: str
) -> None:
    proposal = propose_risk(factors)
    assert proposal.risk is expected
    assert reason in proposal.reasons


def test_every_sensitive_category_is_named_as_a_reason() -> None:
    proposal = propose_risk(f((BSN, FIN, KIDS)))
    assert proposal.reasons[:3] == ("sensitive_bsn", "sensitive_financial", "sensitive_children")


NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
FATIMA = Person("u4", "Fatima el Amrani")


def leak(discovered: datetime = NOW - timedelta(hours=1)) -> Breach:
    return Breach(
        id="LEK-1",
        tenant_id="t",
        reporter=Person("u1", "Sanne"),
        reported_at=NOW,
        facts=LeakFacts("Mail", NOW - timedelta(hours=30), discovered, Answer3.NO),
    )


def test_the_clock_runs_from_when_woongroen_became_aware() -> None:
    breach = leak()
    assert breach.deadline == NOW - timedelta(hours=1) + timedelta(hours=72)
    aware = NOW - timedelta(hours=26)  # the manager knew a day before the reporter noticed
    breach = record_case(breach, FATIMA, aware, "Fraude", "Gebeld", NOW)
    assert breach.deadline == aware + timedelta(hours=72)
    assert breach.aware is not None and breach.aware.recorded.by == FATIMA
    # The reminders follow: 24 hours after awareness has passed already.
    assert reminder_due(breach, NOW) == 1
    assert [e.action for e in breach.audit] == ["case_recorded"]
    with pytest.raises(DecisionRefused, match="aware_before_occurred"):
        record_case(breach, FATIMA, NOW - timedelta(hours=31), "", "", NOW)
    with pytest.raises(DecisionRefused, match="aware_future"):
        record_case(breach, FATIMA, NOW + timedelta(hours=1), "", "", NOW)


def test_changing_the_proposal_needs_a_reason_and_both_are_kept() -> None:
    factors = f((ORD,))
    with pytest.raises(DecisionRefused, match="assessment_reason_required"):
        assess(leak(), FATIMA, factors, Risk.NONE, "", NOW)
    changed = assess(leak(), FATIMA, factors, Risk.NONE, "Ontvanger is de eigen aannemer", NOW)
    assert changed.assessment is not None
    assert changed.assessment.proposed.risk is Risk.RISK
    assert changed.assessment.decided is Risk.NONE
    assert [(e.action, e.detail) for e in changed.audit] == [
        ("risk_changed", "proposed=risk decided=none")
    ]
    confirmed = assess(leak(), FATIMA, factors, None, "", NOW)
    assert confirmed.assessment is not None and confirmed.assessment.decided is Risk.RISK
    assert confirmed.audit[-1].action == "risk_confirmed"
    assert confirmed.must_notify and not confirmed.high_risk


def test_notifying_after_72_hours_asks_the_reason_for_the_delay() -> None:
    breach = leak(discovered=NOW - timedelta(hours=80))
    reported = NOW - timedelta(hours=1)
    with pytest.raises(DecisionRefused, match="delay_reason_required"):
        record_notification(breach, FATIMA, reported, "AP-1", "", NOW)
    with pytest.raises(DecisionRefused, match="ap_reference_required"):
        record_notification(breach, FATIMA, reported, "", "Weekend", NOW)
    done = record_notification(breach, FATIMA, reported, "AP-1", "Pas maandag ontdekt", NOW)
    assert done.notification is not None and done.notification.late
    assert done.ap is not None and done.ap.yes and done.ap.late
    assert not done.clock_running
    on_time = record_notification(leak(), FATIMA, NOW, "AP-2", "", NOW)
    assert on_time.notification is not None and not on_time.notification.late


def test_supplements_and_a_withdrawal_follow_a_notification() -> None:
    with pytest.raises(DecisionRefused, match="not_notified"):
        update_notification(leak(), FATIMA, ApUpdateKind.SUPPLEMENT, "Meer", NOW)
    done = record_notification(leak(), FATIMA, NOW, "AP-1", "", NOW)
    more = update_notification(done, FATIMA, ApUpdateKind.SUPPLEMENT, "Aantal is 14", NOW)
    gone = update_notification(more, FATIMA, ApUpdateKind.WITHDRAWAL, "Geen datalek", NOW)
    assert [u.kind for u in gone.ap_updates] == [ApUpdateKind.SUPPLEMENT, ApUpdateKind.WITHDRAWAL]
    with pytest.raises(DecisionRefused, match="withdrawn"):
        update_notification(gone, FATIMA, ApUpdateKind.SUPPLEMENT, "Nog iets", NOW)
    assert [e.action for e in gone.audit][-2:] == ["ap_supplement", "ap_withdrawal"]


def test_a_high_risk_case_closes_only_after_the_art_34_decision() -> None:
    high = assess(leak(), FATIMA, f((BSN,)), None, "", NOW)
    high = apply(high, BreachAction.AP_YES, FATIMA, "", NOW)
    with pytest.raises(DecisionRefused, match="subjects_decision_first"):
        apply(high, BreachAction.CLOSE, FATIMA, "", NOW)
    informed = apply(high, BreachAction.SUBJECTS_YES, FATIMA, "", NOW)
    assert apply(informed, BreachAction.CLOSE, FATIMA, "", NOW).closed is not None
    # Without high risk the decision on informing people is not required to close.
    low = apply(
        assess(leak(), FATIMA, f((ORD,)), None, "", NOW), BreachAction.AP_YES, FATIMA, "", NOW
    )
    assert apply(low, BreachAction.CLOSE, FATIMA, "", NOW).closed is not None


def test_only_the_reporter_answers_and_the_time_is_kept() -> None:
    asked = ask_reporter(leak(), FATIMA, "Naar welk adres?", NOW)
    later = NOW + timedelta(minutes=7)
    with pytest.raises(DecisionRefused, match="not_reporter"):
        answer_question(asked, FATIMA.id, 1, "vervalst", later)
    with pytest.raises(DecisionRefused, match="answer_required"):
        answer_question(asked, "u1", 1, "", later)
    answered = answer_question(asked, "u1", 1, "info@aannemer.example", later)
    [question] = answered.questions
    assert (question.answer, question.answered_at) == ("info@aannemer.example", later)
    assert [(e.actor_id, e.action) for e in answered.audit] == [
        (FATIMA.id, "question_asked"),
        ("u1", "question_answered"),
    ]
    with pytest.raises(DecisionRefused, match="already_answered"):
        answer_question(answered, "u1", 1, "iets anders", later)


def test_the_reporter_sees_a_status_only() -> None:
    breach = leak()
    assert reporter_status(breach) == "received"
    seen = apply(breach, BreachAction.ACKNOWLEDGE, FATIMA, "", NOW)
    assert reporter_status(seen) == "assessing"
    closed = apply(
        apply(seen, BreachAction.AP_NO, FATIMA, "Geen risico", NOW),
        BreachAction.CLOSE,
        FATIMA,
        "",
        NOW,
    )
    assert reporter_status(closed) == "closed"


def test_the_fallback_sees_none_of_the_dossier() -> None:
    from dialogs.dataleak import PRESENTER
    from tests.support.flows import texts

    secret = "Intern: eerder gebeurd bij deze aannemer"
    worked = assess(leak(), FATIMA, f((BSN,)), Risk.RISK, secret, NOW)
    worked = ask_reporter(worked, FATIMA, "Welk adres?", NOW)
    office = texts(PRESENTER.office_card(worked, "nl-NL", NOW))
    assert secret in office and "Welk adres?" in office
    fallback = texts(PRESENTER.office_card(worked, "nl-NL", NOW, fallback=True))
    assert secret not in fallback and "Welk adres?" not in fallback
    assert "Risicobeoordeling" not in fallback and "Autoriteit Persoonsgegevens" not in fallback
