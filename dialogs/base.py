"""What a dialog gets and gives: neutral of botbuilder, so flows can be tested without Teams."""

from __future__ import annotations

import logging
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

_log = logging.getLogger("dialogs.storage")


def log_storage_failure(verb: str, reference: str, error: BaseException) -> None:
    """Every storage failure a person is shown is also logged: the verb, the reference of the
    request or report it concerns, and the kind of failure; never what anyone typed."""
    _log.warning(
        "storage failure shown to the user during %s (reference %s): %s",
        verb,
        reference or "-",
        type(error).__name__,
    )
