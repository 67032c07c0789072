"""A loopback Entra ID / Bot Framework identity provider speaking the real protocols (for the
tests, and for the tab's sign-on under `make run`: infra/local/identity.py).

- Bot Framework channel side: OpenID metadata (`/botframework/v1/.well-known/openidconfiguration`)
  and its JWKS (`/botframework/v1/keys`, RS256 keys endorsed for `msteams`). `channel_token`
  mints the tokens Teams would send the bot.
- Entra tenant side: OpenID discovery (`/{tenant}/v2.0/.well-known/openid-configuration`) and the
  OAuth2 token endpoint (`/{tenant}/oauth2/v2.0/token`, client-credentials grant only), as MSAL
  uses them. Issued tokens are recorded in `issued`.

Run it with `ThreadedServer` (the SDK and MSAL call it with blocking I/O from the bot's loop).
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

CHANNEL_ISSUER = "https://api.botframework.com"
TEAMS = "msteams"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Issued:
    """One access token the token endpoint handed out."""

    client_id: str
    scope: str
    access_token: str


@dataclass
class FakeEntra:
    """State and protocol of the fake; `base_url` is set once the server runs."""

    clients: dict[str, str] = field(default_factory=dict)  # client id -> secret
    key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = field(default_factory=lambda: "key-" + uuid.uuid4().hex[:8])
    base_url: str = ""
    issued: list[Issued] = field(default_factory=list)
    token_requests: int = 0
    # Answers the token endpoint gives first, one per request: (status, headers).
    token_faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # The channels its signing key is endorsed for. The Bot Framework's real keys are endorsed
    # for every channel it serves (Teams, Direct Line, Web Chat ...), so a valid token alone
    # does not prove an activity came from Teams.
    endorsements: list[str] = field(default_factory=lambda: [TEAMS])
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- tokens Teams would send the bot -------------------------------------------------------

    def channel_token(
        self,
        app_id: str,
        service_url: str,
        *,
        issuer: str = CHANNEL_ISSUER,
        audience: str | None = None,
        lifetime: int = 3600,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience if audience is not None else app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def unsigned_token(self, app_id: str, service_url: str) -> str:
        """The same claims with `alg: none` and no signature."""
        now = int(time.time())
        claims = {
            "iss": CHANNEL_ISSUER,
            "aud": app_id,
            "serviceurl": service_url,
            "nbf": now - 60,
            "exp": now + 3600,
        }
        return jwt.encode(claims, None, algorithm="none", headers={"kid": self.kid})

    # --- tokens TeamsJS gives a tab (Teams single sign-on) ---------------------------------------

    def sso_token(
        self,
        tenant: str,
        oid: str,
        audience: str,
        *,
        name: str = "",
        lifetime: int = 3600,
        issuer: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        """An Entra v2 access token for the app's `webApplicationInfo.resource`, as
        `authentication.getAuthToken()` hands it to the page."""
        now = int(time.time())
        claims = {
            "iss": issuer if issuer is not None else f"{self.base_url}/{tenant}/v2.0",
            "aud": audience,
            "tid": tenant,
            "oid": oid,
            "name": name,
            "scp": "access_as_user",
            "ver": "2.0",
            "nbf": now - 60,
            "iat": now - 60,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    # --- URLs ----------------------------------------------------------------------------------

    @property
    def channel_metadata_url(self) -> str:
        return f"{self.base_url}/botframework/v1/.well-known/openidconfiguration"

    def authority(self, tenant: str) -> str:
        return f"{self.base_url}/{tenant}"

    # --- HTTP ----------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/botframework/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/botframework/v1/keys", self._keys)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/{tenant}/discovery/v2.0/keys", self._tenant_keys)
        return app

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": CHANNEL_ISSUER,
                "authorization_endpoint": "https://invalid.example/v1/auth",
                "jwks_uri": f"{self.base_url}/botframework/v1/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        public = self.key.public_key().public_numbers()
        return web.json_response(
            {
                "keys": [
                    {
                        "kty": "RSA",
                        "use": "sig",
                        "kid": self.kid,
                        "n": _b64(public.n),
                        "e": _b64(public.e),
                        "endorsements": list(self.endorsements),
                    }
                ]
            }
        )

    async def _tenant_keys(self, request: web.Request) -> web.Response:
        public = self.key.public_key().public_numbers()
        key = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "n": _b64(public.n),
            "e": _b64(public.e),
        }
        return web.json_response({"keys": [key]})

    async def _discovery(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.base_url}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "tenant_region_scope": "EU",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        with self._lock:
            self.token_requests += 1
            fault = self.token_faults.pop(0) if self.token_faults else None
        if fault is not None:
            return web.Response(status=fault[0], headers=fault[1], text="busy")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "only client_credentials")
        client_id = str(form.get("client_id", ""))
        if client_id not in self.clients or self.clients[client_id] != form.get("client_secret"):
            return _oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret.")
        scope = str(form.get("scope", ""))
        resources = [s for s in scope.split() if s.endswith("/.default")]
        if len(resources) != 1:
            return _oauth_error(
                400, "invalid_scope", "AADSTS1002012: scope must be <resource>/.default"
            )
        tenant = request.match_info["tenant"]
        now = int(time.time())
        access_token = jwt.encode(
            {
                "aud": resources[0].removesuffix("/.default"),
                "iss": f"https://sts.windows.net/{tenant}/",
                "appid": client_id,
                "tid": tenant,
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
            },
            self.key,
            algorithm="RS256",
            headers={"kid": self.kid},
        )
        with self._lock:
            self.issued.append(Issued(client_id, resources[0], access_token))
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": access_token,
        }
        return web.json_response(body)


def _oauth_error(status: int, error: str, description: str) -> web.Response:
    return web.json_response(
        {
            "error": error,
            "error_description": description,
            "error_codes": [7000215],
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
        status=status,
    )
