"""One sample rendering of every card template, for the schema and verb tests.

Name each sample `<template>:<variant>`; the tests check that every template has one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.menu import FLOWS, coming_soon_card, error_card, menu_card

Builder = Callable[[str], dict[str, Any]]

SAMPLES: list[tuple[str, Builder]] = [
    ("welcome:named", lambda locale: menu_card(locale, "Sanne de Vries")),
    ("welcome:anonymous", lambda locale: menu_card(locale, "")),
    *(
        (f"coming_soon:{flow}", lambda locale, f=flow: coming_soon_card(locale, f))
        for flow in FLOWS
    ),
    *(
        (f"error:{key}", lambda locale, k=key: error_card(locale, k))
        for key in ("unknown_action", "malformed_action", "unexpected", "storage_unavailable")
    ),
]
