"""The welcome menu: one button per thing the code asks of staff, and the way back to it."""

from __future__ import annotations

from bot.services.context import Services
from cards import render, texts_for
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry

# Every flow the product has, in menu order; the verb opens that flow's form.
FLOWS: tuple[str, ...] = (
    "gift",
    "invitation",
    "sidejob",
    "supplier",
    "tenant",
    "dataleak",
    "concern",
    "question",
)


def menu_card(locale: str, name: str = "") -> Card:
    """The welcome card with a button for every flow."""
    labels = texts_for(locale)["menu"]["flows"]
    items = [{"verb": f"{flow}.open", "title": labels[flow]} for flow in FLOWS]
    first_name = name.split()[0] if name.strip() else ""
    return render("welcome", locale, {"menu": items, "name": first_name})


def coming_soon_card(locale: str, flow: str) -> Card:
    """An honest answer for a flow that is not built yet."""
    label = texts_for(locale)["menu"]["flows"][flow]
    return render("coming_soon", locale, {"flow": label})


def error_card(locale: str, message_key: str) -> Card:
    """A clear error with the way back to the menu."""
    return render("error", locale, {"message": texts_for(locale)["errors"][message_key]})


async def open_menu(action: CardAction, services: Services) -> Card:
    return menu_card(action.actor.locale, action.actor.name)


def _coming_soon(flow: str):  # type: ignore[no-untyped-def]
    async def handler(action: CardAction, services: Services) -> Card:
        return coming_soon_card(action.actor.locale, flow)

    return handler


def register(registry: VerbRegistry, built: frozenset[str]) -> None:
    """The menu verb, and a 'coming soon' answer for every flow not in `built`."""
    registry.add("menu.open", open_menu)
    for flow in FLOWS:
        if flow not in built:
            registry.add(f"{flow}.open", _coming_soon(flow))
