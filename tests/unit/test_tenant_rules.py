"""Tenant ties (§2 Huurders): not sure means the case goes to a colleague the manager names."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.domain.requests import DecisionRefused, Person, Status, decide
from bot.domain.tenants import CHOICES, HAND_OVER, TenantTie, tenant_rule
from tests.support.card_samples import _gift_request

NOW = datetime(2026, 12, 2, 10, tzinfo=UTC)
LOTTE = Person("lotte", "Lotte Smit")


def _tie(doubt: bool):  # type: ignore[no-untyped-def]
    facts = TenantTie("Dorpsstraat 12", "relative", "Woningaanpassing", doubt)
    outcome = tenant_rule(facts)
    return dataclasses.replace(_gift_request(), kind="tenant", facts=facts, verdict=outcome.verdict)


def test_not_sure_is_hand_over_with_no_way_to_keep_it() -> None:
    request = _tie(doubt=True)
    assert request.verdict == HAND_OVER
    assert [c.code for c in CHOICES.offered(request.verdict)] == ["hand_over"]
    with pytest.raises(DecisionRefused, match="choice_not_offered"):
        CHOICES.pick(request, "keep_self")


def test_sure_the_manager_may_let_the_employee_keep_it_or_hand_over() -> None:
    request = _tie(doubt=False)
    assert [c.code for c in CHOICES.offered(request.verdict)] == ["keep_self", "hand_over"]
    kept = decide(request, "u2", CHOICES.pick(request, "keep_self"), "", NOW)
    assert (kept.status, kept.assignee) == (Status.APPROVED, None)


def test_handing_over_needs_a_colleague_who_is_neither_requester_nor_approver() -> None:
    request = _tie(doubt=True)
    choice = CHOICES.pick(request, "hand_over")
    with pytest.raises(DecisionRefused, match="colleague_required"):
        decide(request, "u2", choice, "", NOW)
    for wrong in (request.requester, request.approver):
        with pytest.raises(DecisionRefused, match="colleague_invalid"):
            decide(request, "u2", choice, "", NOW, wrong)
    handed = decide(request, "u2", choice, "", NOW, LOTTE)
    assert handed.assignee == LOTTE and handed.outcome == "hand_over"
    assert [(e.action, e.detail) for e in handed.audit][-2] == ("handed_over", "lotte")
