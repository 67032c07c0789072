"""The Graph mailer against the loopback Graph and Entra ID (real HTTP, real app tokens):
sendMail from the configured mailbox, throttling waited out as Retry-After says, refusals
named by Graph's error code (never the address)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from bot.mail import GraphMailer
from bot.services.notify import MailError
from bot.tokens import AppTokens
from tests.integration.test_graph import APP_ID, SECRET, TENANT, Sleeps
from tests.support.entra import FakeEntra
from tests.support.graph import FakeGraph, served

MAILBOX = "integriteit@woongroen.example"


@pytest.fixture
async def graph(
    entra: FakeEntra, aiohttp_server: Callable[..., Awaitable[TestServer]]
) -> tuple[FakeGraph, str]:
    return await served(entra, aiohttp_server, (APP_ID, SECRET), (MAILBOX,))


def mailer(entra: FakeEntra, url: str, sleeps: Sleeps, mailbox: str = MAILBOX) -> GraphMailer:
    tokens = AppTokens(APP_ID, SECRET, f"{entra.base_url}/{TENANT}")
    return GraphMailer(tokens, mailbox, url, sleep=sleeps)


async def test_a_mail_goes_out_from_the_mailbox_after_throttling(
    entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> None:
    fake, url = graph
    sleeps = Sleeps()
    client = mailer(entra, url, sleeps)
    fake.fail_next(429, {"Retry-After": "4"})
    await client.send("jan@vos.nl", "Jan de Vos", "Onderwerp", "<p>Hallo &amp; welkom</p>")
    await client.close()
    [(mailbox, message)] = fake.mails
    assert mailbox == MAILBOX
    assert message["subject"] == "Onderwerp"
    assert message["body"] == {"contentType": "HTML", "content": "<p>Hallo &amp; welkom</p>"}
    assert sleeps.seconds == [4.0]


async def test_refusals_are_named_by_graphs_code(
    entra: FakeEntra, graph: tuple[FakeGraph, str]
) -> None:
    fake, url = graph
    fake.bad_recipients.add("nobody@vos.nl")
    client = mailer(entra, url, Sleeps())
    with pytest.raises(MailError) as refused:
        await client.send("nobody@vos.nl", "Niemand", "Onderwerp", "<p>x</p>")
    assert (refused.value.status, refused.value.code) == (400, "ErrorInvalidRecipients")
    assert "nobody" not in str(refused.value)
    await client.close()
    wrong_box = mailer(entra, url, Sleeps(), "someone@woongroen.example")
    with pytest.raises(MailError) as missing:
        await wrong_box.send("jan@vos.nl", "Jan", "Onderwerp", "<p>x</p>")
    assert (missing.value.status, missing.value.code) == (404, "ErrorInvalidUser")
    await wrong_box.close()
    assert fake.mails == []
