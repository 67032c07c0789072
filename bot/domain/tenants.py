"""A tenant you know personally (§2 "Huurders"): declare the tie for a case you handle; the
manager decides whether you carry on or the case goes to a colleague (when in doubt: hand over)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.choices import Choices
from bot.domain.kinds import Outcome
from bot.domain.records import boolean, string
from bot.domain.requests import Choice, Status

SECTION = "§2 Huurders"
VERDICT = "manager_decides_handling"
HAND_OVER = "hand_over"  # the employee is not sure: the case goes to a colleague

# The manager's choices: carry on, or a named colleague takes the case over. When the employee
# is not sure they can treat the tenant like any other, handing over is the only way (§2).
KEEP_SELF = Choice("keep_self", Status.APPROVED, "positive")
HAND_OVER_ASKED = Choice(HAND_OVER, Status.DECLINED, "default", needs_colleague=True)
HAND_OVER_AS_THE_CODE_SAYS = Choice(HAND_OVER, Status.APPROVED, "positive", needs_colleague=True)
CHOICES = Choices(
    by_verdict={
        HAND_OVER: (HAND_OVER_AS_THE_CODE_SAYS,),
        "": (KEEP_SELF, HAND_OVER_ASKED),
    }
)


@dataclass(frozen=True)
class TenantTieAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_tenant_tie(in_doubt: bool) -> TenantTieAssessment:
    """Not sure to treat the tenant like any other: hand over; otherwise the manager decides."""
    reasons = ["treat_like_any_tenant"]
    if in_doubt:
        reasons.append("in_doubt_hand_over")
        return TenantTieAssessment(HAND_OVER, tuple(reasons))
    return TenantTieAssessment(VERDICT, tuple(reasons))


@dataclass(frozen=True)
class TenantTie:
    """A tenant the employee knows personally, and the case they handle."""

    tenant: str
    tie: str  # friend, relative, acquaintance, other
    case: str
    doubt: bool

    @property
    def summary(self) -> str:
        return self.tenant

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "tenant": self.tenant,
            "tie": self.tie,
            "case": self.case,
            "doubt": self.doubt,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TenantTie:
        return cls(
            tenant=string(record, "tenant"),
            tie=string(record, "tie"),
            case=string(record, "case"),
            doubt=boolean(record, "doubt"),
        )


def tenant_rule(tie: TenantTie) -> Outcome:
    assessment = assess_tenant_tie(tie.doubt)
    return Outcome(assessment.verdict, assessment.reasons)
