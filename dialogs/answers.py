"""Cards that answer a question from the code: the guideline, or an honest "I don't know"."""

from __future__ import annotations

from typing import Any

from bot.domain.knowledge import Guideline
from cards import language_of, render
from dialogs.base import Card
from dialogs.kinds import flow_title


def answer_card(
    locale: str,
    guideline: Guideline,
    offer_concern: bool = False,
    flow_data: dict[str, Any] | None = None,
    for_you: list[str] | None = None,
) -> Card:
    """The guideline in our words, its section, and a button into its flow (if it has one).

    `offer_concern` adds a button to the vertrouwenspersoon, for a question that also touched a
    confidential topic ("ik word gepest door iemand van afdeling Wonen"). `for_you`: the rule
    applied to the facts in the question ("Nee, niet houden: vanaf EUR 50 lever je het in"),
    shown first; `flow_data` fills the flow's form in with those facts (one tap away).
    """
    language = language_of(locale)
    text = guideline.text(language)
    flow_verb = f"{guideline.flow}.open" if guideline.flow else ""
    flow = flow_title(locale, guideline.flow) if guideline.flow else ""
    return render(
        "answer",
        locale,
        {
            "title": text.title,
            "section": guideline.section[language],
            "points": list(text.points),
            "flow_verb": flow_verb,
            "flow_data": flow_data or {},
            "for_you": for_you or [],
            "flow_title": flow,
            "offer_concern": offer_concern and guideline.flow != "concern",
        },
    )


def no_match_card(locale: str) -> Card:
    """Nothing in the code matches: say so, and offer the menu and the vertrouwenspersoon."""
    return render("no_match", locale)
