"""The Teams activity feed through Microsoft Graph (`sendActivityNotification`).

Reminders and escalations also appear in the person's Teams activity feed, where Teams users
look for "something is waiting for me", when the app has the application permission
`TeamsActivity.Send` and `FEED_NOTIFICATIONS=1`. The chat message (the card with the buttons)
is always sent as well: the feed entry points at it, and when Graph refuses (403: no
permission or consent, 404: the app is not installed for that person) or is not configured,
the chat message is what the person gets.

`POST /v1.0/users/{id}/teamwork/sendActivityNotification` with an app token (MSAL, scope
`https://graph.microsoft.com/.default`); the activity types are declared in the Teams app
manifest (`activities.activityTypes`), which must carry the bot's Entra app id in
`webApplicationInfo`. Graph allows about 5 such requests per second per app per tenant: every
attempt waits for this instance's own limiter (`aiolimiter`, FEED_NOTIFICATIONS_PER_SECOND);
429 and 503 are retried after their Retry-After, other passing answers with back-off (the shared
policy, `bot.retry`). A feed failure never fails the reminder: `notify` answers whether the
entry was made.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiolimiter import AsyncLimiter

from bot.graph_http import GraphHttp
from bot.services.notify import FeedNotice
from bot.settings import Settings
from bot.tokens import AppTokens

log = logging.getLogger(__name__)


class _Refused(Exception):
    """Graph answered with something not worth repeating (its status and error code)."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


class GraphActivityFeed(GraphHttp):
    """`ActivityFeed` (bot.services.notify) backed by Microsoft Graph."""

    def __init__(
        self,
        tokens: AppTokens,
        base_url: str = "https://graph.microsoft.com",
        per_second: float = 4.0,
        attempts: int = 4,
        base_delay: float = 0.5,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(tokens, base_url, attempts, base_delay, timeout, sleep)
        self._limiter = AsyncLimiter(per_second, 1.0)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> GraphActivityFeed:
        """The feed for the bot's own app registration (needs id, secret and tenant)."""
        tenant = settings.app_tenant_id or settings.tenant_id
        if not (settings.app_id and settings.app_password and tenant):
            raise ValueError("Graph needs MicrosoftAppId, MicrosoftAppPassword and a tenant id")
        tokens = AppTokens(
            settings.app_id, settings.app_password, f"{settings.graph_login_url}/{tenant}"
        )
        return cls(tokens, settings.graph_base_url, settings.feed_per_second, **options)

    async def notify(self, tenant_id: str, user_id: str, notice: FeedNotice) -> bool:
        """True when the entry is in the person's feed; False when Graph refused it (403, 404
        ...) or kept failing: the chat message stands on its own then."""
        user = quote(user_id, safe="")
        url = f"{self._base_url}/v1.0/users/{user}/teamwork/sendActivityNotification"
        body = notice.body()

        try:
            await self._post(url, body, "activity feed", _Refused, pace=self._limiter)
            return True
        except _Refused as refused:
            log.warning(
                "activity feed entry %s not made (%s %s): the chat message stands alone",
                notice.activity_type,
                refused.status,
                refused.code,
            )
            return False
