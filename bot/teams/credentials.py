"""Outgoing Bot Connector credentials: one MSAL app (and token cache) per authority.

Stock botbuilder builds a new `MicrosoftAppCredentials`, and with it a new MSAL app with an empty
token cache, for every turn, so every reply fetched a fresh token from Entra. It also never passes
`validate_authority` to MSAL, so a non-Microsoft authority (a sovereign cloud, or our loopback
identity provider in the tests) triggers MSAL's instance discovery on login.microsoftonline.com.
This factory keeps one credentials object per (authority, scope), whose tokens come from one
`bot.tokens.AppTokens` per authority (MSAL's cache, MSAL told to skip instance discovery for an
authority the administrator configured explicitly).
"""

from __future__ import annotations

import threading

from botframework.connector.auth import (
    AuthenticationConstants,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
)

from bot.tokens import AppTokens, TokenError, TokenMemo

_PUBLIC_PREFIX: str = AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
_DEFAULT_TENANT: str = AuthenticationConstants.DEFAULT_CHANNEL_AUTH_TENANT


class CachingAppCredentials(MicrosoftAppCredentials):  # type: ignore[misc]
    """App id + secret credentials whose tokens come from one long-lived MSAL app."""

    def __init__(self, tokens: AppTokens, password: str, authority: str, scope: str) -> None:
        super().__init__(tokens.client_id, password, oauth_scope=scope)
        self.oauth_endpoint = authority
        self._tokens = tokens
        self._scope = scope if scope.endswith("/.default") else scope.rstrip("/") + "/.default"

    def get_access_token(self, force_refresh: bool = False) -> str:
        """A token for the Bot Connector (blocking); MSAL answers from its cache until near
        expiry."""
        try:
            return self._tokens.acquire(self._scope)
        except TokenError as error:
            # The SDK expects PermissionError; the error code is safe to show, the rest may not be.
            raise PermissionError(f"no Bot Connector token: {error.error}") from None

    def memo(self) -> TokenMemo:
        """The same token for async callers (MSAL off the event loop)."""
        return self._tokens.memo(self._scope)


class CachingCredentialFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    """Password credentials for a SingleTenant or MultiTenant bot, built once per endpoint."""

    def __init__(self, app_id: str, password: str, tenant_id: str) -> None:
        self._app_id = app_id
        self._password = password
        self._tenant_id = tenant_id
        self._cache: dict[tuple[str, str], CachingAppCredentials] = {}
        self._tokens: dict[str, AppTokens] = {}  # authority -> one MSAL app
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
                tokens = self._tokens.setdefault(
                    authority, AppTokens(app_id, self._password, authority)
                )
                self._cache[key] = CachingAppCredentials(tokens, self._password, authority, scope)
            return self._cache[key]

    def authority(self, login_endpoint: str | None) -> str:
        """As the SDK does: a public-cloud login URL means `<prefix><tenant>`; others as given."""
        endpoint = (login_endpoint or "").rstrip("/")
        if not endpoint or endpoint.lower().startswith(_PUBLIC_PREFIX):
            return _PUBLIC_PREFIX + (self._tenant_id or _DEFAULT_TENANT)
        return endpoint
