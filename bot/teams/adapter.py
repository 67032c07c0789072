"""The Bot Framework adapter, its authentication, and the turn error handler."""

from __future__ import annotations

import dataclasses
import logging
import traceback
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botframework.connector.auth import AuthenticationConstants

from bot.settings import Settings
from bot.teams.credentials import CachingCredentialFactory
from bot.teams.fast_connector import FastBotFrameworkAuthentication
from cards import text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterConfiguration:
    """The attribute names botbuilder's configuration classes read (None = SDK default)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str | None = None
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str | None = None
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str | None = None
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str | None = None
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str | None = None
    OAUTH_URL: str | None = None


def adapter_configuration(settings: Settings) -> AdapterConfiguration:
    """Our settings in botbuilder's vocabulary.

    With no endpoint configured the SDK picks its built-in public cloud. Setting any endpoint
    makes it use *only* the configured ones ("parameterized" mode), where an unset one would be
    None and break validation, so the unset ones get the public-cloud values.
    """
    # Without an app id botbuilder disables authentication only for a MultiTenant configuration.
    app_type = settings.app_type if settings.app_id else "MultiTenant"
    configuration = AdapterConfiguration(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        APP_TYPE=app_type,
        APP_TENANTID=settings.app_tenant_id,
    )
    endpoints = (
        settings.channel_openid_metadata_url,
        settings.channel_token_issuer,
        settings.channel_login_url,
        settings.channel_oauth_scope,
    )
    if not any(endpoints):
        return configuration
    constants = AuthenticationConstants
    return dataclasses.replace(
        configuration,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.channel_openid_metadata_url
        or constants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.channel_token_issuer
        or constants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=settings.channel_login_url
        or constants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX
        + (settings.app_tenant_id or "botframework.com"),
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=settings.channel_oauth_scope
        or constants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=constants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        OAUTH_URL=constants.OAUTH_URL,
    )


def build_adapter(settings: Settings) -> CloudAdapter:
    """The CloudAdapter with JWT validation (unless local mode) and our turn error handler."""
    configuration = adapter_configuration(settings)
    if settings.app_id and settings.app_type != "UserAssignedMSI":
        factory = CachingCredentialFactory(
            settings.app_id, settings.app_password, settings.app_tenant_id
        )
        auth = ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=factory)
    else:
        auth = ConfigurationBotFrameworkAuthentication(configuration)
    adapter = CloudAdapter(FastBotFrameworkAuthentication(auth))  # reuse connector clients

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        activity = turn_context.activity
        log.error(
            "turn failed: activity %s (%s): %s\n%s",
            activity.id,
            activity.type,
            type(error).__name__,
            "".join(traceback.format_exception(error)),
        )
        try:
            locale = activity.locale or settings.default_locale
            await turn_context.send_activity(text(locale, "errors.unexpected"))
        except Exception as send_error:  # the connector may be what failed
            log.error("could not tell the user about the failure: %s", type(send_error).__name__)

    adapter.on_turn_error = on_turn_error
    return adapter
