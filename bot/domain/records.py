"""Reading a stored facts record back into typed facts: each value read as its type, with a
neutral default when an older or partial record lacks it (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any


def string(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value)


def boolean(record: Mapping[str, Any], key: str) -> bool:
    value = record.get(key)
    return value is True or value == "true"


def cents(record: Mapping[str, Any], key: str) -> int | None:
    value = record.get(key)
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def day(record: Mapping[str, Any], key: str) -> date | None:
    value = record.get(key)
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
