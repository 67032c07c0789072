""" "Mijn meldingen": an employee's own requests of every kind; open one, add information to a
pending one, or withdraw it (`request.withdraw`, on the requester's view of the card)."""

from __future__ import annotations

from typing import Any

from bot.domain.amend import InvalidNote, clean_note
from bot.domain.people import Actor
from bot.domain.requests import DecisionRefused
from bot.services.approvals import RequestNotFound, announce_note, load
from bot.services.context import Services
from bot.services.personal import add_note, my_requests
from bot.storage.errors import StorageError
from bot.storage.requests import StoredRequest
from cards import render, text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.breach_dossier import mine_items
from dialogs.decisions import refusal
from dialogs.personal_view import mine_card
from dialogs.registry import VerbRegistry
from dialogs.requests_view import CardPresenter, request_card
from dialogs.trailer import mine_items as trailer_items


def _request_id(action: CardAction) -> str | None:
    rid = action.data.get("requestId")
    return rid if isinstance(rid, str) and 0 < len(rid) <= 40 else None


async def open_mine(action: CardAction, services: Services) -> Card:
    actor = action.actor
    if not actor.user_id or not actor.tenant_id:
        return render(
            "error", actor.locale, {"message": text(actor.locale, "requests.no_identity")}
        )
    others = await other_items(services, actor, actor.locale)
    return mine_card(services.kinds, await my_requests(services, actor), actor.locale, others)


async def other_items(services: Services, actor: Actor, locale: str) -> list[dict[str, Any]]:
    """What else is the actor's own, beside their requests: data-leak reports and trailer
    bookings (the card and the tab's page both list these)."""
    return [
        *await mine_items(services, actor, locale),
        *await trailer_items(services, actor, locale),
    ]


async def show_mine(action: CardAction, services: Services) -> Card:
    """One of the actor's own requests. The card names only the request: whose it is comes from
    the authenticated actor, so nobody can open someone else's this way."""
    actor = action.actor
    rid = _request_id(action)
    if rid is None or not actor.user_id:
        return refusal(actor.locale, "not_found")
    try:
        stored = await load(services, actor.tenant_id, actor.user_id, rid)
    except RequestNotFound:
        return refusal(actor.locale, "not_found")
    return request_card(services.kinds, stored.request, actor.locale, actor.user_id)


async def add_to_mine(action: CardAction, services: Services) -> Card:
    actor = action.actor
    locale = actor.locale
    rid = _request_id(action)
    if rid is None or not actor.user_id:
        return refusal(locale, "not_found")
    typed = action.data.get("addition")
    stored: StoredRequest | None = None
    try:
        stored = await load(services, actor.tenant_id, actor.user_id, rid)
        try:
            clean_note(typed)
        except InvalidNote as invalid:
            kept = typed if isinstance(typed, str) else ""
            error = text(locale, f"personal.{invalid.code}")
            return request_card(
                services.kinds,
                stored.request,
                locale,
                actor.user_id,
                addition=kept,
                addition_error=error,
            )
        request = await add_note(services, actor, rid, typed, stored)
    except RequestNotFound:
        return refusal(locale, "not_found")
    except StorageError as error:
        log_storage_failure(action.verb, rid, error)
        if stored is None:
            raise  # nothing to show the note on: the edge shows the storage card
        kept = typed if isinstance(typed, str) else ""
        error_text = text(locale, "errors.storage_unavailable")
        return request_card(
            services.kinds,
            stored.request,
            locale,
            actor.user_id,
            addition=kept,
            addition_error=error_text,
        )
    except DecisionRefused as refused:
        if refused.code != "already_decided":
            return refusal(locale, refused.code)
        current = await load(services, actor.tenant_id, actor.user_id, rid)
        return request_card(services.kinds, current.request, locale, actor.user_id)
    await announce_note(services, CardPresenter(services.kinds), request, action.message_id)
    note = text(locale, "personal.note_added")
    return request_card(services.kinds, request, locale, actor.user_id, note=note)


def register(registry: VerbRegistry) -> None:
    registry.add("mine.open", open_mine)
    registry.add("mine.show", show_mine)
    registry.add("mine.add", add_to_mine)
