"""Where to go with a concern: the vertrouwenspersoon, the meldregeling and the external MIW.

The bot cannot offer anonymity (Teams tells it who is asking), so it never takes in what
happened: it shows the channels. Nothing here is stored or logged with the person's identity.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.domain.people import Contact
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry

log = logging.getLogger(__name__)

CONTACT_KEY = "vertrouwenspersoon"  # `contacts.vertrouwenspersoon` in the directory


def concern_card(
    locale: str,
    contact: Contact | None,
    meldregeling_url: str,
    miw_url: str,
    contact_unavailable: bool = False,
) -> Card:
    """The card with the vertrouwenspersoon's details, the meldregeling and the MIW."""
    shown: dict[str, Any] | None = None
    if contact is not None:
        shown = {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "mailto": f"mailto:{contact.email}" if contact.email else "",
            "tel": tel_url(contact.phone),
            "chat_url": contact.teams_chat_url,
            "has_links": bool(contact.email or contact.teams_chat_url or contact.phone),
        }
    return render(
        "concern",
        locale,
        {
            "contact": shown,
            "contact_missing": contact is None and not contact_unavailable,
            "contact_unavailable": contact_unavailable,
            "meldregeling_url": meldregeling_url,
            "miw_url": miw_url,
        },
    )


def tel_url(phone: str) -> str:
    """A tappable `tel:` link for a phone number as people write it ("+31 6 1234 5678");
    "" when it holds no digits."""
    kept = "".join(c for c in phone if c.isdigit() or c == "+")
    digits = kept[:1] + kept[1:].replace("+", "")
    return f"tel:{digits}" if any(c.isdigit() for c in digits) else ""


async def open_concern(action: CardAction, services: Services) -> Card:
    """`concern.open`: the channels, with the contact details from the directory."""
    contact: Contact | None = None
    unavailable = False
    try:
        contact = await services.directory.contact(action.actor.tenant_id, CONTACT_KEY)
        contact = contact or services.settings.confidant  # e.g. on Azure, without a file
    except StorageError as error:
        # The channels must always be shown; say the details are missing, never who asked.
        log.warning("vertrouwenspersoon contact not readable: %s", type(error).__name__)
        contact = services.settings.confidant
        unavailable = contact is None
    if contact is None and not unavailable:
        # The card says where else to find them; the log says what to configure (never who
        # asked: this is a confidential turn).
        log.warning("vertrouwenspersoon is not configured (directory or VERTROUWENSPERSOON_NAME)")
    settings = services.settings
    return concern_card(
        action.actor.locale, contact, settings.meldregeling_url, settings.miw_url, unavailable
    )


def register(registry: VerbRegistry) -> None:
    registry.add("concern.open", open_concern)
