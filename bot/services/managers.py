"""Errors of a manager lookup (Graph: `bot/graph.py`; the protocol is in
`bot/services/approvers.py`)."""

from __future__ import annotations


class ManagerLookupError(Exception):
    """The manager could not be determined (as opposed to: the person has no manager)."""
