"""The secretariat's collection of gifts to hand in (§2: gifts to Woongroen are collected
centrally and raffled among staff): what is expected, what arrived, what was raffled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CollectionStatus(StrEnum):
    EXPECTED = "expected"  # the verdict says hand in; it has not arrived yet
    RECEIVED = "received"  # the secretariat has it: it goes in the next raffle
    RAFFLED = "raffled"  # won in a raffle
    # No longer to be handed in (the manager said give it back, or it was withdrawn) after the
    # secretariat had it: it goes back to the employee, never into a raffle.
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CollectedGift:
    request_id: str
    requester_id: str
    requester_name: str
    status: CollectionStatus
    description: str
    value_cents: int
    created_at: datetime
    raffle_id: str = ""
