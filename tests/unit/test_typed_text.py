"""What a person types cannot deceive whoever reads it later (issue #17, point 6)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.text import clean_typed
from cards import text
from dialogs.forms import Field, Reader


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Leverancier \u202egnp.exe\u202c", "Leverancier gnp.exe"),  # showed as "exe.png"
        ("Schilder\u200bbedrijf De\u2060 Kwast\ufeff", "Schilderbedrijf De Kwast"),
        ("links \u2066rechts\u2069 \u200e\u200f", "links rechts"),
        ("bel\u0007 me\u0085 \u009b", "bel me"),  # C0 and C1 controls
        ("regel een\u2028regel twee\u2029alinea", "regel een\nregel twee\nalinea"),
        ("windows\r\nregel\rmac", "windows\nregel\nmac"),
        ("  Crème brûlée\t(€ 12,50)\n", "Crème brûlée\t(€ 12,50)"),
    ],
)
def test_typed_text_keeps_what_is_seen_and_drops_what_is_hidden(typed: str, kept: str) -> None:
    assert clean_typed(typed) == kept


DAY = Field("day", "date", "gift.received_on", required=True)
TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("0001-01-01", "date_too_early"),
        ("1900-06-30", "date_too_early"),
        ("2999-01-01", "date_too_late"),
        ("2026-12-03", "date_future"),
    ],
)
def test_dates_far_off_are_refused_with_a_clear_reason(typed: str, error: str) -> None:
    reader = Reader({"day": typed}, "nl-NL")
    allow_future = error == "date_too_late"
    assert reader.day(DAY, TODAY, allow_future=allow_future) == date.fromisoformat(typed)
    assert reader.errors["day"] == text("nl-NL", f"requests.errors.{error}")


def test_a_plausible_date_and_an_old_side_job_start_are_accepted() -> None:
    reader = Reader({"day": "2026-11-20", "start": "1988-09-01"}, "nl-NL")
    assert reader.day(DAY, TODAY) == date(2026, 11, 20)
    start = Field("start", "date", "sidejob.start", required=True)
    assert reader.day(start, TODAY, allow_future=True, earliest=date(1950, 1, 1)) == date(
        1988, 9, 1
    )
    assert reader.errors == {}
