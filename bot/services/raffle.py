"""Run the gift raffle: every gift the secretariat received, among every active employee.

Order matters for "never lost": the draw is recorded (seed, participants, who was left out and
why, gifts and winners) before any gift changes status or anyone is told; then each gift becomes
"raffled"; then the winners are told, and who could not be told is recorded next to the prize.
One raffle at a time per tenant (a lease), so two clicks cannot raffle the same gift twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.domain.collection import CollectionStatus
from bot.domain.people import Actor
from bot.domain.raffle import ALGORITHM, draw
from bot.services.context import Services
from bot.services.fanout import fan_out
from bot.services.notify import DeliveryError, NoConversationReference
from bot.storage.raffles import Excluded, Prize, RaffleRecord

log = logging.getLogger(__name__)

LEASE_TIME = timedelta(minutes=2)
WinnerCard = Callable[[Prize, str], dict[str, Any]]  # (prize, locale) -> card


class NothingToRaffle(Exception):
    """No gift has been received by the secretariat (or all are raffled already)."""


class RaffleBusy(Exception):
    """Another raffle for this tenant is running right now."""


async def run_raffle(services: Services, actor: Actor, winner_card: WinnerCard) -> RaffleRecord:
    """Draw, record, mark the gifts and tell the winners. The caller has checked the role."""
    lease = f"raffle|{actor.tenant_id}"
    leases = services.leases
    now = services.clock()
    if not await leases.claim(lease, actor.user_id, now, LEASE_TIME):
        raise RaffleBusy(actor.tenant_id)
    try:
        raffle = await _draw_and_record(services, actor)
        for prize in raffle.prizes:
            await _mark_raffled(services, actor.tenant_id, prize.gift_id, raffle.id)
        raffle = await _tell_winners(services, raffle, winner_card)
        await services.raffles.record_notifications(raffle)
        return raffle
    finally:
        await leases.release(lease, actor.user_id)


async def _draw_and_record(services: Services, actor: Actor) -> RaffleRecord:
    received = [
        e
        for e in await services.collection.entries(actor.tenant_id)
        if e.status is CollectionStatus.RECEIVED
    ]
    if not received:
        raise NothingToRaffle(actor.tenant_id)
    people = await services.directory.people(actor.tenant_id)
    participants = sorted(p.id for p in people if p.active)
    excluded = tuple(
        Excluded(p.id, p.name, "inactive")
        for p in sorted(people, key=lambda p: p.id)
        if not p.active
    )
    names = {p.id: p.name for p in people}
    seed = secrets.token_hex(16)
    winners = draw(participants, [e.request_id for e in received], seed)
    now = services.clock()
    by_id = {e.request_id: e for e in received}
    raffle = RaffleRecord(
        id=f"R{now:%Y%m%dT%H%M%S}-{seed[:6]}",
        tenant_id=actor.tenant_id,
        seed=seed,
        algorithm=ALGORITHM,
        drawn_at=now,
        drawn_by=actor.user_id,
        participants=tuple(participants),
        excluded=excluded,
        prizes=tuple(
            Prize(gift, by_id[gift].description, winner, names.get(winner, ""))
            for gift, winner in sorted(winners.items())
        ),
    )
    await services.raffles.record(raffle)
    return raffle


async def _mark_raffled(services: Services, tenant_id: str, gift_id: str, raffle_id: str) -> None:
    """received -> raffled (a lost race leaves the entry as the winner of it wrote it)."""
    if not await services.collection.mark_raffled(tenant_id, gift_id, raffle_id):
        log.warning("gift %s was no longer waiting to be raffled", gift_id)


async def _tell_winners(
    services: Services, raffle: RaffleRecord, winner_card: WinnerCard
) -> RaffleRecord:
    """Send each winner a card (paced like every proactive send); never drop a failure."""
    outcome: dict[str, str] = {}

    async def tell(prize: Prize) -> None:
        reference = await services.conversations.get(raffle.tenant_id, prize.winner_id)
        if reference is None:
            outcome[prize.gift_id] = "no_reference"
            return
        try:
            await services.notifier.send_card(
                raffle.tenant_id, prize.winner_id, winner_card(prize, reference.locale)
            )
            outcome[prize.gift_id] = ""
        except NoConversationReference:
            outcome[prize.gift_id] = "no_reference"
        except DeliveryError as error:
            outcome[prize.gift_id] = type(error).__name__

    result = await fan_out(raffle.prizes, tell, concurrency=4)
    for prize, error in result.failed:  # storage trouble while looking up the reference
        outcome[prize.gift_id] = type(error).__name__
    reasons = {p.gift_id: outcome.get(p.gift_id, "unknown") for p in raffle.prizes}
    prizes = tuple(
        replace(p, notified=reasons[p.gift_id] == "", not_notified_reason=reasons[p.gift_id])
        for p in raffle.prizes
    )
    return replace(raffle, prizes=prizes)
