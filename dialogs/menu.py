"""The welcome menu: one button per thing the code asks of staff, and the way back to it."""

from __future__ import annotations

import asyncio

from bot.domain.people import Actor, Role
from bot.services.context import Services
from bot.services.personal import is_approver
from bot.storage.errors import StorageError
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


# Extra buttons for people with a role, in menu order: (role, verb, text key under menu.roles).
ROLE_ITEMS: tuple[tuple[Role, str, str], ...] = (
    (Role.SECRETARIAT, "collection.open", "collection"),
    (Role.INTEGRITY_OFFICER, "collection.open", "collection"),
    (Role.PRIVACY_OFFICER, "dataleak.register", "breach_register"),
    (Role.PRIVACY_DEPUTY, "dataleak.register", "breach_register"),
    (Role.INTEGRITY_OFFICER, "ack.status", "acknowledgements"),
    (Role.INTEGRITY_OFFICER, "register.open", "registers"),
    (Role.HR, "register.open", "registers"),
    (Role.DIRECTOR, "overview.open", "overview"),
    (Role.RVC_CHAIR, "overview.open", "overview"),
    (Role.INTEGRITY_OFFICER, "overview.open", "overview"),
)


def menu_card(
    locale: str, name: str = "", roles: frozenset[Role] = frozenset(), approver: bool = False
) -> Card:
    """The welcome card with a button for every flow and "mijn meldingen", plus what the
    person's roles add ("openstaand" for anyone who decides on requests)."""
    texts = texts_for(locale)["menu"]
    items = [{"verb": f"{flow}.open", "title": texts["flows"][flow]} for flow in FLOWS]
    items.append({"verb": "mine.open", "title": texts["registers"]["mine"]})
    extra: list[dict[str, str]] = []
    if approver:
        extra.append({"verb": "pending.open", "title": texts["registers"]["pending"]})
    for role, verb, key in ROLE_ITEMS:
        if role in roles and all(item["verb"] != verb for item in extra):
            extra.append({"verb": verb, "title": texts["roles"][key]})
    first_name = name.split()[0] if name.strip() else ""
    return render("welcome", locale, {"menu": items, "admin": extra, "name": first_name})


async def menu_for(actor: Actor, services: Services) -> Card:
    """The menu as this person sees it (their roles come from the directory)."""
    roles: frozenset[Role] = frozenset()
    approver = False
    key = (actor.tenant_id, actor.user_id)
    cached = services.menu_facts.get(key)
    if cached is not None:
        roles, approver = cached
    elif actor.user_id and actor.tenant_id:
        try:
            # Both reads at once: "openstaand" shows for anyone something was ever put before.
            person, approver = await asyncio.gather(
                services.directory.get_person(actor.tenant_id, actor.user_id),
                is_approver(services, actor),
            )
        except StorageError:
            person = None  # the menu itself must still show when storage is down
        else:
            roles = person.roles if person is not None else frozenset()
            services.menu_facts.put(key, (roles, approver))
    return menu_card(actor.locale, actor.name, roles, approver)


def coming_soon_card(locale: str, flow: str) -> Card:
    """An honest answer for a flow that is not built yet."""
    label = texts_for(locale)["menu"]["flows"][flow]
    return render("coming_soon", locale, {"flow": label})


def error_card(locale: str, message_key: str) -> Card:
    """A clear error with the way back to the menu."""
    return render("error", locale, {"message": texts_for(locale)["errors"][message_key]})


async def open_menu(action: CardAction, services: Services) -> Card:
    return await menu_for(action.actor, services)


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
