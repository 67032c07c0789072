"""Sending cards to people outside a turn (proactive messages): the protocol and its errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.storage.repositories import StoredReference


class DeliveryError(Exception):
    """A proactive message could not be delivered."""


class NoConversationReference(DeliveryError):
    """The person never opened the bot, so Teams gave us no way to reach them yet."""

    def __init__(self, tenant_id: str, user_id: str) -> None:
        super().__init__(f"no conversation reference for user {user_id} in tenant {tenant_id}")
        self.tenant_id = tenant_id
        self.user_id = user_id


class RecipientUnreachable(DeliveryError):
    """Teams refused delivery for good (403: the person blocked or removed the bot)."""


class DeliveryFailed(DeliveryError):
    """Teams kept failing (429/5xx/time-outs) after every retry, or answered something that is
    not worth retrying (e.g. 404: no such conversation). `status` is Teams' last HTTP status
    (None for a time-out or a broken connection)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Notifier(Protocol):
    """Proactive delivery to one person's personal chat with the bot."""

    async def send_card(
        self,
        tenant_id: str,
        user_id: str,
        card: dict[str, Any],
        reference: StoredReference | None = None,
    ) -> str:
        """Send a card; return the new message's id. `reference`, when the caller has already
        read it, saves a storage round trip."""
        ...

    async def update_card(
        self, tenant_id: str, user_id: str, message_id: str, card: dict[str, Any]
    ) -> None:
        """Replace a card sent earlier."""
        ...
