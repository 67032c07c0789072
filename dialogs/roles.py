"""Role-gated card actions: one guard, so every gated verb refuses the same way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from bot.domain.people import Actor, Role
from bot.services.context import Services
from bot.services.roles import has_role
from cards import render, text
from dialogs.base import ActionHandler, Card, CardAction

log = logging.getLogger("dialogs.roles")


def requires(
    roles: Iterable[Role], refusal: str, missing: str | None = None
) -> Callable[[ActionHandler], ActionHandler]:
    """Wrap a handler: it runs only for a person holding one of `roles` (from the directory);
    anyone else gets the error card with the text `refusal` (a text key). With `missing` (a text
    key saying whom to contact instead), a refusal when nobody at all holds any of the roles
    shows that text, and the log names the role that is not configured."""
    allowed = frozenset(roles)

    def wrap(handler: ActionHandler) -> ActionHandler:
        async def guarded(action: CardAction, services: Services) -> Card:
            actor = action.actor
            if not await has_role(services, actor.tenant_id, actor.user_id, allowed):
                shown = refusal
                if missing is not None and not await _anyone_holds(services, actor, allowed):
                    shown = missing
                return render("error", actor.locale, {"message": text(actor.locale, shown)})
            return await handler(action, services)

        return guarded

    return wrap


async def _anyone_holds(services: Services, actor: Actor, roles: frozenset[Role]) -> bool:
    for role in sorted(roles, key=lambda r: r.value):
        if await services.directory.with_role(actor.tenant_id, role):
            return True
    for role in sorted(roles, key=lambda r: r.value):
        log.warning("role %s is not configured in the directory", role.value)
    return False
