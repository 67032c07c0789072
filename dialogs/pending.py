""" "Openstaand": what waits for the approver's decision, oldest first; each opens the approval
card, where the usual `request.approve` / `request.decline` buttons decide."""

from __future__ import annotations

from bot.services.approvals import RequestNotFound, load
from bot.services.context import Services
from bot.services.personal import waiting_for
from bot.storage.requests import sealed_request
from cards import render, text
from dialogs.base import Card, CardAction
from dialogs.decisions import refusal
from dialogs.personal_view import pending_card
from dialogs.registry import VerbRegistry
from dialogs.requests_view import CardPresenter


async def open_pending(action: CardAction, services: Services) -> Card:
    actor = action.actor
    if not actor.user_id or not actor.tenant_id:
        return render(
            "error", actor.locale, {"message": text(actor.locale, "requests.no_identity")}
        )
    return pending_card(services.kinds, await waiting_for(services, actor), actor.locale)


async def show_pending(action: CardAction, services: Services) -> Card:
    """The approval card, only for its designated approver (checked against storage)."""
    actor = action.actor
    rid = action.data.get("requestId")
    requester = action.data.get("requesterId")
    if not (isinstance(rid, str) and isinstance(requester, str)) or not actor.user_id:
        return refusal(actor.locale, "not_found")
    if not (0 < len(rid) <= 40 and 0 < len(requester) <= 64):
        return refusal(actor.locale, "not_found")
    try:
        stored = await load(services, actor.tenant_id, requester, rid)
    except RequestNotFound:
        return refusal(actor.locale, "not_found")
    if not stored.request.may_be_decided_by(actor.user_id):
        return refusal(actor.locale, "not_approver")
    sealed = sealed_request(services.seal, stored)
    return CardPresenter(services.kinds).approver_card(stored.request, actor.locale, sealed=sealed)


def register(registry: VerbRegistry) -> None:
    registry.add("pending.open", open_pending)
    registry.add("pending.show", show_pending)
