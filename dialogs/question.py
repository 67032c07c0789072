"""Ask a question about the code on a card: type it, get the guideline (or open its flow)."""

from __future__ import annotations

from typing import Any

from bot.services.context import Services
from cards import render, text
from dialogs.base import ActionHandler, Card, CardAction
from dialogs.intents import reply_to
from dialogs.registry import VerbRegistry

MAX_LENGTH = 500  # a question, not an essay; longer text is kept on the card, not cut


def question_card(locale: str, question: str = "", error: str = "") -> Card:
    """The form with one input for the question; `error` names what to fix."""
    return render("question", locale, {"question": question, "error": error})


async def open_question(action: CardAction, services: Services) -> Card:
    """`question.open`: an empty question form."""
    return question_card(action.actor.locale)


def _ask(registry: VerbRegistry) -> ActionHandler:
    async def ask(action: CardAction, services: Services) -> Card:
        """`question.ask`: answer the typed question, or return the form naming the problem."""
        locale = action.actor.locale
        raw: Any = action.data.get("question")
        question = raw if isinstance(raw, str) else ""
        if not question.strip():
            return question_card(locale, question, text(locale, "question.empty"))
        if len(question) > MAX_LENGTH:
            message = text(locale, "question.too_long", limit=MAX_LENGTH)
            return question_card(locale, question, message)
        reply = await reply_to(action.actor, question, services, registry)
        return reply.cards[0]

    return ask


def register(registry: VerbRegistry) -> None:
    registry.add("question.open", open_question)
    registry.add("question.ask", _ask(registry))
