"""Deciding on any request from its card: approve, decline, refresh the view, withdraw."""

from __future__ import annotations

from bot.domain.requests import DecisionRefused
from bot.services.approvals import (
    RequestNotFound,
    advise_request,
    decide_request,
    load,
    withdraw_request,
)
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text
from dialogs.base import Card, CardAction
from dialogs.registry import VerbRegistry
from dialogs.requests_view import CardPresenter, request_card

PRESENTER = CardPresenter()


def _pointer(action: CardAction) -> tuple[str, str] | None:
    """Which request the card is about. A pointer only: who may act is checked against storage."""
    rid = action.data.get("requestId")
    requester = action.data.get("requesterId")
    if not isinstance(rid, str) or not isinstance(requester, str):
        return None
    if not (0 < len(rid) <= 40 and 0 < len(requester) <= 64):
        return None
    return rid, requester


def _refusal(locale: str, code: str) -> Card:
    return render("error", locale, {"message": text(locale, f"requests.refused.{code}")})


def _comment(action: CardAction) -> str:
    raw = action.data.get("comment")
    if not isinstance(raw, str):
        return ""
    cleaned = "".join(c for c in raw if c in "\n\t" or ord(c) >= 32).strip()
    return cleaned[:1000]


async def _decide(action: CardAction, services: Services, approve: bool) -> Card:
    locale = action.actor.locale
    pointer = _pointer(action)
    if pointer is None or not action.actor.user_id:
        return _refusal(locale, "not_found")
    rid, requester = pointer
    try:
        request = await decide_request(
            services,
            PRESENTER,
            action.actor,
            requester,
            rid,
            approve,
            _comment(action),
            action.message_id,
        )
    except RequestNotFound:
        return _refusal(locale, "not_found")
    except DecisionRefused as refusal:
        return _refusal(locale, refusal.code)
    except StorageError:
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})
    return PRESENTER.approver_card(request, locale)


async def approve(action: CardAction, services: Services) -> Card:
    return await _decide(action, services, approve=True)


async def decline(action: CardAction, services: Services) -> Card:
    return await _decide(action, services, approve=False)


async def refresh(action: CardAction, services: Services) -> Card:
    """Teams asks for the card as this viewer should see it."""
    locale = action.actor.locale
    pointer = _pointer(action)
    if pointer is None:
        return _refusal(locale, "not_found")
    rid, requester = pointer
    try:
        stored = await load(services, action.actor.tenant_id, requester, rid)
    except RequestNotFound:
        return _refusal(locale, "not_found")
    request = stored.request
    advisor = request.advisor.id if request.advisor else None
    if action.actor.user_id not in (request.approver.id, request.requester.id, advisor):
        return _refusal(locale, "not_approver")
    return request_card(request, locale, action.actor.user_id)


async def withdraw(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    pointer = _pointer(action)
    if pointer is None:
        return _refusal(locale, "not_found")
    rid, requester = pointer
    if requester != action.actor.user_id:
        return _refusal(locale, "not_requester")
    try:
        request = await withdraw_request(services, PRESENTER, action.actor, rid)
    except RequestNotFound:
        return _refusal(locale, "not_found")
    except DecisionRefused as refusal:
        return _refusal(locale, refusal.code)
    return request_card(request, locale, action.actor.user_id)


async def advise(action: CardAction, services: Services) -> Card:
    """The advisor (e.g. HR on a side job) gives advice; the manager sees it on their card."""
    locale = action.actor.locale
    pointer = _pointer(action)
    if pointer is None or not action.actor.user_id:
        return _refusal(locale, "not_found")
    rid, requester = pointer
    raw = action.data.get("advice")
    advice = (
        "".join(c for c in raw if c in "\n\t" or ord(c) >= 32).strip()[:2000]
        if isinstance(raw, str)
        else ""
    )
    try:
        request = await advise_request(services, PRESENTER, action.actor, requester, rid, advice)
    except RequestNotFound:
        return _refusal(locale, "not_found")
    except DecisionRefused as refusal:
        return _refusal(locale, refusal.code)
    except StorageError:
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})
    return PRESENTER.advisor_card(request, locale)


def register(registry: VerbRegistry) -> None:
    registry.add("request.approve", approve)
    registry.add("request.decline", decline)
    registry.add("request.refresh", refresh)
    registry.add("request.withdraw", withdraw)
    registry.add("request.advise", advise)
