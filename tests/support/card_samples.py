"""One sample rendering of every card template, for the schema and verb tests.

Name each sample `<template>:<variant>`; the tests check that every template has one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain.knowledge import knowledge_base
from bot.domain.people import Contact
from dialogs.answers import answer_card, no_match_card
from dialogs.concern import concern_card
from dialogs.menu import FLOWS, coming_soon_card, error_card, menu_card
from dialogs.question import question_card

Builder = Callable[[str], dict[str, Any]]

VERTROUWENSPERSOON = Contact(
    name="Ingrid Mulder",
    phone="+31 6 1234 5678",
    email="vertrouwenspersoon@woongroen.example",
    teams_chat_url="https://teams.microsoft.com/l/chat/0/0?users=vertrouwenspersoon@woongroen.example",
)
MELDREGELING = "https://www.woongroen.example/meldregeling"
MIW = "https://www.ilent.nl/onderwerpen/meldingen-vragen-en-klachten-over-woningcorporaties/meldpunt-integriteit-woningcorporaties"

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
    (
        "concern:with_contact",
        lambda locale: concern_card(locale, VERTROUWENSPERSOON, MELDREGELING, MIW),
    ),
    (
        "concern:phone_only",
        lambda locale: concern_card(
            locale, Contact("Ingrid Mulder", phone="+31 6 1234 5678"), MELDREGELING, MIW
        ),
    ),
    ("concern:not_configured", lambda locale: concern_card(locale, None, MELDREGELING, MIW)),
    (
        "concern:storage_down",
        lambda locale: concern_card(locale, None, MELDREGELING, MIW, contact_unavailable=True),
    ),
    ("question:empty", lambda locale: question_card(locale)),
    ("question:error", lambda locale: question_card(locale, "x" * 600, "Je vraag is te lang.")),
    *(
        (f"answer:{g.id}", lambda locale, g=g: answer_card(locale, g))
        for g in knowledge_base().guidelines
    ),
    (
        "answer:with_concern",
        lambda locale: answer_card(locale, knowledge_base().get("housing"), True),
    ),
    ("no_match:default", no_match_card),
]
