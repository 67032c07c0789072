"""Tables of the registers and overviews (raffles, acknowledgements, retention, leases)."""

from __future__ import annotations

from bot.storage import leases, raffles

TABLES: tuple[str, ...] = (*raffles.TABLES, *leases.TABLES)
