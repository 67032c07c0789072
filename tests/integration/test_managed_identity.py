"""Table storage through a managed identity, as on App Service: no account key anywhere.

A real Azurite that accepts only bearer tokens (`--oauth basic`, which needs HTTPS) and a
loopback App Service identity endpoint speaking its real protocol (`IDENTITY_ENDPOINT`,
`X-IDENTITY-HEADER`, `api-version=2019-08-01`); the credential is the one the app builds
(azure-identity's DefaultAzureCredential)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.app import _storage_credential
from bot.settings import load_settings
from bot.storage.errors import StorageError
from bot.storage.tables import AzureTableStore
from infra.local.services import azurite_args, free_port, spawn, stop, wait_for_port
from tests.support.tls import LoopbackTls

TENANT = "7d3c1a2b-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET_HEADER = "identity-header-" + uuid.uuid4().hex
STORAGE = "https://storage.azure.com"


class FakeAppServiceIdentity:
    """The App Service managed identity endpoint: tokens for the resource asked for."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.requests: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/msi/token", self._token)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        if request.headers.get("X-IDENTITY-HEADER") != SECRET_HEADER:
            return web.json_response({"error": "invalid identity header"}, status=401)
        self.requests.append(dict(request.query))
        resource = request.query.get("resource", "")
        now = int(time.time())
        claims = {
            "aud": resource,
            "iss": f"https://sts.windows.net/{TENANT}/",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "oid": "5c4b3a29-1807-4f6e-9d5c-4b3a29180706",
            "tid": TENANT,
            "idtyp": "app",
        }
        token = jwt.encode(claims, self.key, algorithm="RS256")
        return web.json_response(
            {
                "access_token": token,
                "expires_on": str(now + 3600),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
            }
        )


@pytest.fixture(scope="module")
def oauth_azurite(
    loopback_tls: LoopbackTls, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[int]:
    """Azurite over HTTPS checking bearer tokens (lifetime, issuer, audience)."""
    port = free_port()
    location = tmp_path_factory.mktemp("azurite-oauth")
    args = [
        *azurite_args(port, location, in_memory=True),
        "--oauth",
        "basic",
        "--cert",
        str(loopback_tls.cert_file),
        "--key",
        str(loopback_tls.key_file),
    ]
    process = spawn(args, log=location / "azurite.log")
    try:
        wait_for_port(port, 60, process)
        yield port
    finally:
        stop(process)


@pytest.fixture
async def identity(
    aiohttp_server: Callable[..., Awaitable[TestServer]], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FakeAppServiceIdentity]:
    fake = FakeAppServiceIdentity()
    server = await aiohttp_server(fake.app())
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "MSI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", str(server.make_url("/msi/token")))
    monkeypatch.setenv("IDENTITY_HEADER", SECRET_HEADER)
    yield fake


def _store(port: int, ca_file: Path, credential: Any) -> AzureTableStore:
    return AzureTableStore(
        prefix="mi" + uuid.uuid4().hex[:8],
        endpoint=f"https://127.0.0.1:{port}/devstoreaccount1",
        credential=credential,
        client_options={"connection_verify": str(ca_file)},
    )


async def test_the_store_reaches_tables_with_the_managed_identity(
    oauth_azurite: int, identity: FakeAppServiceIdentity, loopback_tls: LoopbackTls
) -> None:
    settings = load_settings(
        {"AZURE_STORAGE_TABLE_ENDPOINT": f"https://127.0.0.1:{oauth_azurite}/devstoreaccount1"},
        dotenv=None,
    )
    credential = _storage_credential(settings)
    assert credential is not None
    store = _store(oauth_azurite, loopback_tls.ca_file, credential)
    assert store._lean is not None  # the hot path signs with the same bearer token
    try:
        await store.ensure_tables(["things"])
        await store.insert("things", "p", "r", {"Value": "kept"})
        row = await store.get("things", "p", "r")
        assert row.data["Value"] == "kept"
    finally:
        await store.close()
    # The token came from the identity endpoint, for Table storage, by its protocol.
    assert identity.requests, "no token was asked for"
    assert {r["resource"] for r in identity.requests} == {STORAGE}
    assert {r["api-version"] for r in identity.requests} == {"2019-08-01"}


async def test_a_token_for_another_audience_is_refused(
    oauth_azurite: int, loopback_tls: LoopbackTls
) -> None:
    """The check above means something: a wrong-audience token is refused."""

    class WrongAudience:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            from azure.core.credentials import AccessToken

            now = int(time.time())
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            claims = {"aud": "https://graph.microsoft.com", "iss": f"https://sts.windows.net/{TENANT}/",
                      "iat": now, "nbf": now, "exp": now + 600}  # fmt: skip
            return AccessToken(jwt.encode(claims, key, algorithm="RS256"), now + 600)

        async def close(self) -> None:
            return None

    store = _store(oauth_azurite, loopback_tls.ca_file, WrongAudience())
    try:
        with pytest.raises(StorageError):
            await store.ensure_tables(["things"])
    finally:
        await store.close()
