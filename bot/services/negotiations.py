"""The list of parties in negotiation (kept by procurement or the integrity officer), and what
the bot sets from it and from the gift register when a gift or an invitation is submitted.

At submission (a kind's `enrich` hook) the bot looks the giver up on the list, one point read
by its match key, so "in negotiation" no longer depends on the employee knowing; and it counts
what the same organisation gave across all staff this year from the gift register, one partition
read, at most a minute old (see docs/negotiations.md for why that read and not a counter row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from bot.domain.gifts import Gift, GiverYear
from bot.domain.kinds import Kind
from bot.domain.negotiations import Party, PartyInput, match_key
from bot.domain.people import Actor, Role
from bot.domain.requests import ApprovalRequest
from bot.services.context import Services
from bot.storage.errors import AlreadyExists

# Who keeps the list (and may see it).
KEEPERS: tuple[Role, ...] = (Role.PROCUREMENT, Role.INTEGRITY_OFFICER)


async def listed_on(services: Services, tenant_id: str, giver: str, day: date) -> Party | None:
    """The party on the list that `giver` is, if it is in negotiation on `day`."""
    key = match_key(giver)
    if not key:
        return None
    party = await services.negotiations.find(tenant_id, key)
    return party if party is not None and party.on(day) else None


def period(party: Party) -> str:
    """A listed party's period as stored with the facts: "2026-09-01/2026-12-31"."""
    return f"{party.start.isoformat()}/{party.end.isoformat()}"


def giver_key(gift: Gift) -> str:
    """The organisation a gift comes from (the person's name when no organisation is given),
    as a match key: the same key the list uses, so "Vos B.V." and "Vos BV" count together."""
    return match_key(gift.giver_organisation or gift.giver_name)


def giver_years(
    kind: Kind[Gift], copies: Iterable[ApprovalRequest]
) -> dict[tuple[int, str], GiverYear]:
    """Per (year, organisation key): the gifts on the register, their value and how many
    colleagues received them (pure; withdrawn gifts are not on the register)."""
    gifts: dict[tuple[int, str], list[ApprovalRequest]] = {}
    for copy in copies:
        if copy.kind != kind.name or not kind.on_register(copy):
            continue
        facts = kind.facts_of(copy)
        key = giver_key(facts)
        if key:
            gifts.setdefault((kind.register_day(copy).year, key), []).append(copy)
    return {
        group: GiverYear(
            len(found),
            sum(kind.facts_of(r).value_cents for r in found),
            len({r.requester.id for r in found}),
        )
        for group, found in gifts.items()
    }


def by_giver(copy: ApprovalRequest) -> str:
    """The grouping `giver_year` asks of the register: a gift copy's organisation key."""
    return giver_key(copy.facts) if isinstance(copy.facts, Gift) else ""


async def giver_year(services: Services, actor: Actor, kind: Kind[Gift], gift: Gift) -> GiverYear:
    """What the gift's organisation gave across all staff in the gift's year, this gift
    included: from that year's gift register partition, as read at most a minute ago plus this
    instance's own changes since (`Requests.recent_register`): a figure beside the manager's
    card, so a minute's lag on other instances' gifts is accepted for not reading the whole
    year's partition on every submission."""
    key = giver_key(gift)
    totals = await services.requests.recent_totals(
        actor.tenant_id, kind.name, gift.received_on.year, by_giver, key
    )
    colleagues = len(totals.requesters) + (actor.user_id not in totals.requesters)
    return GiverYear(totals.count + 1, totals.value_cents + gift.value_cents, colleagues)


async def with_list_and_totals(
    services: Services, actor: Actor, kind: Kind[Gift], gift: Gift
) -> Gift:
    """The gift as the bot completes it: on the list or not, and the organisation's year."""
    giver = gift.giver_organisation or gift.giver_name
    if giver_key(gift):
        party, totals = await asyncio.gather(
            listed_on(services, actor.tenant_id, giver, gift.received_on),
            giver_year(services, actor, kind, gift),
        )
    else:
        party, totals = None, None
    return replace(
        gift,
        listed_party=party.name if party else "",
        listed_period=period(party) if party else "",
        giver_year=totals,
    )


# --- Keeping the list -------------------------------------------------------------------------


def as_party(actor: Actor, typed: PartyInput) -> Party:
    """A checked input as a party on the actor's tenant's list."""
    if typed.start is None or typed.end is None or typed.errors:
        raise ValueError("only a checked party without errors goes on the list")
    return Party(
        tenant_id=actor.tenant_id,
        name=typed.name,
        start=typed.start,
        end=typed.end,
        kvk=typed.kvk,
        added_by=actor.name,
    )


async def add_party(services: Services, actor: Actor, typed: PartyInput) -> Party | None:
    """Put a party on the list; None when a party with the same match key is on it already."""
    party = replace(as_party(actor, typed), changed_at=services.clock())
    try:
        await services.negotiations.add(party)
    except AlreadyExists:
        return None
    return party


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int


async def import_parties(services: Services, actor: Actor, typed: Sequence[PartyInput]) -> Imported:
    """Put every party of an import on the list: new ones added, listed ones (same match key)
    get the imported KvK number and dates. Repeating an import changes nothing more."""
    now = services.clock()
    listed = {p.key for p in await services.negotiations.parties(actor.tenant_id)}
    parties = [replace(as_party(actor, t), changed_at=now) for t in typed]
    await services.negotiations.put_all(parties)
    updated = sum(1 for p in parties if p.key in listed)
    return Imported(len(parties) - updated, updated)
