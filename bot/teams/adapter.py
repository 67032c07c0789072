"""The Bot Framework adapter, its authentication, and the turn error handler."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from bot.settings import Settings
from bot.teams.fast_connector import FastBotFrameworkAuthentication
from cards import text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterConfiguration:
    """The attribute names botbuilder's configuration classes read."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def adapter_configuration(settings: Settings) -> AdapterConfiguration:
    # Without an app id botbuilder disables authentication only for a MultiTenant configuration.
    app_type = settings.app_type if settings.app_id else "MultiTenant"
    return AdapterConfiguration(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        APP_TYPE=app_type,
        APP_TENANTID=settings.app_tenant_id,
    )


def build_adapter(settings: Settings) -> CloudAdapter:
    auth = ConfigurationBotFrameworkAuthentication(adapter_configuration(settings))
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
