"""One explicit registry from card verb to handler (`"gift.submit" -> submit_gift`)."""

from __future__ import annotations

from collections.abc import Iterator

from dialogs.base import ActionHandler


class DuplicateVerb(ValueError):
    """Two handlers claimed the same verb."""


class VerbRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, ActionHandler] = {}

    def add(self, verb: str, handler: ActionHandler) -> None:
        if verb in self._handlers:
            raise DuplicateVerb(verb)
        self._handlers[verb] = handler

    def get(self, verb: str) -> ActionHandler | None:
        return self._handlers.get(verb)

    def __contains__(self, verb: object) -> bool:
        return verb in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))
