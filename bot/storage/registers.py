"""Tables of the registers and overviews (raffles, acknowledgements, retention, leases, the
list of parties in negotiation, the trailer's bookings, the supplier contacts)."""

from __future__ import annotations

from bot.storage import (
    acknowledgements,
    leases,
    negotiations,
    raffles,
    removals,
    supplier_contacts,
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
    *supplier_contacts.TABLES,
)
