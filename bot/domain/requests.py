"""The approval engine's state: one request of any kind, its status machine and audit trail.

Every request kind (gift, invitation, side job, supplier consent, tenant tie) is a request with
kind-specific facts; who decides and how the status moves is the same for all of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud without confusion


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ApproverRole(StrEnum):
    """Why this person decides."""

    MANAGER = "manager"
    RVC_CHAIR = "rvc_chair"  # the requester is the directeur-bestuurder or a member of the RvC
    RVC_VICE_CHAIR = "rvc_vice_chair"  # the requester is the chair of the RvC
    RVC = "rvc"  # the requester chairs the RvC and there is no vice-chair: the whole RvC decides
    FALLBACK = "fallback"  # no (reachable) manager: the integrity officer
    ESCALATION = "escalation"  # the approver did not decide in time: their own manager
    COMMUNICATIONS = "communications"  # the kind goes to Communicatie (the press, social media)
    DIRECTOR = "director"  # the kind needs the director's consent (an interview)


class DecisionRefused(Exception):
    """The actor may not take this decision; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Facts(Protocol):
    """What a request is about, typed per kind (see bot.domain.kinds); stored as a JSON record
    whose keys never change, so requests written long ago still read."""

    @property
    def summary(self) -> str:
        """One line naming the request ("Fles wijn (Bouwbedrijf Vos)")."""
        ...

    def to_record(self) -> dict[str, Any]:
        """The facts as stored: plain JSON values under their stored (camelCase) keys."""
        ...


@dataclass(frozen=True)
class Choice:
    """One button on the approver's card (see bot.domain.choices for a kind's set)."""

    code: str  # stable: stored as the request's outcome (approve, keep, give_back ...)
    status: Status  # APPROVED: along with the code (or granted); DECLINED: stricter (or no)
    style: str = "default"  # Adaptive Card action style: positive, destructive, default
    needs_comment: bool = False  # the comment (a reason, a condition) is required
    needs_colleague: bool = False  # the approver names who takes it over (a tenant's case)


APPROVE = Choice("approve", Status.APPROVED, "positive")
DECLINE = Choice("decline", Status.DECLINED, "destructive")


@dataclass(frozen=True)
class Position:
    """One answer an advisor picks, on a kind whose advice is a position rather than free text
    (Communicatie on an interview: akkoord or niet akkoord); see `Kind.advice_positions`."""

    code: str  # stable: stored as the request's `advice_position` (agree, disagree)
    needs_reason: bool = False  # the advice text (why) is required with it


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: str
    action: str  # submitted, delivered, rerouted, approved, declined, withdrawn, ...
    detail: str = ""


@dataclass(frozen=True)
class Note:
    """Information the requester added while the request was pending (see bot.domain.amend)."""

    at: datetime
    text: str


@dataclass(frozen=True)
class Step:
    """What follows a verdict or a decision, tracked until it is done: a gift handed in to the
    secretariat, or given back to the giver (codes in docs/decisions.md)."""

    code: str  # hand_in, give_back
    due_on: date | None = None
    to: str = ""  # who receives it, by name (the secretariat, from the directory)
    done_at: datetime | None = None
    done_by: str = ""
    reminded_at: datetime | None = None  # the requester was reminded that it is overdue
    escalated_at: datetime | None = None  # then the approver was told

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class ApprovalRequest:
    id: str
    kind: str
    tenant_id: str
    requester: Person
    approver: Person
    approver_role: ApproverRole
    facts: Facts
    verdict: str
    reasons: tuple[str, ...]
    created_at: datetime
    status: Status = Status.PENDING
    decided_at: datetime | None = None
    decided_by: str | None = None
    comment: str = ""
    audit: tuple[AuditEntry, ...] = field(default_factory=tuple)
    watchers: tuple[str, ...] = ()  # Teams ids (29:...) of requester and approver, for card refresh
    advisor: Person | None = None  # e.g. HR for a side job: advises, does not decide
    advice: str = ""  # free text (HR); with a position: the remarks, or the reason
    # The advisor's position, on a kind that asks for one (`Position.code`: agree, disagree);
    # "" for free-text advice, and for advice given before positions were stored.
    advice_position: str = ""
    advised_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    former_approvers: tuple[str, ...] = ()  # ids it was put before earlier (rerouted away)
    notes: tuple[Note, ...] = ()  # added by the requester; the facts are never rewritten
    outcome: str = ""  # the code of the approver's choice (bot.domain.choices), once decided
    step: Step | None = None  # what the requester does next (hand in, give back), tracked
    # Decided without the advice it asked for, and why: no_advisor, advice_lapsed ("" if not).
    decided_without: str = ""
    assignee: Person | None = None  # the colleague it was handed over to (a tenant's case)
    # The chat message holding the requester's own card (the form they submitted, which became
    # its receipt), so an action taken elsewhere (the tab) updates it too; "" when unknown.
    receipt_message: str = ""
    # Who may decide besides the approver (the whole RvC when its chair declares and there is
    # no vice-chair): each gets the card, the first decision counts.
    co_approvers: tuple[Person, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status is Status.PENDING

    @property
    def advised(self) -> bool:
        """Whether the advisor has given advice: a text, or a position (akkoord)."""
        return bool(self.advice.strip() or self.advice_position)

    @property
    def deciders(self) -> tuple[Person, ...]:
        """Everyone who may decide it now: the approver and any co-approvers."""
        return (self.approver, *self.co_approvers)

    def may_be_decided_by(self, person_id: str) -> bool:
        return any(p.id == person_id for p in self.deciders)

    @property
    def asked(self) -> tuple[str, ...]:
        """Everyone it was ever put before: former approvers, the approvers and the advisor."""
        advisor = (self.advisor.id,) if self.advisor else ()
        others = tuple(p.id for p in self.co_approvers)
        return tuple(dict.fromkeys((*self.former_approvers, self.approver.id, *others, *advisor)))

    def closed_at(self) -> datetime | None:
        """When it stopped waiting: the decision, or the withdrawal in its trail."""
        if self.decided_at is not None:
            return self.decided_at
        withdrawn = [e.at for e in self.audit if e.action == Status.WITHDRAWN.value]
        return max(withdrawn) if withdrawn else None


# Audit actions about advice the kind asks for before the approver decides (a side job: HR).
NO_ADVISOR = "no_advisor"  # at submission: nobody holds the advisor's role in the directory
ADVICE_REMINDED = "advice_reminded"  # the advisor did not advise in time and was reminded
ADVICE_LAPSED = "advice_lapsed"  # still no advice after that: the approver may decide without
WITHOUT_ADVICE = "without_advice"  # the decision was taken without the advice (detail: why)
HANDED_OVER = "handed_over"  # the approver gave the case to a colleague (detail: their id)


def lacking_advice(request: ApprovalRequest) -> str | None:
    """Why a decision now would be taken without the advice the request asks for: nobody to
    advise (`no_advisor`) or the advisor let the period pass (`advice_lapsed`); once decided,
    why it was. None when advised, or when no advice was asked."""
    if request.decided_without:
        return request.decided_without
    if not request.pending or request.advised:
        return None
    actions = {e.action for e in request.audit}
    if NO_ADVISOR in actions:
        return NO_ADVISOR
    if request.advisor is not None and ADVICE_LAPSED in actions:
        return ADVICE_LAPSED
    return None


def request_id(prefix: str, *parts: str) -> str:
    """A short, readable reference derived from its parts, so a retried submission reuses it."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    code = "".join(chars)
    return f"{prefix}-{code[:4]}-{code[4:]}"


def may_decide(request: ApprovalRequest, actor_id: str) -> None:
    """Refused (DecisionRefused) unless `actor_id` is the request's approver (or one of its
    co-approvers) and it is pending."""
    if actor_id == request.requester.id:
        raise DecisionRefused("own_request")
    if not request.may_be_decided_by(actor_id):
        raise DecisionRefused("not_approver")
    if request.status is Status.WITHDRAWN:
        raise DecisionRefused("withdrawn")
    if not request.pending:
        raise DecisionRefused("already_decided")


MAX_COMMENT = 1000  # an approver's reason, as the card's field allows
MAX_ADVICE = 2000  # an advisor's advice


def decide(
    request: ApprovalRequest,
    actor_id: str,
    choice: Choice,
    comment: str,
    now: datetime,
    assignee: Person | None = None,
) -> ApprovalRequest:
    """The designated approver decides a pending request; anyone else is refused. Whether
    `choice` is offered on this request is the kind's to say (bot.domain.choices).

    A decision on a request that is no longer pending is refused with `already_decided` (or
    `withdrawn`), which callers treat as a no-op that shows the current state.
    """
    may_decide(request, actor_id)
    if len(comment) > MAX_COMMENT:
        raise DecisionRefused("comment_too_long")  # refused whole, never cut
    if choice.needs_comment and not comment.strip():
        raise DecisionRefused("comment_required")
    if choice.needs_colleague and assignee is None:
        raise DecisionRefused("colleague_required")
    if assignee is not None and assignee.id in (request.requester.id, actor_id):
        raise DecisionRefused("colleague_invalid")
    handed = (
        (AuditEntry(now, actor_id, HANDED_OVER, assignee.id),)
        if choice.needs_colleague and assignee is not None
        else ()
    )
    entry = AuditEntry(now, actor_id, choice.status.value, comment)
    lacking = lacking_advice(request)
    noted = (AuditEntry(now, actor_id, WITHOUT_ADVICE, lacking),) if lacking else ()
    return replace(
        request,
        status=choice.status,
        outcome=choice.code,
        decided_at=now,
        decided_by=actor_id,
        comment=comment,
        audit=(*request.audit, *noted, *handed, entry),
        decided_without=lacking or "",
        assignee=assignee if choice.needs_colleague else None,
    )


def advise(
    request: ApprovalRequest,
    actor_id: str,
    advice: str,
    now: datetime,
    position: str = "",
    positions: tuple[Position, ...] = (),
) -> ApprovalRequest:
    """The designated advisor adds (or revises) advice while the request is pending.

    `positions`: what the request's kind asks of its advisor (`Kind.advice_positions`); none:
    free-text advice, required. Else one of them is required (`position_required`), with the
    text as remarks, required when the position needs a reason (`reason_required`)."""
    if request.advisor is None or actor_id != request.advisor.id:
        raise DecisionRefused("not_advisor")
    if not request.pending:
        raise DecisionRefused("already_decided")
    if len(advice) > MAX_ADVICE:
        raise DecisionRefused("advice_too_long")  # refused whole, never cut
    if positions:
        chosen = next((p for p in positions if p.code == position), None)
        if chosen is None:
            raise DecisionRefused("position_required")
        if chosen.needs_reason and not advice.strip():
            raise DecisionRefused("reason_required")
        advice = advice.strip()
    elif position:
        raise DecisionRefused("position_not_offered")  # this kind's advice is free text
    elif not advice.strip():
        raise DecisionRefused("empty_advice")
    entry = AuditEntry(now, actor_id, "advised", advice_detail(position, advice))
    return replace(
        request,
        advice=advice,
        advice_position=position,
        advised_at=now,
        audit=(*request.audit, entry),
    )


def advice_detail(position: str, advice: str) -> str:
    """The trail's `advised` detail: the advice as given, after its position when it has one
    ("disagree: niet in deze periode"), so each revision keeps the position it had."""
    if not position:
        return advice
    return f"{position}: {advice}" if advice else position


def position_in(entry: AuditEntry, positions: tuple[Position, ...]) -> str:
    """The position an `advised` trail entry recorded ("" for free-text advice)."""
    code = entry.detail.partition(":")[0].strip()
    return code if entry.action == "advised" and any(p.code == code for p in positions) else ""


def withdraw(request: ApprovalRequest, actor_id: str, now: datetime) -> ApprovalRequest:
    """Only the requester can withdraw, and only while it is pending."""
    if actor_id != request.requester.id:
        raise DecisionRefused("not_requester")
    if not request.pending:
        raise DecisionRefused("already_decided")
    entry = AuditEntry(now, actor_id, Status.WITHDRAWN.value)
    return replace(request, status=Status.WITHDRAWN, audit=(*request.audit, entry))


def reroute(
    request: ApprovalRequest,
    to: Person,
    role: ApproverRole,
    why: str,
    now: datetime,
    action: str = "rerouted",
) -> ApprovalRequest:
    """Give a pending request to another approver (the fallback when the manager is away)."""
    entry = AuditEntry(now, "system", action, f"{request.approver.id} -> {to.id}: {why}")
    former = tuple(
        dict.fromkeys(
            (*request.former_approvers, request.approver.id, *(p.id for p in request.co_approvers))
        )
    )
    return replace(
        request,
        co_approvers=(),
        approver=to,
        approver_role=role,
        audit=(*request.audit, entry),
        former_approvers=former,
    )
