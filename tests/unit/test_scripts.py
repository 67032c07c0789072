"""Names that mix writing systems are shown as such and cannot slip past procurement's list."""

from __future__ import annotations

import pytest

from bot.domain.negotiations import match_key
from bot.domain.scripts import foreign_letters, latin_skeleton
from dialogs.kinds import named

CYRILLIC_O = "\u043e"
GREEK_NU = "\u03bd"


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Bouwbedrijf Vos", ()),
        ("Café de Kroon", ()),  # accents are Latin
        ("Борис", ()),  # wholly another script: not a look-alike of a Latin name
        (f"Bouwbedrijf V{CYRILLIC_O}s", ((CYRILLIC_O, "CYRILLIC", "o"),)),
        (f"Schilder{GREEK_NU}", ((GREEK_NU, "GREEK", "v"),)),
    ],
)
def test_mixed_scripts_are_found_with_the_letter_they_resemble(
    name: str, letters: tuple[tuple[str, str, str], ...]
) -> None:
    assert tuple((f.character, f.script, f.resembles) for f in foreign_letters(name)) == letters


def test_a_look_alike_name_shows_the_warning_in_the_readers_language() -> None:
    shown = named(f"Bouwbedrijf V{CYRILLIC_O}s", "nl-NL")
    assert shown.startswith(f"Bouwbedrijf V{CYRILLIC_O}s (let op:")
    assert f"{CYRILLIC_O} (Cyrillisch, lijkt op o)" in shown
    assert "another script" in named(f"Bouwbedrijf V{CYRILLIC_O}s", "en-US")
    assert named("Bouwbedrijf Vos", "nl-NL") == "Bouwbedrijf Vos"


def test_a_look_alike_matches_the_party_it_imitates_on_the_list() -> None:
    assert latin_skeleton(f"Bouwbedrijf V{CYRILLIC_O}s") == "Bouwbedrijf Vos"
    assert match_key(f"Bouwbedrijf V{CYRILLIC_O}s B.V.") == match_key("Bouwbedrijf Vos")
