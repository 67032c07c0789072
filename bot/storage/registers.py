"""Tables of the registers and overviews (raffles, acknowledgements, retention, leases, the
list of parties in negotiation, the trailer's bookings)."""

from __future__ import annotations

from bot.storage import (
    acknowledgements,
    leases,
    negotiations,
    raffles,
    removals,
    trailer,
    violations,
)

TABLES: tuple[str, ...] = (
    *raffles.TABLES,
    *acknowledgements.TABLES,
    *removals.TABLES,
    *leases.TABLES,
    *negotiations.TABLES,
    *trailer.TABLES,
    *violations.TABLES,
)
