"""Dates and moments as people in Amsterdam write them: "2 december 2026" and "2 december 2026
om 14:05" in Dutch, "2 December 2026" and "2 December 2026 at 14:05" in English. One format
everywhere a person reads a date (files and exports keep ISO 8601)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards.texts import language_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_MONTHS = {
    "nl": (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split(),
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
}


def day_text(day: date | None, locale: str | None) -> str:
    """ "2 december 2026"."""
    if day is None:
        return ""
    month = _MONTHS["en" if language_of(locale) == "en" else "nl"][day.month - 1]
    return f"{day.day} {month} {day.year}"


def moment_text(moment: datetime | None, locale: str | None) -> str:
    """'2 december 2026 om 14:05', in Amsterdam time."""
    if moment is None:
        return ""
    local = moment.astimezone(AMSTERDAM)
    joint = "at" if language_of(locale) == "en" else "om"
    return f"{day_text(local.date(), locale)} {joint} {local:%H:%M}"
