"""Request kinds: one catalogue per app, typed facts that round-trip through their stored
record, and what each kind says about its register and the overview."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.gifts import Gift, GiftKind, Relation
from bot.domain.housing import Housing
from bot.domain.invitations import Invitation
from bot.domain.kinds import Kinds, RecordFacts
from bot.domain.press import PressRequest
from bot.domain.requests import ApprovalRequest, ApproverRole, Person, Status
from bot.domain.sidejobs import SideJob
from bot.domain.social import SocialPost
from bot.domain.suppliers import Quote, SupplierBusiness
from bot.domain.tenants import TenantTie
from dialogs import gift, product_kinds
from tests.support.kinds import KINDS

NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)

FACTS = {
    "gift": Gift(
        "Jan", "Vos", Relation.SUPPLIER, False, "Wijn", GiftKind.GOODS, True, 2500,
        date(2026, 11, 20), False, "", ("2026-03-01: Bloemen (€\u00a020,00)",),
    ),
    "invitation": Invitation(
        "Vos", "supplier", "dinner", "Diner", date(2026, 12, 12), None, True, "Netwerk"
    ),
    "sidejob": SideJob(
        "Penningmeester", "Voetbalclub", "unpaid", 6.5, True, "Huurt bij ons",
        date(2026, 1, 1), date(2026, 6, 1), NOW, NOW,
    ),
    "supplier": SupplierBusiness(
        "Vos", "Dakkapel", "Enige", 500000, (Quote("A", 480000), Quote("B", 560000))
    ),
    "tenant": TenantTie("Dorpsstraat 1", "relative", "Reparatie", True),
    "housing": Housing("Mijn zoon", "relative", "applies", "home", "De Linde 4", ""),
    "press": PressRequest("Eva Bos", "Dagblad", "06 1", "interview", "Over De Linde", "vrijdag"),
    "social": SocialPost("tenant", "LinkedIn", "Foto van de oplevering"),
}  # fmt: skip


def request(kind: str, status: Status = Status.PENDING) -> ApprovalRequest:
    return ApprovalRequest(
        id="X-1",
        kind=kind,
        tenant_id="t",
        requester=Person("sanne", "Sanne"),
        approver=Person("pieter", "Pieter"),
        approver_role=ApproverRole.MANAGER,
        facts=FACTS[kind],
        verdict="",
        reasons=(),
        created_at=NOW,
        status=status,
    )


def test_the_product_kinds_are_in_menu_order_with_their_own_facts() -> None:
    assert KINDS.names == (
        "gift",
        "invitation",
        "sidejob",
        "supplier",
        "tenant",
        "housing",
        "press",
        "social",
    )
    assert {k.name: k.facts_type for k in KINDS} == {k: type(f) for k, f in FACTS.items()}


@pytest.mark.parametrize("kind", sorted(FACTS))
def test_facts_read_back_from_their_record_unchanged(kind: str) -> None:
    facts = FACTS[kind]
    record = facts.to_record()
    assert record["summary"] == facts.summary
    assert KINDS.read_facts(kind, record) == facts


def test_a_record_with_gaps_reads_with_neutral_defaults() -> None:
    partial = KINDS.read_facts("gift", {"summary": "Wijn (Vos)", "description": "Wijn"})
    assert isinstance(partial, Gift) and partial.description == "Wijn"
    assert partial.value_cents == 0 and partial.kind is GiftKind.OTHER
    assert KINDS["gift"].register_day(replace(request("gift"), facts=partial)) == date(2026, 11, 29)


def test_a_kind_the_app_does_not_know_keeps_its_record() -> None:
    record = {"summary": "Iets ouds", "anything": [1, {"x": True}]}
    facts = KINDS.read_facts("retired", record)
    assert facts == RecordFacts(record) and facts.summary == "Iets ouds"
    assert facts.to_record() == record


def test_a_kind_is_named_once_per_app() -> None:
    with pytest.raises(ValueError, match="gift"):
        Kinds((*product_kinds(), gift.KIND))


def test_each_kind_says_what_is_on_its_register_and_its_value() -> None:
    assert KINDS["gift"].register_day(request("gift")) == date(2026, 11, 20)
    assert KINDS["supplier"].register_day(request("supplier")) == date(2026, 11, 29)
    assert not KINDS["tenant"].on_register(request("tenant", Status.WITHDRAWN))
    current = replace(
        request("sidejob", Status.APPROVED), facts=replace(FACTS["sidejob"], ended_on=None)
    )
    assert KINDS["sidejob"].on_register(current)
    assert not KINDS["sidejob"].on_register(request("sidejob", Status.APPROVED))  # ended
    assert KINDS["sidejob"].in_year(current, 2030) and not KINDS["sidejob"].in_year(current, 2025)
    assert KINDS["gift"].value_of(request("gift")) == 2500
    assert KINDS["supplier"].value_of(request("supplier")) is None  # not a value in the overview


def test_a_request_of_another_kind_is_not_read_as_this_one() -> None:
    with pytest.raises(TypeError):
        KINDS["gift"].facts_of(request("tenant"))


def test_a_kind_without_a_register_is_not_offered_or_shown_as_one() -> None:
    from dialogs import tenant
    from dialogs.registers import chooser_card, pick_kind
    from tests.support.flows import texts

    unregistered = replace(tenant.KIND, has_register=False)
    kinds = Kinds((*(k for k in product_kinds() if k.name != "tenant"), unregistered))
    assert pick_kind(kinds, "tenant") is None and pick_kind(kinds, "gift") is not None
    assert "Banden met huurders" not in texts(chooser_card(kinds, "nl-NL"))
    assert "Banden met huurders" in texts(chooser_card(KINDS, "nl-NL"))
    assert not unregistered.on_register(request("tenant"))
