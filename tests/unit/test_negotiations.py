"""The list of parties in negotiation, pure: how names match, how typed parties and CSV imports
are checked, and what the gift and invitation rules make of "on the list"."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.domain.gifts import Gift, GiftKind, GiverYear, Reason, Relation, Verdict, assess_gift
from bot.domain.invitations import Invitation, invitation_rule
from bot.domain.negotiations import Party, listed_on, match_key, read_csv, read_party
from bot.storage.memory import MemoryNegotiations
from bot.storage.negotiations import CachedNegotiations


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Bouwbedrijf Vos B.V.", "bouwbedrijf vos bv"),
        ("Bouwbedrijf Vos B.V.", "BOUWBEDRIJF VOS"),
        ("Bouwbedrijf Vos B.V.", "Bouwbedrijf  Vos, B. V."),
        ("Vos N.V.", "Vos"),
        ("Schilders & Zn V.O.F.", "schilders en zn vof"),
        ("Van der Heijden Installatietechniek", "van der heijden installatietechniek b.v."),
        ("Café De Gouden Leeuw", "Cafe de Gouden Leeuw"),
        ("BV De Bouwers", "De Bouwers"),  # a legal form in front goes too
        ("O'Neill Advies", "ONeill advies"),
        ("Vos-Bouw", "Vos Bouw"),
    ],
)
def test_names_of_one_party_share_a_match_key(one: str, other: str) -> None:
    assert match_key(one) == match_key(other)
    assert match_key(one)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Bouwbedrijf Vos", "Vos B.V."),  # "Bouwbedrijf" is part of the name: not stripped
        ("Vos Installatie", "Vos"),
        ("Vos", "Vosse"),
        ("Jansen Bouw", "Jansen"),
        ("Holding Vos", "Vos"),  # Holding is not a legal form
    ],
)
def test_different_names_are_different_parties(one: str, other: str) -> None:
    assert match_key(one) != match_key(other)


def test_a_name_of_only_a_legal_form_or_punctuation_has_no_key() -> None:
    assert match_key("B.V.") == ""
    assert match_key("  ...  ") == ""
    assert match_key("") == ""


VOS = Party("t", "Bouwbedrijf Vos B.V.", date(2026, 9, 1), date(2026, 12, 31))
LIST = {VOS.key: VOS}


@pytest.mark.parametrize(
    ("day", "found"),
    [
        (date(2026, 8, 31), False),
        (date(2026, 9, 1), True),  # start included
        (date(2026, 11, 20), True),
        (date(2026, 12, 31), True),  # end included
        (date(2027, 1, 1), False),
    ],
)
def test_a_party_is_in_negotiation_from_its_start_to_its_end(day: date, found: bool) -> None:
    assert (listed_on(LIST, "bouwbedrijf vos", day) is VOS) is found


def test_an_unlisted_or_empty_giver_is_not_in_negotiation() -> None:
    assert listed_on(LIST, "Vos", date(2026, 11, 20)) is None
    assert listed_on(LIST, "", date(2026, 11, 20)) is None


def test_a_typed_party_is_checked_field_by_field() -> None:
    good = read_party("  Bouwbedrijf  Vos B.V. ", "1234 5678", "01-09-2026", "2026-12-31")
    assert good.errors == ()
    assert (good.name, good.kvk) == ("Bouwbedrijf Vos B.V.", "12345678")
    assert (good.start, good.end) == (date(2026, 9, 1), date(2026, 12, 31))
    assert read_party("", "", "", "").errors == ("name_required", "start_required", "end_required")
    assert read_party("B.V.", "123", "2026-13-01", "x").errors == (
        "name_only_legal_form",
        "kvk_invalid",
        "start_invalid",
        "end_invalid",
    )
    assert read_party("Vos", "", "2026-09-01", "2026-08-31").errors == ("end_before_start",)
    assert read_party("x" * 161, "", "2026-09-01", "2026-09-01").errors == ("name_too_long",)


def test_a_csv_import_reads_semicolons_commas_tabs_a_header_and_a_missing_kvk_column() -> None:
    text = (
        "naam;kvk;start;eind\n"
        "Bouwbedrijf Vos B.V.;12345678;2026-09-01;2026-12-31\n"
        "\n"
        '"Schilders, Jansen & Zn";;01-03-2026;30-06-2026\n'
    )
    read = read_csv(text)
    assert read.errors == ()
    assert [p.name for p in read.parties] == ["Bouwbedrijf Vos B.V.", "Schilders, Jansen & Zn"]
    assert read.parties[1].kvk == "" and read.parties[1].end == date(2026, 6, 30)
    assert [p.name for p in read_csv("Vos,2026-01-01,2026-02-01").parties] == ["Vos"]
    assert [p.kvk for p in read_csv("Vos\t87654321\t2026-01-01\t2026-02-01").parties] == [
        "87654321"
    ]


def test_any_bad_line_imports_nothing_and_every_bad_line_is_named() -> None:
    text = (
        "Bouwbedrijf Vos B.V.;12345678;2026-09-01;2026-12-31\n"
        "Schilders;;2026-05-01;2026-04-01\n"
        "Alleen een naam\n"
        "bouwbedrijf vos bv;;2026-01-01;2026-02-01\n"
    )
    read = read_csv(text)
    assert read.parties == ()
    assert [(e.line, e.codes) for e in read.errors] == [
        (2, ("end_before_start",)),
        (3, ("columns",)),
        (4, ("duplicate",)),
    ]
    assert read.errors[1].text == "Alleen een naam"


def test_an_empty_import_is_an_error() -> None:
    assert read_csv("  \n\n").errors[0].codes == ("empty",)
    assert read_csv("naam;kvk;start;eind\n").errors[0].codes == ("empty",)


WINE = Gift(
    giver_name="Jan de Vos",
    giver_organisation="Bouwbedrijf Vos",
    relation=Relation.SUPPLIER,
    negotiating=False,
    description="Fles wijn",
    kind=GiftKind.GOODS,
    everyday=True,
    value_cents=2500,
    received_on=date(2026, 11, 28),
    at_home=False,
)


def test_a_gift_from_a_listed_party_is_refused_though_the_employee_did_not_tick_it() -> None:
    listed = replace(
        WINE, listed_party="Bouwbedrijf Vos B.V.", listed_period="2026-09-01/2026-12-31"
    )
    result = assess_gift(listed)
    assert result.verdict is Verdict.REFUSE
    assert Reason.NEGOTIATING_LISTED in result.reasons
    assert Reason.NEGOTIATING not in result.reasons  # the employee did not say so
    both = assess_gift(replace(listed, negotiating=True))
    assert both.reasons[:2] == (Reason.NEGOTIATING, Reason.NEGOTIATING_LISTED)
    assert assess_gift(WINE).verdict is Verdict.KEEP


def test_the_employee_tick_and_the_list_are_kept_apart_in_the_record() -> None:
    listed = replace(
        WINE,
        listed_party="Bouwbedrijf Vos B.V.",
        listed_period="2026-09-01/2026-12-31",
        giver_year=GiverYear(3, 7500, 2),
    )
    record = listed.to_record()
    assert record["negotiating"] is False  # what the employee ticked, as before
    assert record["negotiatingListed"] is True
    assert record["listedParty"] == "Bouwbedrijf Vos B.V."
    assert (record["giverYearGifts"], record["giverYearCents"], record["giverYearColleagues"]) == (
        3,
        7500,
        2,
    )
    assert Gift.from_record(record) == listed
    assert "negotiatingListed" not in WINE.to_record()  # not set: not written
    # a record stored before the list existed reads as "not on the list"
    old = {k: v for k, v in WINE.to_record().items() if not k.startswith(("negotiatingL", "giver"))}
    assert Gift.from_record({**old, "giverName": "Jan de Vos"}).negotiating_listed is False


def test_an_invitation_from_a_listed_party_carries_the_list_as_its_own_reason() -> None:
    invitation = Invitation(
        "Bouwbedrijf Vos", "supplier", "dinner", "Diner", date(2026, 12, 5), None, False, "Netwerk"
    )
    assert "negotiating_listed" not in invitation_rule(invitation).reasons
    listed = replace(invitation, listed_party="Bouwbedrijf Vos B.V.")
    assert "negotiating_listed" in invitation_rule(listed).reasons
    assert "negotiatingListed" not in invitation.to_record()
    record = listed.to_record()
    assert record["negotiating"] is False and record["negotiatingListed"] is True
    assert Invitation.from_record(record) == listed


def _copy(
    rid: str, requester: str, organisation: str, cents: int, day: str, status: Any = None
) -> Any:
    from bot.domain.requests import ApprovalRequest, ApproverRole, Person, Status

    facts = Gift.from_record(
        {"giverOrganisation": organisation, "valueCents": cents, "receivedOn": day}
    )
    return ApprovalRequest(
        id=rid,
        kind="gift",
        tenant_id="t",
        requester=Person(requester, requester),
        approver=Person("pieter", "Pieter"),
        approver_role=ApproverRole.MANAGER,
        facts=facts,
        verdict="keep",
        reasons=(),
        created_at=datetime(2026, 11, 29, tzinfo=UTC),
        status=status or Status.PENDING,
    )


def test_what_one_organisation_gave_is_counted_per_year_over_all_staff_without_withdrawn() -> None:
    from bot.domain.requests import Status
    from bot.services.negotiations import giver_years
    from tests.support.kinds import KINDS

    copies = [
        _copy("1", "sanne", "Schilders Jansen B.V.", 1500, "2026-03-01"),
        _copy("2", "sanne", "schilders jansen bv", 2000, "2026-04-01", Status.DECLINED),
        _copy("3", "fatima", "Schilders Jansen", 2500, "2026-05-01", Status.APPROVED),
        _copy("4", "joost", "Schilders Jansen", 9900, "2026-06-01", Status.WITHDRAWN),
        _copy("5", "joost", "Schilders Jansen", 1000, "2025-06-01"),
        _copy("6", "joost", "Bouwbedrijf Vos", 700, "2026-06-01"),
    ]
    tallies = giver_years(KINDS["gift"], copies)
    assert tallies[(2026, "schilders jansen")] == GiverYear(3, 6000, 2)
    assert tallies[(2025, "schilders jansen")] == GiverYear(1, 1000, 1)
    assert tallies[(2026, "bouwbedrijf vos")] == GiverYear(1, 700, 1)


class _Counting(MemoryNegotiations):
    def __init__(self) -> None:
        super().__init__()
        self.finds = 0

    async def find(self, tenant_id: str, key: str) -> Party | None:
        self.finds += 1
        return await super().find(tenant_id, key)


async def test_a_cached_list_answers_a_repeated_check_without_storage_and_forgets_on_change() -> (
    None
):
    inner = _Counting()
    listed = CachedNegotiations(inner)
    vos = Party("tenant", "Bouwbedrijf Vos", date(2026, 1, 1), date(2026, 12, 31))
    assert await listed.find("tenant", vos.key) is None
    assert await listed.find("tenant", vos.key) is None  # "not on the list" is remembered too
    assert inner.finds == 1
    await listed.add(vos)  # a change here forgets the tenant's answers at once
    assert await listed.find("tenant", vos.key) == vos
    assert await listed.find("tenant", vos.key) == vos
    assert inner.finds == 2
    await listed.set_end("tenant", vos.key, date(2026, 6, 30), "lotte", datetime.now(UTC))
    found = await listed.find("tenant", vos.key)
    assert found is not None and found.end == date(2026, 6, 30)
    await listed.remove("tenant", vos.key)
    assert await listed.find("tenant", vos.key) is None
    assert inner.finds == 4


async def test_a_cached_list_lets_a_change_elsewhere_show_after_its_seconds() -> None:
    inner = MemoryNegotiations()
    listed = CachedNegotiations(inner, seconds=0.05)
    vos = Party("tenant", "Bouwbedrijf Vos", date(2026, 1, 1), date(2026, 12, 31))
    assert await listed.find("tenant", vos.key) is None
    await inner.add(vos)  # another instance
    assert await listed.find("tenant", vos.key) is None
    await asyncio.sleep(0.1)
    assert await listed.find("tenant", vos.key) == vos
