"""Handing a case over to a colleague from the decision page (a tenant's case, §2): the approver
searches the directory by name and picks one of the matches; the pick is only an id, which the
engine checks against the directory when the decision is made (`decide_request(...,
colleague_id=...)`: active, neither the requester nor the approver), as for the card's list."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest, Person
from bot.services.approvals import colleagues
from bot.services.context import Services
from bot.tab.pages import HandOver
from dialogs.forms import clean_text

MATCHES = 20  # people shown for one search; more means: type more of the name
QUERY_LIMIT = 60


def folded(value: str) -> str:
    """For matching names as people type them: no case, no accents (é is e)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matching(people: Sequence[Person], query: str) -> list[Person]:
    """Everyone whose name holds every typed word (in any order)."""
    words = folded(query).split()
    if not words:
        return []
    return [p for p in people if all(w in folded(p.name) for w in words)]


def typed(raw: object) -> str:
    return clean_text(raw)[:QUERY_LIMIT] if isinstance(raw, str) else ""


async def picker(
    services: Services, request: ApprovalRequest, actor: Actor, query: str, chosen: str
) -> HandOver:
    """The picker's state for the page: the matches for `query` (none searched when empty)."""
    if not query:
        return HandOver(chosen=chosen)
    found = matching(await colleagues(services, request, actor.user_id), query)
    return HandOver(query, found[:MATCHES], len(found) > MATCHES, chosen)
