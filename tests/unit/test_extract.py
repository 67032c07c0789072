"""The facts found in one typed sentence (#19, point 3): a table of sentences and the fields
expected from each, Dutch and English. A field not named in a row must come out empty."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from typing import Any

import pytest

from bot.domain.extract import Facts, extract

TODAY = date(2026, 11, 25)  # a Wednesday

# (sentence, future, expected fields)
TABLE: list[tuple[str, bool, dict[str, Any]]] = [
    (
        "ik kreeg een fles wijn van 25 euro van Schildersbedrijf De Kwast",
        False,
        {
            "what": "Fles wijn",
            "gift_kind": "goods",
            "everyday": True,
            "amount_cents": 2500,
            "organisation": "Schildersbedrijf De Kwast",
            "relation": "supplier",
            "relation_word": "schildersbedrijf",
        },
    ),
    (
        "Kerstpakket van 60 euro houden?",
        False,
        {"what": "Kerstpakket", "gift_kind": "goods", "amount_cents": 6000},
    ),
    (
        "gisteren een bos bloemen gekregen van een huurder, bij mij thuis bezorgd",
        False,
        {
            "what": "Bos bloemen",
            "gift_kind": "goods",
            "everyday": True,
            "relation": "tenant",
            "relation_word": "huurder",
            "at_home": True,
            "day": date(2026, 11, 24),
        },
    ),
    (
        "vorige week vrijdag kreeg ik van Jan de Vos van de aannemer een cadeaubon van € 40,-",
        False,
        {
            "what": "Cadeaubon",
            "gift_kind": "voucher",
            "amount_cents": 4000,
            "person": "Jan de Vos",
            "relation": "supplier",
            "relation_word": "aannemer",
            "day": date(2026, 11, 20),
        },
    ),
    (
        "De loodgieter gaf me een envelop met geld",
        False,
        {
            "what": "Envelop met geld",
            "gift_kind": "money",
            "everyday": False,
            "relation": "supplier",
            "relation_word": "loodgieter",
        },
    ),
    (
        "I received a bottle of wine worth 30 euros from Acme Ltd yesterday at the office",
        False,
        {
            "what": "Bottle of wine",
            "gift_kind": "goods",
            "everyday": True,
            "amount_cents": 3000,
            "organisation": "Acme Ltd",
            "at_home": False,
            "day": date(2026, 11, 24),
        },
    ),
    (
        "a contractor sent a box of chocolates to my home address on 20 november",
        False,
        {
            "what": "Box of chocolates",
            "gift_kind": "goods",
            "everyday": True,
            "relation": "supplier",
            "relation_word": "contractor",
            "at_home": True,
            "day": date(2026, 11, 20),
        },
    ),
    (
        "ik ben uitgenodigd voor een diner door Bouwbedrijf Vos volgende week vrijdag",
        True,
        {
            "what": "Diner",
            "gift_kind": "meal",
            "event_kind": "dinner",
            "event": "Diner",
            "organisation": "Bouwbedrijf Vos",
            "relation": "supplier",
            "relation_word": "bouwbedrijf",
            "day": date(2026, 12, 4),
        },
    ),
    (
        "Installatiebedrijf Klaassen nodigt me uit voor een voetbalwedstrijd op zaterdag",
        True,
        {
            "event_kind": "event",
            "event": "Voetbalwedstrijd",
            "organisation": "Installatiebedrijf Klaassen",
            "relation": "supplier",
            "relation_word": "installatiebedrijf",
            "day": date(2026, 11, 28),
        },
    ),
    (
        "invited by the painter to a golf day next tuesday",
        True,
        {
            "event_kind": "excursion",
            "event": "Golf",
            "relation": "supplier",
            "relation_word": "painter",
            "day": date(2026, 12, 1),
        },
    ),
    (
        "ik word penningmeester bij de Voetbalclub Groen Wit, onbetaald, 4 uur per week",
        False,
        {
            "role": "Penningmeester",
            "place": "Voetbalclub Groen Wit",
            "organisation": "Voetbalclub Groen Wit",
            "paid": "unpaid",
            "hours": 17.3,
        },
    ),
    (
        "I am starting as a paid board member at Stichting Buurtwerk, 6 hours a month",
        False,
        {
            "role": "Board member",
            "place": "Stichting Buurtwerk",
            "organisation": "Stichting Buurtwerk",
            "paid": "paid",
            "hours": 6.0,
        },
    ),
    (
        "ik heb vanochtend een mail met huurdersgegevens naar het verkeerde adres gestuurd",
        False,
        {"day": date(2026, 11, 25)},
    ),
    (
        "my laptop was stolen last monday",
        False,
        {"day": date(2026, 11, 23)},
    ),
    ("hoe zit het met cadeaus?", False, {}),
]


@pytest.mark.parametrize(("sentence", "future", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_the_sentence_gives_these_fields(
    sentence: str, future: bool, expected: dict[str, Any]
) -> None:
    found = asdict(extract(sentence, TODAY, future=future))
    empty = asdict(Facts())
    wanted = {**empty, **expected}
    assert {k: v for k, v in found.items() if v != wanted[k]} == {}, found


def test_every_field_of_facts_is_covered_by_the_table() -> None:
    named = {key for _, _, expected in TABLE for key in expected}
    assert named == {f.name for f in fields(Facts)}


def test_a_bare_day_and_month_is_the_last_one_for_a_gift_and_the_next_for_an_invitation() -> None:
    assert extract("kreeg het op 3 december", TODAY).day == date(2025, 12, 3)
    assert extract("diner op 3 december", TODAY, future=True).day == date(2026, 12, 3)
    assert extract("diner op 31 februari", TODAY, future=True).day is None


def test_an_amount_is_not_taken_for_a_date_and_huge_input_is_cut() -> None:
    assert extract("een taart van 12,50 euro", TODAY).day is None
    assert extract("een taart van 12,50 euro", TODAY).amount_cents == 1250
    assert extract("wijn " * 10_000, TODAY).what == "Wijn"
