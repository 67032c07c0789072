"""Every card speaks to the person who sees it (#15, point 8): the manager's copy addresses the
manager, the employee's copy the employee."""

from __future__ import annotations

from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_gift_flow import install
from tests.e2e.test_request_flows import INVITATION, card_to, submit
from tests.support.activities import PIETER, SANNE


async def test_the_invitation_card_addresses_each_reader(bot: BotUnderTest) -> None:
    await install(bot, SANNE, PIETER)
    receipt = await submit(bot, "invitation", {**INVITATION, "negotiating": "false"})
    manager = card_to(bot, PIETER)
    assert "Je leidinggevende en jij beslissen samen" in str(receipt)
    assert "Wacht op het besluit van Pieter Bakker" in str(receipt)
    assert "Jij en je medewerker beslissen samen" in str(manager)
    assert "Je leidinggevende en jij" not in str(manager)
    assert "Wacht op jouw besluit" in str(manager)
    assert "Uitnodiging van Sanne de Vries" in str(manager)
