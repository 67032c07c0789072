"""Shared fixtures: a real Azurite per test session, a fresh set of tables per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.settings import Settings, load_settings
from bot.storage.tables import AzureTableStore
from infra.local.services import azurite as start_azurite
from infra.local.services import azurite_connection_string, free_port
from tests.support.entra import FakeEntra, new_key
from tests.support.threaded import ThreadedServer
from tests.support.tls import LoopbackTls, make_loopback_tls

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIRECTORY = ROOT / "infra" / "demo" / "directory.json"


@pytest.fixture(scope="session")
def azurite_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Azurite Table service on a free loopback port, for the whole session."""
    port = free_port()
    with start_azurite(port, tmp_path_factory.mktemp("azurite"), in_memory=True):
        yield port


@pytest.fixture(scope="session")
def azurite_connection(azurite_port: int) -> str:
    return azurite_connection_string(azurite_port)


@pytest.fixture
def table_prefix() -> str:
    """Each test gets its own tables, so tests never see each other's rows."""
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
async def store(azurite_connection: str, table_prefix: str) -> AsyncIterator[AzureTableStore]:
    table_store = AzureTableStore(azurite_connection, table_prefix)
    yield table_store
    await table_store.close()


@pytest.fixture
def settings(azurite_connection: str, table_prefix: str) -> Settings:
    return load_settings(
        {
            "AZURE_STORAGE_CONNECTION_STRING": azurite_connection,
            "TABLE_PREFIX": table_prefix,
            "DIRECTORY_FILE": str(DEMO_DIRECTORY),
            # Background jobs write (leases, claims); tests that count a turn's storage requests
            # must not see them, so tests run jobs themselves (`run_pass`, or the job function).
            "JOBS_INTERVAL_SECONDS": "0",
        },
        dotenv=None,
    )


@pytest.fixture(scope="session")
def loopback_tls(tmp_path_factory: pytest.TempPathFactory) -> LoopbackTls:
    """A test CA and a 127.0.0.1 certificate (MSAL insists on https authorities)."""
    return make_loopback_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def signing_key() -> tuple[rsa.RSAPrivateKey, str]:
    """The fake identity provider's signing key and key id, one for the whole run: the Bot
    Framework SDK keeps the signing keys it fetched per metadata URL for the life of the process
    (`JwtTokenExtractor.metadataCache`, refreshed at most once an hour), so a later fake on a
    port the OS hands out again would otherwise be asked for a key id the SDK has never seen
    (an IndexError inside the SDK, a 401 in the test). Tests of another key pass it themselves."""
    return new_key(), "key-" + uuid.uuid4().hex[:8]


@pytest.fixture
def entra(
    loopback_tls: LoopbackTls,
    monkeypatch: pytest.MonkeyPatch,
    signing_key: tuple[rsa.RSAPrivateKey, str],
) -> Iterator[FakeEntra]:
    """A fake Entra ID + Bot Framework identity provider on loopback HTTPS, in its own thread.

    `requests` (used by MSAL and the Bot Framework SDK) trusts the test CA while it runs.
    """
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(loopback_tls.ca_file))
    key, kid = signing_key
    fake = FakeEntra(key=key, kid=kid)
    with ThreadedServer(fake.app(), loopback_tls.server_context()) as server:
        fake.base_url = server.url
        yield fake
