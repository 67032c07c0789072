"""`python -m bot`: run the bot with settings from the environment."""

from __future__ import annotations

import sys

from aiohttp import web

from bot.app import init_app
from bot.logs import configure_logging
from bot.services.directory_sync import StartupRefused
from bot.settings import SettingsError, load_settings
from bot.telemetry import configure_telemetry


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    configure_telemetry(settings.appinsights_connection_string)
    try:
        web.run_app(
            init_app(settings), host=settings.host, port=settings.port, print=None, access_log=None
        )
    except StartupRefused as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
