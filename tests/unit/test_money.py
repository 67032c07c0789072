import pytest

from bot.domain.money import InvalidAmount, format_euros, parse_euros


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("45", 4500),
        ("45,50", 4550),
        ("45,5", 4550),
        ("€ 45,-", 4500),
        ("€\u00a045,-", 4500),
        ("€45,--", 4500),
        ("1.250,00", 125000),
        ("1.250", 125000),
        ("45.50", 4550),
        ("EUR 49,99", 4999),
        ("  50 euro ", 5000),
        ("0", 0),
        ("1.000.000,00", 100_000_000),
        ("12.345.678", None),
    ],
)
def test_reads_amounts_as_people_type_them(typed: str, cents: int | None) -> None:
    if cents is None:
        with pytest.raises(InvalidAmount, match="too_large"):
            parse_euros(typed)
    else:
        assert parse_euros(typed) == cents


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("€", "empty"),
        ("abc", "not_a_number"),
        ("45,5,5", "not_a_number"),
        ("1.25.00", "not_a_number"),
        ("12,345", "not_a_number"),
        ("-5", "negative"),
        ("1000000,01", "too_large"),
        ("1e5", "not_a_number"),
    ],
)
def test_rejects_what_is_not_a_usable_amount(typed: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_euros(typed)
    assert caught.value.code == code


def test_formats_in_dutch_and_english() -> None:
    assert format_euros(125050) == "€\u00a01.250,50"
    assert format_euros(4500, "en") == "€45.00"
