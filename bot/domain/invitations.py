"""Invitations to dinners, outings and events (§2 "Uitnodigingen"): accepted only with clear
added value for the work and for Woongroen, and always decided together with the manager."""

from __future__ import annotations

from dataclasses import dataclass

SECTION = "§2 Uitnodigingen"
DECIDE_TOGETHER = "decide_together"


@dataclass(frozen=True)
class InvitationAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_invitation(negotiating: bool) -> InvitationAssessment:
    """The outcome is always the manager's decision; negotiation is a warning, not a block."""
    reasons = (DECIDE_TOGETHER, "negotiating_warning") if negotiating else (DECIDE_TOGETHER,)
    return InvitationAssessment(DECIDE_TOGETHER, reasons)
