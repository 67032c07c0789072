"""A tenant you know personally (§2 "Huurders"): declare the tie for a case you handle; the
manager decides whether you carry on or the case goes to a colleague (when in doubt: hand over)."""

from __future__ import annotations

from dataclasses import dataclass

SECTION = "§2 Huurders"
VERDICT = "manager_decides_handling"


@dataclass(frozen=True)
class TenantTieAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_tenant_tie(in_doubt: bool) -> TenantTieAssessment:
    reasons = ["treat_like_any_tenant"]
    if in_doubt:
        reasons.append("in_doubt_hand_over")
    return TenantTieAssessment(VERDICT, tuple(reasons))
