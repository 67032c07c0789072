"""Proactive messages: a `Notifier` on the adapter's connector clients.

A message goes out as `CloudAdapter.continue_conversation` sends it (the same activity: the
conversation reference applied, a reply to a fresh continuation id, `acceptingInput`), through
the connector client the adapter's own factory gives for the service URL (`bot.teams.pool`:
one per service URL, with its token and retries), without a turn around it: no TurnContext, no
middleware pipeline and no deep copy per send, which were about a third of a proactive send's
CPU (docs/benchmarks.md). `tests/e2e/test_proactive_direct.py` compares what both send.

Honours Teams' answers through the shared retry policy (`bot.retry`): 429 and 503 wait for
Retry-After, 412/5xx/time-outs back off with jitter, a 403 (the person blocked the bot) is
final and raised as `RecipientUnreachable`. A 403 or 404 on a reference from this process's
cache (`ConversationReferences`) first gets one more try with the reference in storage, when
that differs (another instance stored a newer one).

Every attempt (retries included) first takes a token from one app-wide `TokenBucket`, so a
fan-out to thousands of people stays under Teams' 50 requests/s per app instead of leaning on
429s; a Retry-After (429, 503) pauses the bucket for that long, holding back every sender, not
just one.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from botframework.connector import Channels
from botframework.connector.aio import ConnectorClient
from cachetools import LRUCache
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.retry import RETRY_STATUSES, Retry, RetryPolicy, retry_after
from bot.services.fanout import TokenBucket
from bot.services.notify import (
    DeliveryError,
    DeliveryFailed,
    NoConversationReference,
    RecipientUnreachable,
)
from bot.storage.errors import StorageError
from bot.storage.repositories import ConversationReferences, StoredReference
from bot.teams.codec import reference_from_json
from bot.teams.handler import card_activity

log = logging.getLogger(__name__)

# Teams: 50 requests/s per app. The rate is the TEAMS_SENDS_PER_SECOND setting (default 45):
# 45/s with a burst of 3 keeps every one-second window at or under 48, leaving room for timing
# jitter between us and Teams.
TEAMS_BURST = 3


def teams_limiter(sends_per_second: float) -> TokenBucket:
    """The app-wide pace for proactive messages (`Settings.teams_sends_per_second`)."""
    return TokenBucket(sends_per_second, TEAMS_BURST)


class TeamsNotifier:
    """The `Notifier` for Teams: paced, retried, and robust to a stale cached reference."""

    def __init__(
        self,
        adapter: CloudAdapter,
        app_id: str,
        conversations: ConversationReferences,
        limiter: TokenBucket,
        attempts: int = 5,
        base_delay: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`limiter`: one per app process, e.g. `teams_limiter(settings.teams_sends_per_second)`."""
        self._adapter = adapter
        self._limiter = limiter
        self._app_id = app_id
        self._conversations = conversations
        self._policy = RetryPolicy(attempts=attempts, base_delay=base_delay, sleep=sleep)
        # Parsed stored references by their JSON: every send reads one, and parsing it was
        # about 1 % of an approval's CPU. Never changed (`outgoing` copies what it uses).
        self._parsed: LRUCache[str, ConversationReference] = LRUCache(maxsize=4096)

    async def _stored(
        self, tenant_id: str, user_id: str, known: StoredReference | None = None
    ) -> StoredReference:
        stored = known if known is not None else await self._conversations.get(tenant_id, user_id)
        if stored is None:
            log.warning("no conversation reference for a recipient; cannot deliver proactively")
            raise NoConversationReference(tenant_id, user_id)
        return stored

    async def send_card(
        self,
        tenant_id: str,
        user_id: str,
        card: dict[str, Any],
        reference: StoredReference | None = None,
    ) -> str:
        """Send a card; `reference` saves a storage read when the caller already has it."""
        stored = await self._stored(tenant_id, user_id, reference)
        sent: list[str] = []

        async def send(reference: ConversationReference) -> None:
            activity = outgoing(card_activity(card), reference)
            activity.input_hint = activity.input_hint or "acceptingInput"
            client = await self._client(reference)
            response = await client.conversations.reply_to_activity(
                activity.conversation.id, activity.reply_to_id, activity
            )
            sent.append(response.id if response is not None and response.id else "")

        await self._deliver(stored, send)
        return sent[-1] if sent else ""

    async def update_card(
        self, tenant_id: str, user_id: str, message_id: str, card: dict[str, Any]
    ) -> None:
        stored = await self._stored(tenant_id, user_id)

        async def update(reference: ConversationReference) -> None:
            activity = card_activity(card)
            activity.id = message_id
            activity = outgoing(activity, reference)
            client = await self._client(reference)
            await client.conversations.update_activity(
                activity.conversation.id, activity.id, activity
            )

        await self._deliver(stored, update)

    async def _client(self, reference: ConversationReference) -> ConnectorClient:
        """The adapter's connector client for the reference's service URL, built as
        `continue_conversation` has it built: the bot's own claims, no audience."""
        claims = self._adapter.create_claims_identity(self._app_id)
        factory = self._adapter.bot_framework_authentication.create_connector_factory(claims)
        client: ConnectorClient = await factory.create(reference.service_url, None)
        return client

    async def _deliver(
        self, stored: StoredReference, logic: Callable[[ConversationReference], Awaitable[None]]
    ) -> None:
        """Run `logic` for the person's conversation. When Teams refuses a reference that came
        from this process's cache (403, or 404: no such conversation), another instance may
        have stored a newer one meanwhile: drop the cached one and, if storage holds a
        different reference, try once more with it, so a request is never rerouted (or a
        person left uninformed) because of this process's stale copy."""
        try:
            await self._with_retries(self._conversation(stored), logic)
        except (RecipientUnreachable, DeliveryFailed) as error:
            if not stored.cached or not _refused(error):
                raise
            self._conversations.forget(stored.tenant_id, stored.user_id)
            fresh: StoredReference | None = None
            try:
                fresh = await self._conversations.get(stored.tenant_id, stored.user_id)
            except StorageError:
                log.warning("could not reread a refused conversation reference")
            if fresh is None or fresh.reference == stored.reference:
                raise  # the cached reference was the current one: Teams' answer stands
            log.warning("a cached conversation reference was out of date; using the stored one")
            await self._with_retries(self._conversation(fresh), logic)

    def _conversation(self, stored: StoredReference) -> ConversationReference:
        parsed = self._parsed.get(stored.reference)
        if parsed is None:
            parsed = reference_from_json(json.loads(stored.reference))
            self._parsed[stored.reference] = parsed
        return parsed

    async def _with_retries(
        self,
        reference: ConversationReference,
        logic: Callable[[ConversationReference], Awaitable[None]],
    ) -> None:
        async def attempt() -> None:
            await self._limiter.acquire()
            try:
                await logic(reference)
            except HttpOperationError as error:
                response = error.response
                status = response.status_code if response is not None else 0
                if status == 403:
                    raise RecipientUnreachable("Teams answered 403") from error
                failure = DeliveryFailed(f"Teams answered {status}", status)
                failure.__cause__ = error
                if status not in RETRY_STATUSES:
                    raise failure from error
                delay = retry_after(status, response.headers if response is not None else None)
                if delay is not None:
                    self._limiter.pause(delay)  # every sender waits, not just this one
                raise Retry(failure, delay) from error
            except (ClientRequestError, TimeoutError, OSError) as error:
                failure = DeliveryFailed(type(error).__name__)
                failure.__cause__ = error
                raise Retry(failure) from error

        await self._policy.call(attempt)


def outgoing(activity: Activity, reference: ConversationReference) -> Activity:
    """The activity addressed as a proactive turn addresses it: what the SDK's own steps give
    (`TurnContext.apply_conversation_reference` of the conversation reference of
    `get_continuation_activity(reference)`: from the bot to the user, no locale, a reply to
    the continuation's fresh id), built in one step. The fresh id is a random UUID where the
    SDK takes a time-based one (`uuid1`, which asks libuuid for a clock sequence and was about
    1 % of an approval's CPU); Teams reads it as an opaque id either way.
    `tests/e2e/test_proactive_direct.py` compares the result with the SDK's."""
    activity.type = activity.type or ActivityTypes.message
    activity.channel_id = reference.channel_id
    activity.locale = None
    activity.service_url = reference.service_url
    activity.conversation = copy.copy(reference.conversation)
    activity.from_property = copy.copy(reference.bot)
    activity.recipient = copy.copy(reference.user)
    if reference.channel_id not in (Channels.direct_line, Channels.webchat):
        activity.reply_to_id = str(uuid.uuid4())
    return activity


def _refused(error: DeliveryError) -> bool:
    """Teams' answer for a reference that no longer leads to the person."""
    return isinstance(error, RecipientUnreachable) or (
        isinstance(error, DeliveryFailed) and error.status == 404
    )
