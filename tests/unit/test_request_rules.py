from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain.requests import (
    APPROVE,
    DECLINE,
    MAX_ADVICE,
    MAX_COMMENT,
    ApprovalRequest,
    ApproverRole,
    DecisionRefused,
    Person,
    Status,
    advise,
    decide,
    request_id,
    withdraw,
)

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)
REQUEST = ApprovalRequest(
    id="CAD-X",
    kind="gift",
    tenant_id="t",
    requester=Person("sanne", "Sanne"),
    approver=Person("pieter", "Pieter"),
    approver_role=ApproverRole.MANAGER,
    facts={},
    verdict="keep",
    reasons=(),
    created_at=NOW,
)


def test_the_designated_approver_decides_once_with_an_audit_entry() -> None:
    decided = decide(REQUEST, "pieter", APPROVE, "prima", NOW)
    assert decided.status is Status.APPROVED
    assert (decided.decided_by, decided.comment) == ("pieter", "prima")
    assert decided.audit[-1].action == "approved"
    with pytest.raises(DecisionRefused, match="already_decided"):
        decide(decided, "pieter", DECLINE, "", NOW)


@pytest.mark.parametrize(("actor", "code"), [("lotte", "not_approver"), ("sanne", "own_request")])
def test_nobody_else_decides_and_nobody_decides_their_own(actor: str, code: str) -> None:
    with pytest.raises(DecisionRefused, match=code):
        decide(REQUEST, actor, APPROVE, "", NOW)


def test_own_request_is_refused_even_when_the_requester_is_the_approver() -> None:
    own = replace(REQUEST, approver=Person("sanne", "Sanne"))
    with pytest.raises(DecisionRefused, match="own_request"):
        decide(own, "sanne", APPROVE, "", NOW)


def test_only_the_requester_withdraws_a_pending_request() -> None:
    with pytest.raises(DecisionRefused, match="not_requester"):
        withdraw(REQUEST, "pieter", NOW)
    assert withdraw(REQUEST, "sanne", NOW).status is Status.WITHDRAWN


def test_request_ids_are_stable_for_the_same_form_and_differ_otherwise() -> None:
    first = request_id("CAD", "t", "sanne", "form-1")
    assert first == request_id("CAD", "t", "sanne", "form-1")
    assert first != request_id("CAD", "t", "sanne", "form-2")
    assert first.startswith("CAD-") and len(first) == len("CAD-XXXX-XXXX")


def test_supplier_quotes_are_shown_in_the_viewers_language() -> None:
    from bot.domain.suppliers import quotes_text

    quotes = [
        {"provider": "Dakwerken Noord", "amountCents": 480000},
        {"provider": "B", "amountCents": 5},
    ]
    assert quotes_text(quotes) == "Dakwerken Noord: €\u00a04.800,00; B: €\u00a00,05"
    assert quotes_text(quotes, "en") == "Dakwerken Noord: €4,800.00; B: €0.05"
    assert quotes_text("not a list") == ""


def test_a_reason_or_advice_over_its_limit_is_refused_whole_never_cut() -> None:
    decided = decide(REQUEST, "pieter", APPROVE, "x" * MAX_COMMENT, NOW)
    assert decided.comment == "x" * MAX_COMMENT
    with pytest.raises(DecisionRefused, match="comment_too_long"):
        decide(REQUEST, "pieter", APPROVE, "x" * (MAX_COMMENT + 1), NOW)
    asked = replace(REQUEST, advisor=Person("hr", "HR"))
    assert advise(asked, "hr", "y" * MAX_ADVICE, NOW).advice == "y" * MAX_ADVICE
    with pytest.raises(DecisionRefused, match="advice_too_long"):
        advise(asked, "hr", "y" * (MAX_ADVICE + 1), NOW)
