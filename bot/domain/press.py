"""The press (§5 Communicatie): a journalist's request for information goes to Communicatie;
an interview only in agreement with Communicatie and with the director's consent. Meanwhile
the employee says nothing on Woongroen's behalf and refers the journalist to Communicatie."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.choices import Choices, Withheld
from bot.domain.kinds import Outcome
from bot.domain.people import Role
from bot.domain.records import string
from bot.domain.requests import ApprovalRequest, Choice, Position, Status

SECTION = "§5 Communicatie"
ASKS = ("information", "interview")
REFER = "refer_to_communications"  # a request for information: Communicatie takes it over
INTERVIEW = "interview_needs_consent"  # Communicatie agrees (a position), the director consents

TAKEN_OVER = Choice("taken_over", Status.APPROVED, "positive")
CONSENT = Choice("consent", Status.APPROVED, "positive")
NO_CONSENT = Choice("no_consent", Status.DECLINED, "destructive", needs_comment=True)
WAITING_FOR_COMMUNICATIONS = "waiting_for_communications"  # the refusal code while blocked

# Communicatie's position on an interview (its advice): agreement is a yes or a no, not prose.
AGREE = Position("agree")
DISAGREE = Position("disagree", needs_reason=True)  # and why, on the record
POSITIONS = (AGREE, DISAGREE)
COMMUNICATIONS_DISAGREES = "communications_disagrees"  # why consent is withheld


def consent_withheld(request: ApprovalRequest) -> Withheld | None:
    """An interview Communicatie does not agree to cannot be consented to: the director can
    only refuse it. Advice stored before positions were (free text only) withholds nothing."""
    if request.verdict == INTERVIEW and request.advice_position == DISAGREE.code:
        return Withheld(frozenset({CONSENT.code}), COMMUNICATIONS_DISAGREES)
    return None


CHOICES = Choices(
    by_verdict={REFER: (TAKEN_OVER,), INTERVIEW: (CONSENT, NO_CONSENT)},
    withheld=consent_withheld,
)


@dataclass(frozen=True)
class PressRequest:
    """A journalist's request, as the employee took it."""

    journalist: str  # name
    medium: str  # newspaper, broadcaster ...
    contact: str  # how to reach them (phone, e-mail)
    asks: str  # information, interview
    question: str  # what the journalist wants to know, in the employee's words
    deadline: str = ""  # when the journalist wants an answer, as they said it

    @property
    def summary(self) -> str:
        return f"{self.journalist} ({self.medium})" if self.medium else self.journalist

    @property
    def interview(self) -> bool:
        return self.asks == "interview"

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "journalist": self.journalist,
            "medium": self.medium,
            "contact": self.contact,
            "asks": self.asks,
            "question": self.question,
            "deadline": self.deadline,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PressRequest:
        return cls(
            journalist=string(record, "journalist"),
            medium=string(record, "medium"),
            contact=string(record, "contact"),
            asks=string(record, "asks"),
            question=string(record, "question"),
            deadline=string(record, "deadline"),
        )


def press_rule(press: PressRequest) -> Outcome:
    """Information goes to Communicatie; an interview needs Communicatie and the director.
    Either way the employee refers the journalist and speaks for nobody meanwhile."""
    if press.interview:
        return Outcome(INTERVIEW, ("interview_agreement_and_consent", "meanwhile"))
    return Outcome(REFER, ("refer_journalist", "meanwhile"))


def decider(press: PressRequest) -> Role:
    """Who decides: the director on an interview, Communicatie on a request for information."""
    return Role.DIRECTOR if press.interview else Role.COMMUNICATIONS


def advisor(press: PressRequest) -> Role | None:
    """Communicatie gives its agreement on an interview before the director decides."""
    return Role.COMMUNICATIONS if press.interview else None


def waiting_for_communications(request: ApprovalRequest) -> str | None:
    """An interview cannot be decided before Communicatie has given its position (the engine
    refuses with this code; the card shows `requests.refused.<code>`). Free-text advice stored
    before positions were counts as given."""
    if request.verdict == INTERVIEW and not request.advised:
        return WAITING_FOR_COMMUNICATIONS
    return None
