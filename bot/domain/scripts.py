"""Names that mix writing systems: "Bouwbedrijf Vоs" with a Cyrillic о looks like a Latin name
but is not the same name. Shown as such on cards (#17, point 6), and folded to the Latin look-
alike where names are compared (procurement's list), so a look-alike cannot slip past it.
Detection and the look-alike table come from `confusable_homoglyphs` (Unicode's confusables)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from confusable_homoglyphs import categories, confusables

_NEUTRAL = frozenset({"COMMON", "INHERITED", "LATIN"})


@dataclass(frozen=True)
class Foreign:
    """A letter of another script in a mostly Latin name, and the Latin letter it resembles."""

    character: str
    script: str  # Unicode script alias: CYRILLIC, GREEK ...
    resembles: str  # "" when it resembles no Latin letter


@lru_cache(maxsize=4096)  # names recur on every card of a request; the answer is immutable
def foreign_letters(name: str) -> tuple[Foreign, ...]:
    """Letters of another script in a name that also has Latin letters (a name wholly in one
    other script, "Борис", is not mixed and returns nothing)."""
    if name.isascii():  # every ASCII letter is Latin (most names, and cheap to tell)
        return ()
    scripts = {categories.alias(c) for c in name if c.isalpha()}
    if "LATIN" not in scripts or scripts <= _NEUTRAL:
        return ()
    found: dict[str, Foreign] = {}
    for c in name:
        if not c.isalpha() or c in found:
            continue
        script = categories.alias(c)
        if script in _NEUTRAL:
            continue
        found[c] = Foreign(c, script, _latin_twin(c))
    return tuple(found.values())


def latin_skeleton(name: str) -> str:
    """The name with every letter that resembles a Latin one replaced by it ("Vоs" -> "Vos")."""
    return "".join(_latin_twin(c) or c for c in name)


def _latin_twin(character: str) -> str:
    if categories.alias(character) in _NEUTRAL:
        return ""
    found = confusables.is_confusable(character, greedy=True, preferred_aliases=["latin"])
    for entry in found or ():
        for glyph in entry["homoglyphs"]:
            if glyph["n"].startswith("LATIN"):
                return str(glyph["c"])
    return ""
