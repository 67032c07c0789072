"""Euro amounts as people type them ("45", "45,50", "€ 45,-", "1.250,00"), kept as whole cents."""

from __future__ import annotations

import re

MAX_CENTS = 1_000_000_00  # anything above a million euros is a typo, not a gift

_ALLOWED = re.compile(r"^\d[\d.,]*$")


class InvalidAmount(ValueError):
    """Not a usable amount; `code` says why: empty, not_a_number, negative or too_large."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_euros(text: str) -> int:
    """Dutch notation first: '.' groups thousands, ',' separates cents; '45.50' is read as cents."""
    cleaned = text.strip().lower()
    for token in ("euro", "eur", "€"):
        cleaned = cleaned.replace(token, "")
    cleaned = cleaned.replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        raise InvalidAmount("empty")
    if cleaned.startswith("-"):
        raise InvalidAmount("negative")
    cleaned = re.sub(r",-+$", "", cleaned)  # "45,-" and "45,--" mean whole euros
    if not _ALLOWED.match(cleaned):
        raise InvalidAmount("not_a_number")
    euros, cents = _split(cleaned)
    if not euros.isdigit() or (cents and not cents.isdigit()) or len(cents) > 2:
        raise InvalidAmount("not_a_number")
    total = int(euros) * 100 + int(cents.ljust(2, "0") or 0)
    if total > MAX_CENTS:
        raise InvalidAmount("too_large")
    return total


def _split(number: str) -> tuple[str, str]:
    if "," in number:
        whole, _, fraction = number.rpartition(",")
        if "," in whole:
            raise InvalidAmount("not_a_number")
        return _ungroup(whole), fraction
    if "." in number:
        whole, _, last = number.rpartition(".")
        if len(last) == 3:  # "1.250" is one thousand two hundred and fifty
            return _ungroup(number), ""
        if "." in whole:
            raise InvalidAmount("not_a_number")
        return whole, last
    return number, ""


def _ungroup(number: str) -> str:
    groups = number.split(".")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise InvalidAmount("not_a_number")
    return "".join(groups)


def format_euros(cents: int, language: str = "nl") -> str:
    """'€ 1.250,00' in Dutch (a no-break space after the sign: an amount never wraps across
    lines), '€1,250.00' in English."""
    euros, rest = divmod(cents, 100)
    grouped = f"{euros:,}"
    if language == "en":
        return f"€{grouped}.{rest:02d}"
    return f"€\u00a0{grouped.replace(',', '.')},{rest:02d}"
