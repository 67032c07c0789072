"""Cards that answer a question from the code: the guideline, or an honest "I don't know"."""

from __future__ import annotations

from bot.domain.knowledge import Guideline
from cards import language_of, render
from dialogs.base import Card
from dialogs.kinds import flow_title


def answer_card(locale: str, guideline: Guideline, offer_concern: bool = False) -> Card:
    """The guideline in our words, its section, and a button into its flow (if it has one).

    `offer_concern` adds a button to the vertrouwenspersoon, for a question that also touched a
    confidential topic ("ik word gepest door iemand van afdeling Wonen").
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
            "flow_title": flow,
            "offer_concern": offer_concern and guideline.flow != "concern",
        },
    )


def no_match_card(locale: str) -> Card:
    """Nothing in the code matches: say so, and offer the menu and the vertrouwenspersoon."""
    return render("no_match", locale)
