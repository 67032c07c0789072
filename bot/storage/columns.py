"""Long text in Azure Table columns: a string property holds at most 64 KiB (32 K UTF-16
units), an entity 1 MiB and 252 properties. A long JSON value is split over `Name`,
`Name1`, `Name2`, ... and joined again on read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Characters per property: even text of characters outside the BMP (two UTF-16 units each, 4
# bytes) stays within Azure's 64 KiB per string property.
CHUNK = 15_000
# At most 150,000 characters per value (300 KB as UTF-16, twice that for characters outside
# the BMP): two such values (facts, trail) and the other columns stay inside an entity's 1 MiB.
# The domain keeps requests far below it (MAX_NOTES, bounded fields); this is the last guard.
_MAX_PARTS = 10


def chunked(name: str, text: str) -> dict[str, str]:
    """`text` as properties `name`, `name1`, ... (one property for anything short)."""
    parts = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    if len(parts) > _MAX_PARTS:
        raise ValueError(f"{name} is too long to store ({len(text)} characters)")
    return {(name if n == 0 else f"{name}{n}"): part for n, part in enumerate(parts)}


def unchunked(name: str, data: Mapping[str, Any]) -> str:
    """The text `chunked` split, joined again ("" when there is none)."""
    first = data.get(name)
    if first is None:
        return ""
    parts = [str(first)]
    n = 1
    while f"{name}{n}" in data:
        parts.append(str(data[f"{name}{n}"]))
        n += 1
    return "".join(parts)
