"""The colleague search on the decision page: every typed word, no case, no accents."""

from __future__ import annotations

from bot.domain.requests import Person
from bot.tab.handover import matching, typed

PEOPLE = [Person("1", "Zoë van Dijk"), Person("2", "Lotte Smit"), Person("3", "Zoe Smits")]


def test_names_match_on_every_word_without_case_or_accents() -> None:
    assert [p.id for p in matching(PEOPLE, "zoe")] == ["1", "3"]
    assert [p.id for p in matching(PEOPLE, "SMIT lot")] == ["2"]
    assert [p.id for p in matching(PEOPLE, "Zoë smits")] == ["3"]
    assert matching(PEOPLE, "   ") == []


def test_what_is_typed_is_cut_and_only_text() -> None:
    assert typed("x" * 100) == "x" * 60
    assert typed(None) == ""
