"""The gift raffle over HTTP: only the secretariat or integrity officer announces and draws it;
staff only take part (not the RvC, not former staff, not contractors); the announcement with
the gifts and the commitment reaches every participant, who can check they are in; the draw
reveals the seed and anyone can re-run it, on a card or with `python -m bot.verify_raffle`;
nobody is left out silently; a winner who cannot be told is shown."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.app import SERVICES
from bot.domain.raffle import draw
from bot.services.context import Services
from bot.storage.raffles import RaffleRepository
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT
from tests.support.card_samples import _gift_request
from tests.support.flows import click, open_flow, texts

JOOST = "0f6c2a10-1111-4a1e-9c01-000000000005"
HENK = "0f6c2a10-1111-4a1e-9c01-000000000007"  # chair of the RvC: not staff
START = datetime(2026, 11, 1, 9, tzinfo=UTC)


async def received_gifts(services: Services, count: int) -> list[str]:
    """`count` gifts handed in and received by the secretariat."""
    ids = []
    for n in range(count):
        request = replace(
            _gift_request(verdict="hand_in"),
            id=f"CAD-TEST-{n:04d}",
            tenant_id=TENANT,
            created_at=START + timedelta(days=n),
        )
        await services.collection.expect(request, f"Kerstpakket {n}", 7500)
        assert await services.collection.mark_received(TENANT, request.id, LOTTE.aad_id, START)
        ids.append(request.id)
    return ids


async def retire_joost(services: Services) -> None:
    joost = await services.directory.get_person(TENANT, JOOST)
    assert joost is not None
    await services.directory.put_person(TENANT, replace(joost, active=False))


async def test_the_secretariat_raffles_received_gifts_among_all_active_staff(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    await install(bot, SANNE, PIETER)
    gifts = await received_gifts(services, 7)
    await retire_joost(services)

    register = await open_flow(bot, LOTTE, "collection.open")
    assert "raffle.run" not in str(register)  # announced first
    await click(bot, LOTTE, register, "raffle.announce")
    announcements = [len(bot.connector.to(u.conversation_id)) for u in (SANNE, PIETER)]
    register = await open_flow(bot, LOTTE, "collection.open")
    result = await click(bot, LOTTE, register, "raffle.run")

    raffle = await RaffleRepository(services.store).latest(TENANT)
    assert raffle is not None
    people = await services.directory.people(TENANT)
    assert sorted(raffle.participants) == sorted(p.id for p in people if p.id not in (JOOST, HENK))
    assert [(e.person_id, e.reason) for e in raffle.excluded] == [
        (JOOST, "inactive"),
        (HENK, "rvc"),
    ]
    assert sorted(raffle.winners) == gifts
    # anyone can re-run the draw from the record and get the same winners
    assert draw(raffle.participants, list(raffle.winners), raffle.seed) == raffle.winners
    # 7 gifts among 6 people: everyone wins once before anyone wins twice
    assert set(raffle.winners.values()) == set(raffle.participants)

    installed = {SANNE.aad_id: SANNE, PIETER.aad_id: PIETER}
    for prize in raffle.prizes:
        assert prize.notified is (prize.winner_id in installed), prize
        if not prize.notified:
            assert prize.not_notified_reason == "no_reference"
    for person_id, user in installed.items():
        won = [p for p in raffle.prizes if p.winner_id == person_id]
        cards = [s.card for s in bot.connector.to(user.conversation_id)][1:]  # after the notice
        assert len(cards) == len(won) >= 1
        assert all(c is not None and "Je hebt een cadeau gewonnen" in texts(c) for c in cards)

    shown = texts(result)
    told = sum(1 for p in raffle.prizes if p.notified)
    assert shown.count("Winnaar heeft bericht gekregen") == told
    assert shown.count("GEEN bericht") == 7 - told > 0
    assert "Joost Visser: niet meer in dienst" in shown
    assert raffle.seed in shown
    assert {e.status for e in await services.collection.entries(TENANT)} == {"raffled"}

    assert announcements == [1, 1]  # the announcement, before anyone won
    again = await click(bot, LOTTE, register, "raffle.run")
    assert "geen ontvangen cadeaus" in texts(again)


async def test_an_employee_cannot_run_the_raffle(bot: BotUnderTest) -> None:
    services = bot.server.app[SERVICES]
    await received_gifts(services, 2)
    menu = await open_flow(bot, SANNE, "menu.open")
    assert "raffle.run" not in str(menu)
    for verb in ("raffle.run", "raffle.announce"):
        response = await bot.post(SANNE.invoke(bot.service_url, verb, {}))
        assert "Alleen het secretariaat" in texts((await response.json())["value"])
    assert await RaffleRepository(services.store).latest(TENANT) is None
    assert {e.status for e in await services.collection.entries(TENANT)} == {"received"}


async def test_the_raffle_button_shows_only_when_something_was_received(
    bot: BotUnderTest,
) -> None:
    register = await open_flow(bot, LOTTE, "collection.open")
    assert "raffle.announce" not in str(register)
    await received_gifts(bot.server.app[SERVICES], 1)
    register = await open_flow(bot, LOTTE, "collection.open")
    assert "raffle.announce" in str(register) and "raffle.run" not in str(register)
    await click(bot, LOTTE, register, "raffle.announce")
    register = await open_flow(bot, LOTTE, "collection.open")
    assert "raffle.run" in str(register) and "raffle.announce" not in str(register)
