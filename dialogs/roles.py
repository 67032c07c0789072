"""Role-gated card actions: one guard, so every gated verb refuses the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.domain.people import Role
from bot.services.context import Services
from bot.services.roles import has_role
from cards import render, text
from dialogs.base import ActionHandler, Card, CardAction


def requires(roles: Iterable[Role], refusal: str) -> Callable[[ActionHandler], ActionHandler]:
    """Wrap a handler: it runs only for a person holding one of `roles` (from the directory);
    anyone else gets the error card with the text `refusal` (a text key)."""
    allowed = frozenset(roles)

    def wrap(handler: ActionHandler) -> ActionHandler:
        async def guarded(action: CardAction, services: Services) -> Card:
            actor = action.actor
            if not await has_role(services, actor.tenant_id, actor.user_id, allowed):
                return render("error", actor.locale, {"message": text(actor.locale, refusal)})
            return await handler(action, services)

        return guarded

    return wrap
