"""Teams single sign-on for the tab: validate the token TeamsJS gave the page.

The page sends `authentication.getAuthToken()`'s token as a bearer token. It is an Entra ID
access token for the app's `webApplicationInfo.resource`; this module checks, in this order:
the tenant (`tid`) is one the bot serves (before anything is fetched), the signature against
the keys in that tenant's OpenID configuration (`jwks_uri`), the issuer (the configuration's
`issuer`, or the v1 issuer `https://sts.windows.net/<tid>/`), the audience
(`Settings.sso_audiences`), expiry and not-before. The person is the token's `oid`; nothing the
page says about who it is counts.

The configuration and keys are fetched with `requests` in a worker thread (it honours the
proxy and CA settings the rest of the bot's Entra traffic uses) and cached for an hour; a token
signed with a key not yet known refetches the keys, at most once a minute per tenant.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from cachetools import TTLCache

from bot.settings import Settings

log = logging.getLogger(__name__)

_SCOPE = "access_as_user"  # the scope infra/README.md tells to expose
_ALGORITHMS = ["RS256"]
_LEEWAY = 60  # seconds of clock skew allowed on exp/nbf
_REFETCH_AFTER = 60.0  # seconds before an unknown kid may refetch the keys
_GUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class SsoRefused(Exception):
    """The token is not accepted; `code` says why (for the log and the status: 401 or 403)."""

    def __init__(self, code: str, status: int = 401) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class SsoIdentity:
    """Who the token says is using the tab."""

    tenant_id: str
    user_id: str  # the Entra object id (`oid`), as activities carry it in `aadObjectId`
    name: str


@dataclass
class _TenantKeys:
    issuer: str
    jwks_uri: str
    keys: dict[str, jwt.PyJWK]
    fetched: float


class SsoValidator:
    """Validates tab tokens for one bot configuration."""

    def __init__(self, settings: Settings, timeout: float = 5.0) -> None:
        self._authority = settings.sso_authority.rstrip("/")
        self._audiences = settings.sso_audiences
        self._tenants = settings.served_tenants
        # Local mode serves every tenant; with the loopback identity provider (never with an
        # app id: Settings refuses it) so does the tab.
        self._any_tenant = settings.tab_local_sign_on and settings.local_mode
        self._timeout = timeout
        self._cache: TTLCache[str, _TenantKeys] = TTLCache(maxsize=16, ttl=3600)
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def enabled(self) -> bool:
        """Only with an app id is there an audience to check (local mode has no tab sign-on)."""
        return bool(self._audiences)

    async def validate(self, token: str) -> SsoIdentity:
        if not self.enabled:
            raise SsoRefused("no_app_id", 503)
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise SsoRefused("malformed") from None
        tenant = unverified.get("tid")
        if not isinstance(tenant, str) or not _GUID.fullmatch(tenant):
            raise SsoRefused("tenant", 403)
        if tenant not in self._tenants and not self._any_tenant:
            raise SsoRefused("tenant", 403)
        kid = header.get("kid")
        if header.get("alg") not in _ALGORITHMS or not isinstance(kid, str):
            raise SsoRefused("algorithm")
        keys = await self._keys(tenant, kid)
        key = keys.keys.get(kid)
        if key is None:
            raise SsoRefused("unknown_key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=_ALGORITHMS,
                audience=list(self._audiences),
                leeway=_LEEWAY,
                options={"require": ["exp", "iss", "aud", "tid", "oid"]},
            )
        except jwt.ExpiredSignatureError:
            raise SsoRefused("expired") from None
        except jwt.InvalidAudienceError:
            raise SsoRefused("audience") from None
        except jwt.PyJWTError as error:
            raise SsoRefused(type(error).__name__) from None
        if claims["iss"] not in (keys.issuer, f"https://sts.windows.net/{tenant}/"):
            raise SsoRefused("issuer")
        # Only a person's own sign-on: getAuthToken() gives a delegated token with the tab's
        # scope; an app-only token (another application of the tenant) has no `scp`.
        scopes = claims.get("scp")
        if claims.get("idtyp") == "app" or not isinstance(scopes, str):
            raise SsoRefused("not_a_user")
        if _SCOPE not in scopes.split():
            raise SsoRefused("scope")
        user = claims.get("oid")
        if not isinstance(user, str) or not user:
            raise SsoRefused("no_oid")
        name = claims.get("name")
        return SsoIdentity(tenant, user, name if isinstance(name, str) else "")

    async def _keys(self, tenant: str, kid: str) -> _TenantKeys:
        cached = self._cache.get(tenant)
        if cached is not None and (
            kid in cached.keys or time.monotonic() - cached.fetched < _REFETCH_AFTER
        ):
            return cached
        lock = self._locks.setdefault(tenant, asyncio.Lock())
        async with lock:
            cached = self._cache.get(tenant)
            if cached is not None and (
                kid in cached.keys or time.monotonic() - cached.fetched < _REFETCH_AFTER
            ):
                return cached
            try:
                fresh = await asyncio.to_thread(self._fetch, tenant)
            except (requests.RequestException, ValueError, KeyError, jwt.PyJWTError) as error:
                log.warning("tab sign-on: no signing keys for the tenant: %s", type(error).__name__)
                raise SsoRefused("keys_unavailable", 503) from None
            self._cache[tenant] = fresh
            return fresh

    def _fetch(self, tenant: str) -> _TenantKeys:
        """Blocking: the tenant's OpenID configuration and its keys."""
        url = f"{self._authority}/{tenant}/v2.0/.well-known/openid-configuration"
        answer = requests.get(url, timeout=self._timeout)
        answer.raise_for_status()
        config = answer.json()
        jwks_uri = str(config["jwks_uri"])
        issuer = str(config["issuer"]).replace("{tenantid}", tenant)
        keys_answer = requests.get(jwks_uri, timeout=self._timeout)
        keys_answer.raise_for_status()
        keys: dict[str, jwt.PyJWK] = {}
        for data in keys_answer.json().get("keys", []):
            if data.get("kty") == "RSA" and isinstance(data.get("kid"), str):
                keys[data["kid"]] = jwt.PyJWK(data, algorithm="RS256")
        return _TenantKeys(issuer, jwks_uri, keys, time.monotonic())


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 16_000:
        return None
    return token
