"""Tables of the registers and overviews (raffles, acknowledgements, retention, leases)."""

from __future__ import annotations

from bot.storage import acknowledgements, leases, raffles, removals

TABLES: tuple[str, ...] = (
    *raffles.TABLES,
    *acknowledgements.TABLES,
    *removals.TABLES,
    *leases.TABLES,
)
