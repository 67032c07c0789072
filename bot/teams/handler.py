"""The Teams activity handler: turns activities into neutral calls on `dialogs`, and back."""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from botbuilder.core import (
    ActivityHandler,
    CardFactory,
    InvokeResponse,
    MessageFactory,
    TurnContext,
)
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse, Attachment

import dialogs
from bot.domain.people import Actor
from bot.services.context import Services
from bot.storage.errors import StorageError
from bot.storage.repositories import StoredReference
from bot.teams.codec import model_to_json
from cards import text
from dialogs import extension
from dialogs.base import Card, CardAction
from dialogs.menu import error_card, menu_for
from dialogs.registry import VerbRegistry

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def actor_of(activity: Activity, default_locale: str, override: str = "") -> Actor:
    """Who sent this activity, from the authenticated activity itself (never from card data)."""
    sender = activity.from_property
    tenant = ""
    if activity.conversation is not None and activity.conversation.tenant_id:
        tenant = activity.conversation.tenant_id
    elif isinstance(activity.channel_data, dict):
        tenant = str((activity.channel_data.get("tenant") or {}).get("id", ""))
    return Actor(
        tenant_id=tenant,
        user_id=(sender.aad_object_id if sender is not None else None) or "",
        name=(sender.name if sender is not None else None) or "",
        locale=override or activity.locale or default_locale,
        mri=(sender.id if sender is not None else None) or "",
    )


class SharedAttachment(Attachment):  # type: ignore[misc]
    """An attachment that is never changed once built, so a deep copy may share it.

    `TurnContext.send_activities` deep-copies every outgoing activity before it fills in the
    conversation; for a card that meant copying the whole card (about a tenth of a menu turn's
    CPU). The activity is still copied; its card is shared, which is safe because nothing
    changes a card after it is rendered."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedAttachment:
        return self


_IMMUTABLE = (str, int, float, bool)


class CardActivity(Activity):  # type: ignore[misc]
    """An outgoing card message whose deep copy (`TurnContext.send_activities` makes one of
    every activity it sends) copies each of its own values and nothing more.

    The generic deep copy of an msrest model walks every attribute through `__reduce_ex__`
    (about 140 `deepcopy` calls for a card message, a few percent of a decision's CPU); this
    one copies what is set (None and plain values are immutable: kept), so the copy still
    shares nothing with the original but its card (see `SharedAttachment`)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> CardActivity:
        copied: CardActivity = object.__new__(type(self))
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            if value is not None and type(value) not in _IMMUTABLE:
                value = copy.deepcopy(value, memo)
            copied.__dict__[name] = value
        return copied


class SharedInvokeResponse(InvokeResponse):  # type: ignore[misc]
    """An invoke's answer, shared by deep copies like `SharedAttachment`.

    `ActivityHandler.on_turn` sends the answer as an `invokeResponse` activity through
    `TurnContext.send_activity`, which deep-copies it: for a card action that copied the whole
    answer card (about a tenth of a gift submission's CPU under the profiler). Nothing changes
    the answer after it is built (the adapter only serializes its body), so the copy shares it."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedInvokeResponse:
        return self


def card_activity(card: Card) -> Activity:
    """A message carrying one Adaptive Card."""
    content_type = CardFactory.content_types.adaptive_card
    activity = MessageFactory.attachment(SharedAttachment(content_type=content_type, content=card))
    activity.__class__ = CardActivity  # the same message; only its deep copy differs
    return activity


class IntegrityBot(ActivityHandler):  # type: ignore[misc]
    """Routes messages to the text answerer and card actions to the verb registry."""

    def __init__(self, services: Services, registry: VerbRegistry) -> None:
        self._services = services
        self._registry = registry

    def _actor(self, turn_context: TurnContext) -> Actor:
        settings = self._services.settings
        return actor_of(turn_context.activity, settings.default_locale, settings.locale_override)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        actor = self._actor(turn_context)
        text = (turn_context.activity.text or "").strip()
        reply = await dialogs.answer_text(actor, text, self._services, self._registry)
        if not reply.confidential:
            # A confidential turn (vertrouwenspersoon, meldregeling, MIW, or text we did not
            # understand) writes nothing at all, not even the conversation reference.
            await self._remember(turn_context, actor)
        for card in reply.cards:
            await turn_context.send_activity(card_activity(card))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """Welcome a person once: the Agents Playground (and Teams, on some clients) sends an
        install every time the chat is opened, and a new welcome card each time buries the
        conversation. Someone already known in this conversation is only remembered."""
        actor = self._actor(turn_context)
        welcomed = await self._known_here(turn_context, actor)
        await self._remember(turn_context, actor)
        if not welcomed:
            named = await self._named(actor)
            await turn_context.send_activity(card_activity(await menu_for(named, self._services)))

    async def _named(self, actor: Actor) -> Actor:
        """The actor with their name from the directory when the activity carries none (the
        Playground's install does not), so the one welcome greets them by name. Only for the
        greeting: identity stays the authenticated id."""
        if actor.name or not actor.user_id or not actor.tenant_id:
            return actor
        try:
            person = await self._services.directory.get_person(actor.tenant_id, actor.user_id)
        except StorageError as error:
            log.warning("could not read the directory for a welcome: %s", type(error).__name__)
            return actor
        return replace(actor, name=person.name) if person is not None and person.name else actor

    async def _known_here(self, turn_context: TurnContext, actor: Actor) -> bool:
        """Whether a reference to this very conversation is stored for the person already (a
        storage failure counts as not known: a second welcome beats none)."""
        if not actor.user_id or not actor.tenant_id:
            return False
        try:
            stored = await self._services.conversations.get(actor.tenant_id, actor.user_id)
        except StorageError as error:
            log.warning("could not read conversation reference: %s", type(error).__name__)
            return False
        if stored is None:
            return False
        try:
            conversation = json.loads(stored.reference).get("conversation") or {}
        except (ValueError, AttributeError):
            return False
        current = turn_context.activity.conversation
        return bool(current and current.id) and conversation.get("id") == current.id

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        return None

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context, self._actor(turn_context))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        if turn_context.activity.name in extension.INVOKES:
            return await self._message_extension(turn_context)
        if turn_context.activity.name != "adaptiveCard/action":
            return SharedInvokeResponse(status=int(HTTPStatus.NOT_IMPLEMENTED))
        actor = self._actor(turn_context)
        action = _parse_action(turn_context.activity.value)
        if action is None:
            card = error_card(actor.locale, "malformed_action")
        else:
            verb, data = action
            card_action = CardAction(actor, verb, data, turn_context.activity.reply_to_id)
            try:
                card = await dialogs.dispatch(self._registry, card_action, self._services)
            except StorageError as error:
                reference = data.get("requestId") or data.get("breachId") or "-"
                log.warning(
                    "storage failure shown to the user during %s (reference %s): %s",
                    verb,
                    reference if isinstance(reference, str) else "-",
                    type(error).__name__,
                )
                card = error_card(actor.locale, "storage_unavailable")
            except Exception:
                # Never a 500 for a click: log it with the activity id, show a clear card.
                log.exception("card action %s failed (activity %s)", verb, turn_context.activity.id)
                card = error_card(actor.locale, "unexpected")
        response = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
        return SharedInvokeResponse(status=int(HTTPStatus.OK), body=model_to_json(response))

    async def _message_extension(self, turn_context: TurnContext) -> InvokeResponse:
        """'Melden bij Integriteit' on a message: the answer is the dialog only; nothing is
        sent to the conversation the message is in (dialogs/extension.py)."""
        actor = self._actor(turn_context)
        name = str(turn_context.activity.name)
        try:
            body = await extension.answer(
                name, actor, turn_context.activity.value, self._services, self._registry
            )
        except Exception:
            log.exception(
                "message extension %s failed (activity %s)", name, turn_context.activity.id
            )
            body = {
                "task": {"type": "message", "value": text(actor.locale, "extension.unexpected")}
            }
        return SharedInvokeResponse(status=int(HTTPStatus.OK), body=body)

    async def _remember(self, turn_context: TurnContext, actor: Actor) -> None:
        """Keep this person's conversation reference for proactive messages later."""
        if not actor.user_id or not actor.tenant_id:
            return
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        # The id of the message that carried it changes every turn and proactive sends do not
        # use it; without it the reference is stable, so unchanged ones need no storage write.
        reference.activity_id = None
        stored = StoredReference(
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
            reference=json.dumps(reference.serialize()),
            locale=actor.locale,
        )
        try:
            await self._services.conversations.save_if_changed(stored)
        except StorageError as error:
            # Not fatal for this turn; the next turn tries again.
            log.warning("could not store conversation reference: %s", type(error).__name__)


def _parse_action(value: Any) -> tuple[str, dict[str, Any]] | None:
    """The verb and inputs of an `adaptiveCard/action` invoke, or None if it is malformed."""
    if not isinstance(value, dict):
        return None
    action = value.get("action")
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    verb = action.get("verb")
    if not isinstance(verb, str) or not verb or len(verb) > 100:
        return None
    data = action.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None
    return verb, data


__all__ = ["ActivityTypes", "IntegrityBot", "actor_of", "card_activity"]
