"""Long text split over several Azure Table properties and joined again."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.storage.columns import CHUNK, chunked, unchunked


@given(st.text(max_size=3 * CHUNK + 7))
def test_whatever_is_split_is_joined_back_the_same(text: str) -> None:
    parts = chunked("Trail", text)
    assert all(len(p) <= CHUNK for p in parts.values())
    assert unchunked("Trail", parts) == text


def test_a_short_value_is_one_property_under_its_own_name() -> None:
    assert chunked("Facts", "{}") == {"Facts": "{}"}
    assert unchunked("Facts", {"Other": "x"}) == ""


def test_a_value_too_long_for_one_entity_is_refused() -> None:
    with pytest.raises(ValueError, match="too long"):
        chunked("Facts", "x" * (11 * CHUNK))
