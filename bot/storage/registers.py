"""Tables of the registers and overviews (raffles, acknowledgements, retention, leases)."""

from __future__ import annotations

from bot.storage import acknowledgements, leases, raffles

TABLES: tuple[str, ...] = (*raffles.TABLES, *acknowledgements.TABLES, *leases.TABLES)
