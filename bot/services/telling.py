"""Sending one person a card in their own chat and language: the one way the engine, the steps
and the jobs tell someone something. A failure is returned, never raised: the caller decides
what to write down (a trail entry) so that nothing is dropped silently."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.services.context import Services
from bot.services.notify import DeliveryError, NoConversationReference

log = logging.getLogger(__name__)


async def tell(
    services: Services,
    tenant_id: str,
    person_id: str,
    card: Callable[[str], dict[str, Any]],
    what: str,
) -> str | None:
    """Send `card(locale)` to the person; None when it went out, else the failure's name
    (logged as `what`, e.g. "requester not told of the decision", without personal data)."""
    reference = await services.conversations.get(tenant_id, person_id)
    locale = reference.locale if reference else services.settings.default_locale
    try:
        if reference is None:
            raise NoConversationReference(tenant_id, person_id)
        await services.notifier.send_card(tenant_id, person_id, card(locale), reference)
    except DeliveryError as error:
        log.warning("%s: %s", what, type(error).__name__)
        return type(error).__name__
    return None
