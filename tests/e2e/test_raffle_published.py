"""The raffle as staff see it, over HTTP: the announcement (gifts and the commitment, no seed)
reaches every participant and nobody else; each person checks whether they are in; after the
draw the seed is revealed under "Verlotingen", matches the commitment, and the draw re-runs the
same on a card action and with `python -m bot.verify_raffle` on the published record."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from bot.app import SERVICES
from bot.storage.raffles import RaffleRepository
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.e2e.test_raffle import received_gifts
from tests.support.activities import LOTTE, PIETER, SANNE, TENANT, TeamsUser
from tests.support.flows import actions, click, open_flow, texts


def verify_file(path: Path) -> subprocess.CompletedProcess[str]:
    """The documented command, as an employee would run it."""
    return subprocess.run(
        [sys.executable, "-m", "bot.verify_raffle", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


HENK = TeamsUser("0f6c2a10-1111-4a1e-9c01-000000000007", "Henk de Boer")  # RvC chair
ROOT = Path(__file__).resolve().parents[2]


async def test_announce_check_draw_and_verify(bot: BotUnderTest, tmp_path: Path) -> None:
    services = bot.server.app[SERVICES]
    await install(bot, SANNE, PIETER, HENK)
    await received_gifts(services, 3)

    register = await open_flow(bot, LOTTE, "collection.open")
    receipt = await click(bot, LOTTE, register, "raffle.announce")
    assert "bij 2 van de 6 deelnemers aangekomen" in texts(receipt)  # Sanne and Pieter opened it
    [announced] = await RaffleRepository(services.store).all(TENANT)
    assert not announced.drawn

    [notice] = [s.card for s in bot.connector.to(SANNE.conversation_id) if s.card]
    shown = texts(notice)
    assert "Kerstpakket 0" in shown and announced.commitment in shown
    assert announced.seed not in shown
    assert bot.connector.to(HENK.conversation_id) == []  # not staff: not announced to

    mine = await click(bot, SANNE, notice, "raffle.check")
    assert "Ja, je doet mee (6 deelnemers)" in texts(mine)
    response = await bot.post(
        HENK.invoke(bot.service_url, "raffle.check", {"raffle": announced.id})
    )
    assert "lid van de Raad van Commissarissen" in texts((await response.json())["value"])

    menu = await open_flow(bot, PIETER, "menu.open")
    before = await click(bot, PIETER, menu, "raffle.open")
    assert announced.commitment in texts(before) and announced.seed not in texts(before)
    assert "raffle.verify" not in [a.get("verb") for a in actions(before)]

    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "raffle.run")
    after = await click(bot, PIETER, menu, "raffle.open")
    seed = re.search(r"Seed \(na de trekking bekendgemaakt\): ([0-9a-f]+)", texts(after))
    assert seed is not None and seed.group(1) == announced.seed
    assert hashlib.sha256(seed.group(1).encode()).hexdigest() == announced.commitment

    checked = await click(bot, PIETER, after, "raffle.verify")
    assert "Klopt: de seed hoort bij de vooraf vastgelegde hash" in texts(checked)
    shown_record = await click(bot, PIETER, after, "raffle.record")
    [code] = [o["text"] for o in shown_record["body"] if o.get("fontType") == "Monospace"]
    unescaped = re.sub(r"\\([\\`*_\[\]~<>#|])", r"\1", code)  # as Teams shows it
    published = json.loads(unescaped)
    assert published["seed"] == announced.seed and len(published["gifts"]) == 3
    path = tmp_path / "verloting.json"
    path.write_text(unescaped, encoding="utf-8")
    done = await asyncio.to_thread(verify_file, path)
    assert done.returncode == 0, done.stdout + done.stderr
    published["gifts"][0]["winner"] = "someone-else"
    path.write_text(json.dumps(published), encoding="utf-8")
    done = await asyncio.to_thread(verify_file, path)
    assert done.returncode == 1 and "NOT correct" in done.stdout


async def test_announcing_twice_keeps_the_first_and_drawing_needs_an_announcement(
    bot: BotUnderTest,
) -> None:
    services = bot.server.app[SERVICES]
    await received_gifts(services, 1)
    direct = await bot.post(LOTTE.invoke(bot.service_url, "raffle.run", {}))
    assert "Kondig de verloting eerst aan" in texts((await direct.json())["value"])
    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "raffle.announce")
    again = await bot.post(LOTTE.invoke(bot.service_url, "raffle.announce", {}))
    assert "al een verloting aangekondigd" in texts((await again.json())["value"])
    assert len(await RaffleRepository(services.store).all(TENANT)) == 1
    response = await bot.post(SANNE.invoke(bot.service_url, "raffle.check", {"raffle": "R-nope"}))
    assert "niet te vinden" in texts((await response.json())["value"])


async def test_a_gift_given_back_after_the_announcement_is_recorded_and_won_by_nobody(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """Sanne's hamper is received and announced, then she withdraws her declaration (it goes
    back to her). The published record says so at once, the draw leaves it to nobody while
    every other gift goes where it would have gone anyway, and the record still verifies, on
    the card and with the command; a record that hides the removal does not."""
    from bot.domain.raffle import draw
    from tests.e2e.test_gift_flow import declare, only_request
    from tests.e2e.test_gift_outcomes import HAMPER, collection
    from tests.support.flows import objects

    services = bot.server.app[SERVICES]
    await install(bot, SANNE, PIETER, LOTTE)
    receipt = await declare(bot, HAMPER)
    hamper = (await only_request(bot)).id
    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "collection.received")
    others = await received_gifts(services, 3)
    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "raffle.announce")
    [announced] = await RaffleRepository(services.store).all(TENANT)
    assert hamper in [p.gift_id for p in announced.prizes]

    [confirm] = [
        o
        for o in objects(receipt)
        if o.get("type") == "Action.ShowCard" and o.get("title") == "Intrekken"
    ]
    await click(bot, SANNE, confirm["card"], "request.withdraw")
    assert (await collection(bot))[hamper] == "cancelled"
    before = await RaffleRepository(services.store).get(TENANT, announced.id)
    assert before is not None and not before.drawn
    [taken_out] = [p for p in before.prizes if p.removed]
    assert (taken_out.gift_id, taken_out.removed_reason) == (hamper, "returned")
    assert before.participants == announced.participants  # nothing else changed
    assert [p.gift_id for p in before.prizes] == [p.gift_id for p in announced.prizes]
    menu = await open_flow(bot, PIETER, "menu.open")
    listed = texts(await click(bot, PIETER, menu, "raffle.open"))
    assert "Kerstpakket: niet verloot: na de aankondiging teruggegeven" in listed

    register = await open_flow(bot, LOTTE, "collection.open")
    result = await click(bot, LOTTE, register, "raffle.run")
    assert "Niemand wint dit cadeau" in texts(result)
    drawn = await RaffleRepository(services.store).get(TENANT, announced.id)
    assert drawn is not None and drawn.drawn
    winners = {p.gift_id: p.winner_id for p in drawn.prizes}
    assert winners[hamper] == ""
    everything = draw(announced.participants, [p.gift_id for p in announced.prizes], announced.seed)
    assert {g: winners[g] for g in others} == {g: everything[g] for g in others}
    assert (await collection(bot))[hamper] == "cancelled"  # never raffled
    assert all(s == "raffled" for g, s in (await collection(bot)).items() if g != hamper)
    wins = [texts(s.card) for s in bot.connector.sent if s.card and "gewonnen:" in texts(s.card)]
    assert not any("gewonnen: Kerstpakket." in w for w in wins)  # nobody is told they won it
    told = {p.gift_id: p.notified for p in drawn.prizes}
    assert told[hamper] is None and all(told[g] is not None for g in others)  # the others tried

    after = await click(bot, PIETER, menu, "raffle.open")
    checked = await click(bot, PIETER, after, "raffle.verify")
    assert "Klopt: de seed hoort bij de vooraf vastgelegde hash" in texts(checked)
    shown_record = await click(bot, PIETER, after, "raffle.record")
    [code] = [o["text"] for o in shown_record["body"] if o.get("fontType") == "Monospace"]
    published = json.loads(re.sub(r"\\([\\`*_\[\]~<>#|])", r"\1", code))
    [gift] = [g for g in published["gifts"] if g["id"] == hamper]
    assert gift["winner"] == "" and gift["removedReason"] == "returned" and gift["removedAt"]
    path = tmp_path / "verloting.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    done = await asyncio.to_thread(verify_file, path)
    assert done.returncode == 0, done.stdout + done.stderr
    del gift["removedAt"]  # hide the removal: the record no longer holds
    path.write_text(json.dumps(published), encoding="utf-8")
    done = await asyncio.to_thread(verify_file, path)
    assert done.returncode == 1 and hamper in done.stdout


async def test_a_gift_gone_from_the_collection_without_the_record_knowing_is_caught_at_the_draw(
    bot: BotUnderTest,
) -> None:
    """Should the record not have been told (a failure between the two writes), the draw finds
    the gift no longer with the secretariat, records it as removed then, and leaves it to
    nobody; the record verifies."""
    from bot.domain.raffle import verify

    services = bot.server.app[SERVICES]
    await install(bot, SANNE, PIETER)
    gifts = await received_gifts(services, 3)
    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "raffle.announce")
    assert await services.collection.cancel(TENANT, gifts[1])  # the record is not told
    register = await open_flow(bot, LOTTE, "collection.open")
    await click(bot, LOTTE, register, "raffle.run")
    [drawn] = await RaffleRepository(services.store).all(TENANT)
    [removed] = [p for p in drawn.prizes if p.removed]
    assert (removed.gift_id, removed.winner_id, removed.removed_at) == (
        gifts[1],
        "",
        drawn.drawn_at,
    )
    assert verify(drawn.published()) == []
