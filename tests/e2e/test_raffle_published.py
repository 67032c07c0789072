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
