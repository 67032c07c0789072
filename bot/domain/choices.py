"""What an approver can decide on a request, per kind and per verdict of the code.

An approver confirms what the code says, or makes it stricter, never looser: on a gift the code
says to refuse there is no "keep". Each choice has a stable code (stored on the request as its
`outcome`, documented in docs/decisions.md) and a status for the engine: APPROVED when the
approver goes along with the code's verdict (or grants what was asked), DECLINED when they make
it stricter (or say no).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.domain.requests import APPROVE, DECLINE, ApprovalRequest, Choice, DecisionRefused, Status

__all__ = ["APPROVE", "DECLINE", "Choice", "Choices", "Withheld"]


@dataclass(frozen=True)
class Withheld:
    """Choices of its verdict that a request cannot be given now, and why: e.g. consent to an
    interview Communicatie did not agree to (the card says `<kind>.withheld.<why>`)."""

    codes: frozenset[str]
    why: str  # a stable reason code


def _none_withheld(request: ApprovalRequest) -> Withheld | None:
    return None


@dataclass(frozen=True)
class Choices:
    """A kind's choices: per verdict ("" for any verdict not named)."""

    by_verdict: Mapping[str, tuple[Choice, ...]] = field(
        default_factory=lambda: {"": (APPROVE, DECLINE)}
    )
    # Verdicts that make the request a report to take note of, not a question to decide:
    # reminded once, never escalated.
    acknowledged: frozenset[str] = frozenset()
    # Per request, which of its verdict's choices are not open to it now (None: all are), read
    # from what is stored on it (e.g. the advisor's position).
    withheld: Callable[[ApprovalRequest], Withheld | None] = _none_withheld

    def offered(self, verdict: str) -> tuple[Choice, ...]:
        """The approver's buttons for a request with this verdict, the code's own first."""
        return self.by_verdict.get(verdict) or self.by_verdict.get("", (APPROVE, DECLINE))

    def open_to(self, request: ApprovalRequest) -> tuple[Choice, ...]:
        """The buttons for this request as it stands: its verdict's, less any withheld."""
        offered = self.offered(request.verdict)
        held = self.withheld(request)
        return offered if held is None else tuple(c for c in offered if c.code not in held.codes)

    @property
    def codes(self) -> frozenset[str]:
        """Every code any verdict offers (each is a card verb: request.<code>)."""
        return frozenset(c.code for options in self.by_verdict.values() for c in options)

    def pick(self, request: ApprovalRequest, code: str) -> Choice:
        """The choice `code` on this request, or DecisionRefused("choice_not_offered").

        The buttons of cards sent before choices existed were "approve" and "decline": on a
        kind that no longer offers those, approve means going along with the code's verdict
        (the first choice) and decline the strictest one (the last). A choice `withheld` from
        this request is not offered, whichever way it is asked for."""
        offered = self.offered(request.verdict)
        open_now = self.open_to(request)
        for choice in open_now:
            if choice.code == code:
                return choice
        legacy = {APPROVE.code: offered[0], DECLINE.code: offered[-1]}.get(code)
        if legacy is not None and legacy in open_now:
            return legacy
        raise DecisionRefused("choice_not_offered")

    def outcome_of(self, request: ApprovalRequest) -> str:
        """The code of what was decided ("" while undecided); a request decided before outcomes
        were stored reads as the choice its status stood for."""
        return self.outcome_code(request.status, request.verdict, request.outcome)

    def outcome_code(self, status: Status, verdict: str, outcome: str) -> str:
        """`outcome_of` for what a listing keeps of a request."""
        if status not in (Status.APPROVED, Status.DECLINED):
            return ""
        if outcome:
            return outcome
        offered = self.offered(verdict)
        legacy = APPROVE if status is Status.APPROVED else DECLINE
        if any(c.code == legacy.code for c in offered):
            return legacy.code
        return (offered[0] if status is Status.APPROVED else offered[-1]).code

    def acknowledgement(self, request: ApprovalRequest) -> bool:
        """Whether the request is a report to take note of (one reminder, no escalation)."""
        return request.verdict in self.acknowledged
