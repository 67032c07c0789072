"""Errors of Microsoft Graph as the services see them: a manager lookup (the protocol is in
`bot/services/approvers.py`) and the directory's delta rounds (`bot/services/directory_sync.py`).
Raised by the Graph client, `bot/graph.py`."""

from __future__ import annotations


class ManagerLookupError(Exception):
    """The manager could not be determined (as opposed to: the person has no manager)."""


class GraphError(ManagerLookupError):
    """Graph (or the token endpoint) answered with an error we cannot retry away."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"Microsoft Graph answered {status} ({code})")
        self.status = status
        self.code = code


class GraphTokenError(ManagerLookupError):
    """No app token: wrong secret, missing consent, or the tenant is unknown."""

    def __init__(self, error: str) -> None:
        super().__init__(f"no Microsoft Graph token: {error}")
        self.error = error


class DeltaExpired(GraphError):
    """Graph no longer knows the stored delta token (410): start again with a full round."""
