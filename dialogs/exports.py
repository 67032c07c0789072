"""Which export a download link is for: the ticket's subject picks the module that builds it.

Each builder checks the person's role again when the file is fetched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.services.context import Services
from bot.services.exports import ExportFile, ExportTicket, TicketState, redeem
from dialogs import acknowledge, breach_register, overview, registers

Builder = Callable[[Services, ExportTicket], Awaitable[ExportFile | None]]

BUILDERS: dict[str, Builder] = {
    "breaches": breach_register.export_file,
    "breach_dossier": breach_register.dossier_file,
    "breach_letter": breach_register.letter_file,
    "register": registers.export_file,
    "overview": overview.export_file,
    "acknowledgements": acknowledge.export_file,
}


async def export_file(services: Services, token: str) -> ExportFile | TicketState | None:
    """(file name, content type, bytes) for a valid, unused download token (using it up); the
    link's state when it is not valid; None when the person may no longer have this export."""
    ticket = await redeem(services.tickets, token, services.clock())
    if isinstance(ticket, TicketState):
        return ticket
    builder = BUILDERS.get(ticket.subject)
    return None if builder is None else await builder(services, ticket)
