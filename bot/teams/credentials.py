"""Outgoing Bot Connector credentials: one MSAL app (and token cache) per authority and scope.

Stock botbuilder builds a new `MicrosoftAppCredentials`, and with it a new MSAL app with an empty
token cache, for every turn, so every reply fetched a fresh token from Entra. It also never passes
`validate_authority` to MSAL, so a non-Microsoft authority (a sovereign cloud, or our loopback
identity provider in the tests) triggers MSAL's instance discovery on login.microsoftonline.com.
This factory keeps one credentials object per (authority, scope) and tells MSAL to skip instance
discovery for an authority the administrator configured explicitly.
"""

from __future__ import annotations

import threading
from typing import Any

import msal
from botframework.connector.auth import (
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)

_PUBLIC_PREFIX: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
_DEFAULT_TENANT: str = AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT


class CachingAppCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App id + secret credentials whose MSAL app (and so its token cache) is kept."""

    def __init__(self, app_id: str, password: str, authority: str, scope: str) -> None:
        super().__init__(app_id, password, oauth_scope=scope)
        self.oauth_endpoint = authority
        self._msal: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()

    def get_access_token(self, force_refresh: bool = False) -> str:
        """A token for the Bot Connector; MSAL answers from its cache until near expiry."""
        scope = self.oauth_scope
        if not scope.endswith("/.default"):
            scope = scope.rstrip("/") + "/.default"
        with self._lock:
            if self._msal is None:
                self._msal = msal.ConfidentialClientApplication(
                    self.microsoft_app_id,
                    client_credential=self.microsoft_app_password,
                    authority=self.oauth_endpoint,
                    # The authority comes from our own configuration, so it is trusted as given;
                    # MSAL skips the check for Microsoft's hosts anyway.
                    instance_discovery=False,
                )
            result: dict[str, Any] = self._msal.acquire_token_for_client(scopes=[scope])
        if "access_token" in result:
            return str(result["access_token"])
        # The SDK expects PermissionError here; the error code is safe to show, the rest may not be.
        raise PermissionError(f"no Bot Connector token: {result.get('error', 'unknown error')}")


class CachingCredentialFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Password credentials for a SingleTenant or MultiTenant bot, built once per endpoint."""

    def __init__(self, app_id: str, password: str, tenant_id: str) -> None:
        self._app_id = app_id
        self._password = password
        self._tenant_id = tenant_id
        self._cache: dict[tuple[str, str], CachingAppCredentials] = {}
        self._lock = threading.Lock()

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(app_id) and app_id == self._app_id

    async def is_authentication_disabled(self) -> bool:
        return not self._app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> CachingAppCredentials:
        if app_id != self._app_id:
            raise PermissionError("credentials requested for another app id")
        authority = self.authority(login_endpoint)
        scope = oauth_scope or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        with self._lock:
            key = (authority, scope)
            if key not in self._cache:
                self._cache[key] = CachingAppCredentials(app_id, self._password, authority, scope)
            return self._cache[key]

    def authority(self, login_endpoint: str | None) -> str:
        """As the SDK does: a public-cloud login URL means `<prefix><tenant>`; others as given."""
        endpoint = (login_endpoint or "").rstrip("/")
        if not endpoint or endpoint.lower().startswith(_PUBLIC_PREFIX):
            return _PUBLIC_PREFIX + (self._tenant_id or _DEFAULT_TENANT)
        return endpoint
