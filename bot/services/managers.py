"""Who is someone's manager: the protocol the approval rules depend on, and its errors.

The production implementation asks Microsoft Graph (`bot/graph.py`); tests and the local demo
may use the directory instead. Nothing here knows how the answer is found.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.people import Person


class ManagerLookupError(Exception):
    """The manager could not be determined (as opposed to: the person has no manager)."""


class ManagerLookup(Protocol):
    """Finds a person's manager by their Entra object id."""

    async def manager_of(self, user_id: str) -> Person | None:
        """The manager, or None when the person has none; raises `ManagerLookupError`."""
        ...
