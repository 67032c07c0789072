"""Sending cards to people outside a turn (proactive messages): the protocol and its errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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


PREVIEW_LIMIT = 150  # Teams shows the first 150 characters of an activity's preview text


@dataclass(frozen=True)
class FeedNotice:
    """One Teams activity-feed entry: its type (declared in the app manifest's
    `activities.activityTypes`), the short text under it, the values of its template text, and
    where a click on it leads (the chat with the bot)."""

    activity_type: str
    preview: str
    topic: str
    web_url: str
    parameters: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The `sendActivityNotification` request body."""
        return {
            "topic": {"source": "text", "value": self.topic, "webUrl": self.web_url},
            "activityType": self.activity_type,
            "previewText": {"content": self.preview[:PREVIEW_LIMIT]},
            "templateParameters": [
                {"name": name, "value": value} for name, value in self.parameters.items()
            ],
        }


class ActivityFeed(Protocol):
    """The Teams activity feed, next to the chat message (bot.feed for Microsoft Graph)."""

    async def notify(self, tenant_id: str, user_id: str, notice: FeedNotice) -> bool:
        """True when the entry was made; False when it could not be (the chat message is then
        all the person gets). Never raises for a refusal."""
        ...


class MailError(Exception):
    """A mail was not sent: Graph's HTTP status (0: no answer) and error code, no address."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


class Mailer(Protocol):
    """Sends e-mail from the bot's mailbox (Microsoft Graph sendMail, `bot.mail`)."""

    @property
    def sender(self) -> str: ...

    async def send(self, to_address: str, to_name: str, subject: str, html: str) -> None:
        """Send one HTML message; MailError when it was not sent."""
        ...
