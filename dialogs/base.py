"""What a dialog gets and gives: neutral of botbuilder, so flows can be tested without Teams."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.people import Actor
from bot.services.context import Services

Card = dict[str, Any]


@dataclass(frozen=True)
class CardAction:
    """An `Action.Execute` click: who clicked (authenticated), which verb, the card's inputs."""

    actor: Actor
    verb: str
    data: Mapping[str, Any]
    message_id: str | None  # the message holding the card, to update it for everyone


ActionHandler = Callable[[CardAction, Services], Awaitable[Card]]
