"""Invitations to dinners, outings and events (§2 "Uitnodigingen"): accepted only with clear
added value for the work and for Woongroen, and always decided together with the manager."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.choices import Choice, Choices
from bot.domain.kinds import Outcome
from bot.domain.records import boolean, cents, day, string
from bot.domain.requests import Status

SECTION = "§2 Uitnodigingen"
DECIDE_TOGETHER = "decide_together"
REFUSE = "refuse"
NEGOTIATING = "negotiating"

# From a party in negotiation the code's answer is no (§2: no lunches, dinners or other favours
# from a relation one is negotiating with), so the manager can only take note. Otherwise the
# manager and the employee decide together, and the manager's decision carries its reason (or
# the condition on which it may be accepted).
CHOICES = Choices(
    by_verdict={
        DECIDE_TOGETHER: (
            Choice("accept", Status.APPROVED, "positive", needs_comment=True),
            Choice("accept_on_condition", Status.APPROVED, needs_comment=True),
            Choice("decline", Status.DECLINED, "destructive", needs_comment=True),
        ),
        REFUSE: (Choice("refused", Status.APPROVED, "positive"),),
    }
)


@dataclass(frozen=True)
class InvitationAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_invitation(negotiating: bool) -> InvitationAssessment:
    """Refused when the inviter is negotiating with us; otherwise decided with the manager."""
    if negotiating:
        return InvitationAssessment(REFUSE, (NEGOTIATING,))
    return InvitationAssessment(DECIDE_TOGETHER, (DECIDE_TOGETHER,))


@dataclass(frozen=True)
class Invitation:
    """An invitation as declared: who invites, to what, when, and the value if known."""

    inviter: str
    relation: str  # supplier, tenant, business, other
    kind: str  # dinner, excursion, event, other
    description: str
    event_date: date | None
    value_cents: int | None
    negotiating: bool  # the employee's tick
    added_value: str
    # Set by the bot at submission (never from the form): the party on procurement's list the
    # inviter is, when it is in negotiation on the day of the event, and its period.
    listed_party: str = ""
    listed_period: str = ""

    @property
    def negotiating_listed(self) -> bool:
        return bool(self.listed_party)

    @property
    def summary(self) -> str:
        return f"{self.description} ({self.inviter})"

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "summary": self.summary,
            "inviter": self.inviter,
            "relation": self.relation,
            "kind": self.kind,
            "description": self.description,
            "eventDate": self.event_date.isoformat() if self.event_date else "",
            "valueCents": self.value_cents,
            "negotiating": self.negotiating,
            "addedValue": self.added_value,
        }
        # New keys, only when set (`negotiating` stays what the employee ticked), so a record
        # stored before them writes back as it was.
        if self.listed_party:
            record["negotiatingListed"] = True
            record["listedParty"] = self.listed_party
            record["listedPeriod"] = self.listed_period
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Invitation:
        return cls(
            inviter=string(record, "inviter"),
            relation=string(record, "relation"),
            kind=string(record, "kind"),
            description=string(record, "description"),
            event_date=day(record, "eventDate"),
            value_cents=cents(record, "valueCents"),
            negotiating=boolean(record, "negotiating"),
            added_value=string(record, "addedValue"),
            listed_party=string(record, "listedParty")
            if boolean(record, "negotiatingListed")
            else "",
            listed_period=string(record, "listedPeriod"),
        )


def invitation_rule(invitation: Invitation) -> Outcome:
    """The employee's tick or procurement's list: either makes it an invitation from a party in
    negotiation; the list adds its own reason, so the card says where it came from."""
    assessment = assess_invitation(invitation.negotiating or invitation.negotiating_listed)
    listed = (NEGOTIATING_LISTED,) if invitation.negotiating_listed else ()
    return Outcome(assessment.verdict, (*assessment.reasons, *listed))


NEGOTIATING_LISTED = "negotiating_listed"  # the reason: procurement's list says so


def filed_on(invitation: Invitation) -> date | None:
    """An invitation is filed under the day of the event."""
    return invitation.event_date
