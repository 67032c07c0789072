"""Sending e-mail through Microsoft Graph: `POST /v1.0/users/{mailbox}/sendMail` from the
configured mailbox (`MAIL_SENDER`), with an app token (MSAL client credentials, scope
`https://graph.microsoft.com/.default`, application permission `Mail.Send`; an Exchange Online
application access policy should limit it to that one mailbox). Graph answers 202 Accepted;
throttling (429) and unavailability (5xx) are retried by the shared policy (`bot.retry`),
honouring Retry-After. A refusal (400, 403, 404) raises `MailError` with Graph's error code,
never the message text or the address.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from bot.graph_http import GraphHttp
from bot.services.notify import MailError
from bot.settings import Settings
from bot.tokens import AppTokens

log = logging.getLogger(__name__)


class GraphMailer(GraphHttp):
    """`Mailer` (bot.services.notify) backed by Microsoft Graph's sendMail."""

    def __init__(
        self,
        tokens: AppTokens,
        sender: str,
        base_url: str = "https://graph.microsoft.com",
        attempts: int = 4,
        base_delay: float = 0.5,
        timeout: float = 15.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(tokens, base_url, attempts, base_delay, timeout, sleep)
        self.sender = sender

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GraphMailer:
        """The mailer for the bot's own app registration and `MAIL_SENDER`."""
        tenant = settings.app_tenant_id or settings.tenant_id
        if not (settings.app_id and settings.app_password and tenant and settings.mail_sender):
            raise ValueError(
                "mail needs MicrosoftAppId, MicrosoftAppPassword, a tenant id and MAIL_SENDER"
            )
        tokens = AppTokens(
            settings.app_id, settings.app_password, f"{settings.graph_login_url}/{tenant}"
        )
        return cls(tokens, settings.mail_sender, settings.graph_base_url, **options)

    async def send(self, to_address: str, to_name: str, subject: str, html: str) -> None:
        """Send one message; MailError when Graph refused it or kept failing."""
        url = f"{self._base_url}/v1.0/users/{quote(self.sender, safe='@')}/sendMail"
        body = {
            "message": {
                "subject": subject,
                "body": {"contentType": "HTML", "content": html},
                "toRecipients": [{"emailAddress": {"address": to_address, "name": to_name}}],
            },
            "saveToSentItems": True,
        }

        await self._post(url, body, "sendMail", MailError)
