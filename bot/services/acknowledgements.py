"""The yearly acknowledgement of the code: start the campaign, confirm, count, remind.

The integrity officer starts the year's campaign: every active person in the directory is
added. A background job sends the ask (round 0) and, every `ack_reminder_days`, a reminder to
whoever has not confirmed (round 1, 2, ...). Each send is claimed in storage first, so every
person gets each round at most once, however many instances run the job and however often.
Sends go through `fan_out` and the notifier's app-wide token bucket (Teams' rate limits).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.people import Actor, Person
from bot.services.context import Services
from bot.services.fanout import fan_out
from bot.services.notify import DeliveryError
from bot.storage.acknowledgements import (
    Acknowledgement,
    AcknowledgementRepository,
    Campaign,
)

log = logging.getLogger(__name__)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AskCard = Callable[[int, int, str, str], dict[str, Any]]  # (year, round, locale, code url)


@dataclass(frozen=True)
class DepartmentCount:
    department: str
    confirmed: int
    total: int
    undelivered: int


def this_year(services: Services) -> int:
    return services.clock().astimezone(AMSTERDAM).year


async def start_campaign(services: Services, actor: Actor) -> int:
    """Open this year's campaign for every active person; returns how many were added."""
    people = [p for p in await services.directory.people(actor.tenant_id) if p.active]
    repository = services.acknowledgements
    return await repository.start(
        actor.tenant_id, this_year(services), people, actor.user_id, services.clock()
    )


async def confirm(services: Services, actor: Actor, year: int) -> None:
    async def who() -> Person:
        person = await services.directory.get_person(actor.tenant_id, actor.user_id)
        return person or Person(actor.user_id, actor.name)

    await services.acknowledgements.confirm(
        actor.tenant_id, year, actor.user_id, services.clock(), who
    )


async def status(
    services: Services, tenant_id: str, year: int
) -> tuple[Campaign | None, list[DepartmentCount]]:
    """Per department: confirmed / everyone asked, and how many could not be reached."""
    repository = services.acknowledgements
    campaign = await repository.campaign(tenant_id, year)
    if campaign is None:
        return None, []
    counts: dict[str, list[int]] = {}
    for person in await repository.people(tenant_id, year):
        c = counts.setdefault(person.department or "-", [0, 0, 0])
        c[0] += person.confirmed
        c[1] += 1
        c[2] += bool(person.undelivered) and not person.confirmed
    return campaign, [DepartmentCount(d, *c) for d, c in sorted(counts.items())]


async def not_confirmed(services: Services, tenant_id: str, year: int) -> list[Acknowledgement]:
    """Everyone asked this year who has not confirmed yet, by department and name (for HR and
    the integrity officer only: the caller checks the role)."""
    people = await services.acknowledgements.people(tenant_id, year)
    return sorted(
        (p for p in people if not p.confirmed),
        key=lambda p: ((p.department or "-").casefold(), p.name.casefold(), p.person_id),
    )


async def send_due(services: Services, ask_card: AskCard) -> int:
    """The job: start a reminder round when one is due, and send the current round to everyone
    who has not confirmed and has not had it. Returns how many were sent."""
    repository = services.acknowledgements
    interval = timedelta(days=services.settings.ack_reminder_days)
    sent = 0
    for campaign in await repository.campaigns():
        if campaign.year != this_year(services):
            continue  # last year's campaign is closed
        now = services.clock()
        if campaign.round_at + interval <= now and await repository.next_round(campaign, now):
            campaign = await repository.campaign(campaign.tenant_id, campaign.year) or campaign
        due = [
            p
            for p in await repository.people(campaign.tenant_id, campaign.year)
            if not p.confirmed and p.round < campaign.round
        ]
        sent += await _send_round(services, repository, campaign, due, ask_card)
    return sent


async def _send_round(
    services: Services,
    repository: AcknowledgementRepository,
    campaign: Campaign,
    due: list[Acknowledgement],
    ask_card: AskCard,
) -> int:
    sent = 0

    async def send(person: Acknowledgement) -> None:
        nonlocal sent
        claimed = await repository.claim(campaign, person, services.clock())
        if claimed is None:
            return  # another instance has it, or the person confirmed meanwhile
        reference = await services.conversations.get(campaign.tenant_id, person.person_id)
        locale = reference.locale if reference else services.settings.default_locale
        try:
            await services.notifier.send_card(
                campaign.tenant_id,
                person.person_id,
                ask_card(campaign.year, campaign.round, locale, services.settings.code_url),
            )
            sent += 1
        except DeliveryError as error:
            await repository.undelivered(campaign, claimed, type(error).__name__)

    result = await fan_out(due, send, concurrency=8)
    for _, error in result.failed:
        log.warning("acknowledgement send failed: %s", type(error).__name__)
    return sent
