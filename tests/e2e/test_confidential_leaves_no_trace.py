"""Asking about the vertrouwenspersoon, the meldregeling or the MIW leaves no trace.

Every request the bot makes to Table storage goes through a recording proxy in front of the real
Azurite, and every log record (DEBUG and up) is captured. A confidential conversation must write
nothing, and neither storage nor the log may name the person or repeat what they typed.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from yarl import URL

from bot.app import READY, SERVICES, init_app
from bot.domain.knowledge import knowledge_base
from bot.domain.text import stems
from bot.logs import configure_logging
from bot.settings import load_settings
from infra.local.services import azurite_connection_string
from tests.conftest import DEMO_DIRECTORY
from tests.e2e.conftest import BotUnderTest
from tests.support.activities import SANNE, TENANT
from tests.support.connector import MockConnector

WRITES = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
CONFIDENTIAL_TEXTS = (
    "ik wil de vertrouwenspersoon spreken",
    "wie is de vertrouwenspersoon?",
    "mijn directeur fraudeert met geld van de corporatie, waar meld ik dat?",
    "ik word gepest door Jan van de afdeling Wonen",
    "Karel steelt kozijnen uit het magazijn",  # not understood: confidential all the same
    # Facts a form could take (an amount, a firm, a day): a confidential turn is never read
    # for them, so they are not carried on any card, stored or logged (#19, point 3).
    "ik kreeg gisteren 200 euro van Bouwbedrijf Vos en word daarmee gepest",  # opens the gift form
    "Bouwbedrijf Vos gaf me een cadeaubon van 200 euro en bedreigde me",  # answers about gifts
    "Waar vind ik de vertrouwenspersoon?",
    # Sanne manages nobody: the meldregeling, and asking whether she has a team names nobody.
    "ik wil een overtreding melden",
)
# Respect and a safe workplace (§1): discrimination, intimidation, bullying, harassment.
RESPECT_TEXTS = (
    "mag ik een grapje maken over iemands afkomst?",
    "wat doe ik als ik gediscrimineerd word door Bram?",
    "wat moet ik doen bij intimidatie door mijn leidinggevende?",
    "is pesten op het werk toegestaan?",
    "what should I do about sexual harassment at work?",
)


@dataclass
class StorageProxy:
    """Forwards every request to Azurite and records method, path and body."""

    upstream: str
    seen: list[tuple[str, str, bytes]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        return app

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        # The raw path: the storage signature covers it exactly as the SDK encoded it.
        self.seen.append((request.method, unquote(request.raw_path), body))
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            ClientSession(auto_decompress=False) as session,
            session.request(
                request.method,
                URL(self.upstream + request.raw_path, encoded=True),
                headers=headers,
                data=body or None,  # else aiohttp adds a Content-Type, which is signed
            ) as upstream,
        ):
            payload = await upstream.read()
            skip = {"transfer-encoding", "content-length", "connection"}
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in skip}
            return web.Response(status=upstream.status, headers=kept, body=payload)

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.seen if method in WRITES]


@pytest.fixture
async def quiet_connector(
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> tuple[MockConnector, str]:
    mock = MockConnector()
    server = await aiohttp_server(mock.app(), access_log=None)
    return mock, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def proxied_bot(
    azurite_port: int,
    table_prefix: str,
    quiet_connector: tuple[MockConnector, str],
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> AsyncIterator[tuple[BotUnderTest, StorageProxy]]:
    proxy = StorageProxy(f"http://127.0.0.1:{azurite_port}")
    # The proxy and the fake Bot Connector stand in for Azure and Teams: their own access logs
    # are not the bot's, so they are switched off; the bot's own access log stays on.
    proxy_server = await aiohttp_server(proxy.app(), access_log=None)
    settings = load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection_string(proxy_server.port or 0),
            "TABLE_PREFIX": table_prefix,
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            "JOBS_INTERVAL_SECONDS": "0",  # a job's own writes (leases) are not the turn's
        },
        dotenv=None,
    )
    app = init_app(settings)
    server = await aiohttp_server(app)
    await app[READY].wait()  # tables created and the directory loaded: those writes are done
    mock, service_url = quiet_connector
    async with ClientSession() as session:
        yield BotUnderTest(server, session, mock, service_url + "/"), proxy


def strings_kept_by(root: object) -> set[str]:
    """Every string reachable from `root` (its attributes, containers and closures)."""
    found: set[str] = set()
    seen: set[int] = set()
    todo = [root]
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        if isinstance(item, str):
            found.add(item)
            continue
        todo.extend(gc.get_referents(item))
    return found


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging as `python -m bot` sets it up with LOG_LEVEL=DEBUG, captured by caplog."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("DEBUG", "text")
    root.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


async def test_a_confidential_conversation_writes_nothing_and_logs_no_identity(
    proxied_bot: tuple[BotUnderTest, StorageProxy], production_logging: pytest.LogCaptureFixture
) -> None:
    bot, proxy = proxied_bot
    proxy.seen.clear()
    production_logging.clear()
    kept_before = strings_kept_by(knowledge_base())

    for text in CONFIDENTIAL_TEXTS:
        response = await bot.post(SANNE.message(bot.service_url, text))
        assert response.status == 200
    invoke = await bot.post(SANNE.invoke(bot.service_url, "concern.open"))
    concern = (await invoke.json())["value"]
    sent = await bot.connector.wait_for(len(CONFIDENTIAL_TEXTS))
    cards = str([s.card for s in sent])
    # Nothing read from a confidential sentence is carried on a card (a form filled in, a
    # button's data, the rule applied to its facts).
    assert "prefill" not in cards and "Bouwbedrijf Vos" not in cards
    assert "Ingevuld uit je bericht" not in cards and "Nee, niet houden" not in cards

    assert "Ingrid Mulder" in str(concern)  # the card did read the directory
    assert proxy.writes() == []
    traffic = " ".join(f"{path} {body.decode('utf-8', 'replace')}" for _, path, body in proxy.seen)
    # Checked after taking the snapshot: this read is the test's, not the bot's.
    assert await bot.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id) is None

    secrets = [SANNE.name, SANNE.aad_id, "Sanne", *CONFIDENTIAL_TEXTS, "Jan van de", "Karel"]
    secrets += ["Bouwbedrijf Vos", "20000", "200 euro"]
    logged = "\n".join(production_logging.messages) + "\n".join(
        str(record.__dict__) for record in production_logging.records
    )
    assert production_logging.records, "nothing was logged at all: the capture is not working"
    for secret in secrets:
        assert secret not in traffic, secret
        assert secret not in logged, secret

    # Nor in memory: the matcher keeps no cache keyed by what was typed; nothing held by the
    # knowledge base or its index is new once the turns are over.
    kept = strings_kept_by(knowledge_base())
    typed_words = {w.strip("?,").lower() for t in CONFIDENTIAL_TEXTS for w in t.split()}
    assert typed_words - kept_before, "every word typed was known before: nothing is checked"
    assert kept - kept_before == set()
    assert not hasattr(stems, "cache_info"), "typed words must not be cached by stem"


async def test_a_question_about_respect_or_intimidation_leaves_no_trace_and_gives_the_contact(
    proxied_bot: tuple[BotUnderTest, StorageProxy], production_logging: pytest.LogCaptureFixture
) -> None:
    bot, proxy = proxied_bot
    proxy.seen.clear()
    production_logging.clear()

    for number, text in enumerate(RESPECT_TEXTS, start=1):
        response = await bot.post(SANNE.message(bot.service_url, text))
        assert response.status == 200
        sent = await bot.connector.wait_for(2 * number)  # the answer and the contact, at once
        answer, contact = (s.card for s in sent[-2:])
        assert answer is not None and contact is not None
        assert "Ingrid Mulder" in str(contact) and "+31 6 1234 5678" in str(contact), text

    assert proxy.writes() == []
    traffic = " ".join(f"{path} {body.decode('utf-8', 'replace')}" for _, path, body in proxy.seen)
    assert await bot.server.app[SERVICES].conversations.get(TENANT, SANNE.aad_id) is None
    secrets = [SANNE.name, SANNE.aad_id, "Sanne", *RESPECT_TEXTS, "Bram"]
    logged = "\n".join(production_logging.messages) + "\n".join(
        str(record.__dict__) for record in production_logging.records
    )
    assert production_logging.records, "nothing was logged at all: the capture is not working"
    for secret in secrets:
        assert secret not in traffic, secret
        assert secret not in logged, secret


async def test_an_ordinary_message_does_write_so_the_proxy_sees_writes(
    proxied_bot: tuple[BotUnderTest, StorageProxy],
) -> None:
    bot, proxy = proxied_bot
    proxy.seen.clear()
    await bot.post(SANNE.message(bot.service_url, "mag ik de aanhangwagen lenen?"))
    assert len(proxy.writes()) == 1  # the conversation reference, for proactive messages later
