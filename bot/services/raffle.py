"""The gift raffle: every gift the secretariat received, among staff (§2), in two steps.

1. **Announce** (`announce_raffle`): the gifts, the participants (staff only: see
   `bot.domain.raffle.eligibility`) and the commitment (SHA-256 of a fresh seed) are recorded and
   sent to every participant, who can check they are in. The seed is kept, shown to nobody.
2. **Draw** (`run_raffle`): the announced raffle is drawn with its seed, over exactly the
   published participants and gifts, so anyone can re-run it from the published record
   (`python -m bot.verify_raffle`) and check the seed against the commitment.

Order matters for "never lost": the draw is recorded (seed, participants, who was left out and
why, gifts and winners) before any gift changes status or anyone is told; then each gift becomes
"raffled"; then the winners are told, and who could not be told is recorded next to the prize.
One raffle at a time per tenant (a lease), so two clicks cannot raffle the same gift twice.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.collection import CollectionStatus
from bot.domain.people import Actor
from bot.domain.raffle import ALGORITHM, commitment, draw, participants_of
from bot.services.context import Services
from bot.services.fanout import fan_out
from bot.services.notify import DeliveryError, NoConversationReference
from bot.storage.raffles import AlreadyDrawn, Excluded, Prize, RaffleRecord

log = logging.getLogger(__name__)

LEASE_TIME = timedelta(minutes=2)
WinnerCard = Callable[[Prize, str], dict[str, Any]]  # (prize, locale) -> card


class NothingToRaffle(Exception):
    """No gift has been received by the secretariat (or all are raffled already)."""


class RaffleBusy(Exception):
    """Another raffle for this tenant is running right now."""


class NotAnnounced(Exception):
    """There is no announced raffle to draw: announce one first."""


class AlreadyAnnounced(Exception):
    """A raffle is announced and not drawn yet: draw it before announcing another."""

    def __init__(self, raffle: RaffleRecord) -> None:
        super().__init__(raffle.id)
        self.raffle = raffle


AnnouncementCard = Callable[[RaffleRecord, str], dict[str, Any]]  # (raffle, locale) -> card


async def announce_raffle(
    services: Services, actor: Actor, announcement: AnnouncementCard
) -> tuple[RaffleRecord, int]:
    """Record the raffle to come (gifts, participants, commitment) and send it to every
    participant; returns it with how many were reached. The caller has checked the role."""
    lease = f"raffle|{actor.tenant_id}"
    now = services.clock()
    if not await services.leases.claim(lease, actor.user_id, now, LEASE_TIME):
        raise RaffleBusy(actor.tenant_id)
    try:
        pending = await services.raffles.announced(actor.tenant_id)
        if pending is not None:
            raise AlreadyAnnounced(pending)
        received = [
            e
            for e in await services.collection.entries(actor.tenant_id)
            if e.status is CollectionStatus.RECEIVED
        ]
        if not received:
            raise NothingToRaffle(actor.tenant_id)
        participants, left_out = participants_of(await services.directory.people(actor.tenant_id))
        seed = secrets.token_hex(16)
        committed = commitment(seed)
        raffle = RaffleRecord(
            id=f"R{now:%Y%m%dT%H%M%S}-{committed[:6]}",
            tenant_id=actor.tenant_id,
            seed=seed,
            algorithm=ALGORITHM,
            drawn_at=None,
            drawn_by="",
            participants=tuple(participants),
            excluded=tuple(Excluded(*e) for e in left_out),
            prizes=tuple(
                Prize(e.request_id, e.description, "", "")
                for e in sorted(received, key=lambda e: e.request_id)
            ),
            commitment=committed,
            announced_at=now,
            announced_by=actor.user_id,
        )
        await services.raffles.record(raffle)
    finally:
        await services.leases.release(lease, actor.user_id)
    return raffle, await _announce(services, raffle, announcement)


async def _announce(
    services: Services, raffle: RaffleRecord, announcement: AnnouncementCard
) -> int:
    """Send the announcement to every participant (paced); returns how many were reached.
    Whoever is not reached can still see it under "Verlotingen" in the menu."""
    reached = 0

    async def tell(person_id: str) -> None:
        nonlocal reached
        reference = await services.conversations.get(raffle.tenant_id, person_id)
        if reference is None:
            return
        try:
            await services.notifier.send_card(
                raffle.tenant_id, person_id, announcement(raffle, reference.locale), reference
            )
        except DeliveryError as error:
            log.warning("raffle %s announcement not delivered: %s", raffle.id, type(error).__name__)
            return
        reached += 1

    result = await fan_out(raffle.participants, tell, concurrency=4)
    for _, error in result.failed:
        log.warning("raffle %s announcement not delivered: %s", raffle.id, type(error).__name__)
    return reached


async def run_raffle(services: Services, actor: Actor, winner_card: WinnerCard) -> RaffleRecord:
    """Draw the announced raffle, record it, mark the gifts and tell the winners. The caller
    has checked the role."""
    lease = f"raffle|{actor.tenant_id}"
    leases = services.leases
    now = services.clock()
    if not await leases.claim(lease, actor.user_id, now, LEASE_TIME):
        raise RaffleBusy(actor.tenant_id)
    try:
        raffle = await _draw_and_record(services, actor)
        for prize in raffle.prizes:
            if not prize.removed:
                await _mark_raffled(services, actor.tenant_id, prize.gift_id, raffle.id)
        raffle = await _tell_winners(services, raffle, winner_card)
        await services.raffles.record_notifications(raffle)
        return raffle
    finally:
        await leases.release(lease, actor.user_id)


async def _draw_and_record(services: Services, actor: Actor) -> RaffleRecord:
    """The announced raffle drawn with its own seed over its published participants and gifts;
    a gift no longer with the secretariat is recorded as removed and won by nobody."""
    for _ in range(3):
        announced = await services.raffles.announced(actor.tenant_id)
        entries = await services.collection.entries(actor.tenant_id)
        if announced is None:
            received = [e for e in entries if e.status is CollectionStatus.RECEIVED]
            raise NotAnnounced(actor.tenant_id) if received else NothingToRaffle(actor.tenant_id)
        now = services.clock()
        status = {e.request_id: e.status for e in entries}
        prizes = tuple(_still_there(p, status.get(p.gift_id), now) for p in announced.prizes)
        names = {p.id: p.name for p in await services.directory.people(actor.tenant_id)}
        winners = draw(
            announced.participants,
            [p.gift_id for p in prizes],
            announced.seed,
            [p.gift_id for p in prizes if p.removed],
        )
        raffle = replace(
            announced,
            drawn_at=now,
            drawn_by=actor.user_id,
            prizes=tuple(
                p
                if p.removed
                else replace(
                    p,
                    winner_id=winners[p.gift_id],
                    winner_name=names.get(winners[p.gift_id], ""),
                )
                for p in prizes
            ),
        )
        try:
            await services.raffles.complete_draw(raffle)
        except AlreadyDrawn:
            continue  # drawn by someone else, or a gift taken out meanwhile: look again
        return raffle
    raise RaffleBusy(actor.tenant_id)


def _still_there(prize: Prize, status: CollectionStatus | None, now: datetime) -> Prize:
    """A published gift the secretariat no longer holds for the raffle (given back, or gone
    from the register) that was not recorded as removed yet: recorded now, at the draw."""
    if prize.removed or status is CollectionStatus.RECEIVED:
        return prize
    reason = "returned" if status is CollectionStatus.CANCELLED else "gone"
    log.warning(
        "gift %s was no longer with the secretariat at the draw: not raffled", prize.gift_id
    )
    return replace(prize, removed_at=now, removed_reason=reason)


async def take_out_of_announced(services: Services, tenant_id: str, gift_id: str) -> str | None:
    """A gift the secretariat held goes back (withdrawn, or the manager said give it back): if
    it is on the announced raffle, the published record says from now on that it was taken out
    and when, and the draw leaves it to nobody. Returns the raffle's id (None: on none)."""
    announced = await services.raffles.announced(tenant_id)
    if announced is None or all(p.gift_id != gift_id for p in announced.prizes):
        return None
    at = services.clock()
    if not await services.raffles.remove_prize(tenant_id, announced.id, gift_id, at, "returned"):
        return None  # drawn meanwhile: the draw recorded it itself, or it was won before
    log.info("gift %s taken out of announced raffle %s", gift_id, announced.id)
    return announced.id


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

    won = [p for p in raffle.prizes if not p.removed]
    result = await fan_out(won, tell, concurrency=4)
    for prize, error in result.failed:  # storage trouble while looking up the reference
        outcome[prize.gift_id] = type(error).__name__
    reasons = {p.gift_id: outcome.get(p.gift_id, "unknown") for p in won}
    prizes = tuple(
        p
        if p.removed
        else replace(p, notified=reasons[p.gift_id] == "", not_notified_reason=reasons[p.gift_id])
        for p in raffle.prizes
    )
    return replace(raffle, prizes=prizes)


@dataclass(frozen=True)
class Part:
    """One person's place in a raffle ("Doe ik mee?"), from its published record: on the list
    or not (and if left out, why), and after the draw what they won."""

    listed: bool
    left_out: str  # the eligibility reason they were left out for (inactive, rvc, ...), or ""
    won: tuple[Prize, ...]


def part_of(raffle: RaffleRecord, person_id: str) -> Part:
    left_out = next((e.reason for e in raffle.excluded if e.person_id == person_id), "")
    won = tuple(
        p for p in raffle.prizes if raffle.drawn and not p.removed and p.winner_id == person_id
    )
    return Part(person_id in raffle.participants, left_out, won)


async def my_part(
    services: Services, actor: Actor, raffle_id: str
) -> tuple[RaffleRecord, Part] | None:
    """The raffle `raffle_id` and the signed-in person's part in it (None: no such raffle).
    Open to every employee: the card's "Doe ik mee?" and the tab's raffle page."""
    if not 0 < len(raffle_id) <= 60:
        return None
    raffle = await services.raffles.get(actor.tenant_id, raffle_id)
    if raffle is None:
        return None
    return raffle, part_of(raffle, actor.user_id)
