"""The welcome menu: one button per thing the code asks of staff, and the way back to it."""

from __future__ import annotations

import asyncio

from bot.domain.kinds import Kinds
from bot.domain.people import Actor, Role
from bot.services.context import Services
from bot.services.personal import is_approver
from bot.storage.errors import StorageError
from cards import render, texts_for
from dialogs.base import Card, CardAction
from dialogs.kinds import flow_title
from dialogs.registry import VerbRegistry

# The flows after the request kinds, in menu order; the verb `<flow>.open` opens each.
OTHER_FLOWS: tuple[str, ...] = (
    "trailer",
    "raffle",
    "violation",
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
    (Role.PROCUREMENT, "negotiations.open", "negotiations"),
    (Role.INTEGRITY_OFFICER, "negotiations.open", "negotiations"),
    (Role.TRAILER_DESK, "trailer.desk", "trailer_desk"),
    (Role.TRAILER_DESK, "trailer.desk_list", "trailer_bookings"),
    (Role.DIRECTOR, "violation.register", "violations"),
    (Role.INTEGRITY_OFFICER, "violation.register", "violations"),
    (Role.RVC_CHAIR, "violation.register", "violations"),
    (Role.RVC_VICE_CHAIR, "violation.register", "violations"),
    (Role.HR, "ack.status", "acknowledgements"),
    (Role.INTEGRITY_OFFICER, "supplier_code.open", "supplier_code"),
)


def flows(kinds: Kinds) -> tuple[str, ...]:
    """Every flow in menu order: the request kinds first, then the other flows."""
    return (*kinds.names, *OTHER_FLOWS)


def menu_card(
    kinds: Kinds,
    locale: str,
    name: str = "",
    roles: frozenset[Role] = frozenset(),
    approver: bool = False,
) -> Card:
    """The welcome card with a button for every flow and "mijn meldingen", plus what the
    person's roles add ("openstaand" for anyone who decides on requests)."""
    texts = texts_for(locale)["menu"]
    items = [{"verb": f"{flow}.open", "title": flow_title(locale, flow)} for flow in flows(kinds)]
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
    return menu_card(services.kinds, actor.locale, actor.name, roles, approver)


def error_card(locale: str, message_key: str) -> Card:
    """A clear error with the way back to the menu."""
    return render("error", locale, {"message": texts_for(locale)["errors"][message_key]})


async def open_menu(action: CardAction, services: Services) -> Card:
    return await menu_for(action.actor, services)


def register(registry: VerbRegistry) -> None:
    registry.add("menu.open", open_menu)
