"""The rules of the three kinds from #16 (pure): a relative's or friend's home (§1), the press
and social media (§5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.housing import CHOICES as HOUSING_CHOICES
from bot.domain.housing import Housing, housing_rule
from bot.domain.people import Role
from bot.domain.press import CHOICES as PRESS_CHOICES
from bot.domain.press import (
    INTERVIEW,
    POSITIONS,
    REFER,
    PressRequest,
    advisor,
    decider,
    press_rule,
    waiting_for_communications,
)
from bot.domain.requests import (
    ApprovalRequest,
    ApproverRole,
    AuditEntry,
    DecisionRefused,
    Person,
    Status,
    advise,
    decide,
    position_in,
)
from bot.domain.social import CHOICES as SOCIAL_CHOICES
from bot.domain.social import SocialPost, social_rule

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
SON = Housing("Mijn zoon", "relative", "applies", "home", "De Linde 4")
INFO = PressRequest("Eva Bos", "Dagblad", "06 1", "information", "Waarom?")
TALK = replace(INFO, asks="interview")


def pending(facts: object, verdict: str) -> ApprovalRequest:
    return ApprovalRequest(
        id="X-1",
        kind="press",
        tenant_id="t",
        requester=Person("sanne", "Sanne"),
        approver=Person("marieke", "Marieke"),
        approver_role=ApproverRole.DIRECTOR,
        facts=facts,  # type: ignore[arg-type]
        verdict=verdict,
        reasons=(),
        created_at=NOW,
        advisor=Person("fatima", "Fatima"),
    )


@pytest.mark.parametrize("stage", ["applies", "offered", "buys"])
def test_a_relatives_home_always_follows_the_ordinary_rules_and_keeps_the_employee_out(
    stage: str,
) -> None:
    outcome = housing_rule(replace(SON, stage=stage))
    assert outcome.verdict == "same_rules"
    assert outcome.reasons[:2] == ("same_rules_as_everyone", "no_priority")
    assert outcome.reasons[-1] == "kept_out_of_case"
    assert ("no_discount" in outcome.reasons) is (stage == "buys")  # buying names the discount


def test_the_manager_only_takes_note_of_a_relatives_home() -> None:
    [noted] = HOUSING_CHOICES.offered("same_rules")
    assert noted.code == "noted" and noted.status is Status.APPROVED
    request = replace(pending(SON, "same_rules"), kind="housing", advisor=None)
    assert HOUSING_CHOICES.acknowledgement(request)  # reminded once, never escalated


def test_a_journalists_question_goes_to_communicatie_an_interview_to_the_director() -> None:
    assert press_rule(INFO).verdict == REFER
    assert press_rule(TALK).verdict == INTERVIEW
    assert "meanwhile" in press_rule(INFO).reasons and "meanwhile" in press_rule(TALK).reasons
    assert (decider(INFO), advisor(INFO)) == (Role.COMMUNICATIONS, None)
    assert (decider(TALK), advisor(TALK)) == (Role.DIRECTOR, Role.COMMUNICATIONS)
    assert [c.code for c in PRESS_CHOICES.offered(REFER)] == ["taken_over"]
    assert [c.code for c in PRESS_CHOICES.offered(INTERVIEW)] == ["consent", "no_consent"]


def test_the_director_decides_an_interview_only_after_communicaties_position() -> None:
    request = pending(TALK, INTERVIEW)
    assert waiting_for_communications(request) == "waiting_for_communications"
    assert waiting_for_communications(replace(request, advice="   ")) is not None
    assert waiting_for_communications(replace(request, advice="Akkoord")) is None
    assert waiting_for_communications(replace(request, verdict=REFER)) is None


def test_no_consent_to_an_interview_needs_a_reason() -> None:
    request = replace(pending(TALK, INTERVIEW), advice="Liever niet")
    no = PRESS_CHOICES.pick(request, "no_consent")
    with pytest.raises(DecisionRefused) as refused:
        decide(request, "marieke", no, " ", NOW)
    assert refused.value.code == "comment_required"
    decided = decide(request, "marieke", no, "Niet nu, het project loopt nog", NOW)
    assert decided.status is Status.DECLINED and decided.outcome == "no_consent"


def offered_codes(request: ApprovalRequest) -> list[str]:
    return [c.code for c in PRESS_CHOICES.open_to(request)]


def test_communicaties_position_is_required_and_no_agreement_needs_its_reason() -> None:
    request = pending(TALK, INTERVIEW)
    for position, text, code in (
        ("", "Akkoord", "position_required"),  # words alone are no position
        ("maybe", "", "position_required"),  # nor is anything but the kind's positions
        ("disagree", "  ", "reason_required"),
    ):
        with pytest.raises(DecisionRefused) as refused:
            advise(request, "fatima", text, NOW, position, POSITIONS)
        assert refused.value.code == code
    with pytest.raises(DecisionRefused) as refused:
        advise(request, "marieke", "", NOW, "agree", POSITIONS)
    assert refused.value.code == "not_advisor"
    agreed = advise(request, "fatima", " ", NOW, "agree", POSITIONS)  # remarks are optional
    assert (agreed.advice_position, agreed.advice, agreed.advised) == ("agree", "", True)
    assert position_in(agreed.audit[-1], POSITIONS) == "agree"


def test_the_director_can_only_refuse_an_interview_communicatie_does_not_agree_to() -> None:
    request = pending(TALK, INTERVIEW)
    assert waiting_for_communications(request) == "waiting_for_communications"
    against = advise(request, "fatima", "Niet in deze periode", NOW, "disagree", POSITIONS)
    assert waiting_for_communications(against) is None  # decidable, but only one way
    assert offered_codes(against) == ["no_consent"]
    for forged in ("consent", "approve"):  # an old card's approve is the code's own: consent
        with pytest.raises(DecisionRefused) as refused:
            PRESS_CHOICES.pick(against, forged)
        assert refused.value.code == "choice_not_offered"
    assert PRESS_CHOICES.pick(against, "decline").code == "no_consent"
    entry = against.audit[-1]
    assert (entry.action, entry.actor_id, entry.at) == ("advised", "fatima", NOW)
    assert position_in(entry, POSITIONS) == "disagree"

    # Revised while pending: agreement opens consent again; the trail keeps both.
    agreed = advise(against, "fatima", "", NOW, "agree", POSITIONS)
    assert offered_codes(agreed) == ["consent", "no_consent"]
    assert PRESS_CHOICES.pick(agreed, "consent").code == "consent"
    assert [position_in(e, POSITIONS) for e in agreed.audit] == ["disagree", "agree"]
    decided = decide(agreed, "marieke", PRESS_CHOICES.pick(agreed, "consent"), "", NOW)
    with pytest.raises(DecisionRefused) as refused:
        advise(decided, "fatima", "Toch niet", NOW, "disagree", POSITIONS)
    assert refused.value.code == "already_decided"  # no revising once decided


def test_an_interview_advised_in_words_before_positions_is_decided_as_before() -> None:
    old = replace(pending(TALK, INTERVIEW), advice="Akkoord, ik ben erbij")
    assert waiting_for_communications(old) is None
    assert offered_codes(old) == ["consent", "no_consent"]
    for detail in ("Akkoord, ik ben erbij", "Akkoord: ja"):  # words, whatever they say
        assert position_in(AuditEntry(NOW, "fatima", "advised", detail), POSITIONS) == ""


def test_free_text_advice_stays_free_text_and_takes_no_position() -> None:
    """HR on a side job (a kind without positions) advises in words, as before."""
    job = replace(pending(TALK, INTERVIEW), kind="sidejob", verdict="manager_after_hr")
    with pytest.raises(DecisionRefused) as refused:
        advise(job, "fatima", "  ", NOW)
    assert refused.value.code == "empty_advice"
    with pytest.raises(DecisionRefused) as refused:
        advise(job, "fatima", "Geen bezwaar", NOW, "agree")
    assert refused.value.code == "position_not_offered"
    advised = advise(job, "fatima", "Geen bezwaar", NOW)
    assert (advised.advice, advised.advice_position) == ("Geen bezwaar", "")
    assert advised.audit[-1].detail == "Geen bezwaar"


@pytest.mark.parametrize(
    ("about", "privacy"), [("woongroen", False), ("tenant", True), ("colleague", True)]
)
def test_a_post_goes_to_communicatie_and_about_people_privacy_comes_first(
    about: str, privacy: bool
) -> None:
    outcome = social_rule(SocialPost(about, "LinkedIn", "Een foto"))
    assert outcome.verdict == "ask_communications"
    assert ("privacy_and_consent" in outcome.reasons) is privacy
    offered = SOCIAL_CHOICES.offered(outcome.verdict)
    assert [c.code for c in offered] == ["fine", "adjust", "not_post"]
    assert [c.needs_comment for c in offered] == [False, True, True]


def test_a_long_post_is_summarised_on_one_line() -> None:
    post = SocialPost("woongroen", "", "x" * 100 + "\ntweede regel")
    assert post.summary == "x" * 80 + "…"


async def test_a_kind_decided_by_a_role_nobody_holds_names_the_role() -> None:
    from bot.domain.people import Person as Entry
    from bot.services.approvers import RoleNotConfigured, role_approver

    class Directory:
        def __init__(self, people: list[Entry]) -> None:
            self.people = people

        async def with_role(self, tenant_id: str, role: Role) -> list[Entry]:
            return [p for p in self.people if p.has(role)]

    fatima = Entry("fatima", "Fatima", roles=frozenset({Role.COMMUNICATIONS}))
    found = await role_approver("t", Role.COMMUNICATIONS, "sanne", Directory([fatima]))  # type: ignore[arg-type]
    assert found == (Person("fatima", "Fatima"), ApproverRole.COMMUNICATIONS)
    with pytest.raises(RoleNotConfigured) as missing:
        await role_approver("t", Role.COMMUNICATIONS, "fatima", Directory([fatima]))  # type: ignore[arg-type]
    assert missing.value.role is Role.COMMUNICATIONS  # never one's own approver
