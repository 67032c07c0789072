"""Scenario a, the baseline: a stock botbuilder 4.17 echo bot, `python -m bench.echo_stock`.

CloudAdapter as the samples build it; every message is answered with one Adaptive Card.
`--fast` puts our FastBotFrameworkAuthentication in front (scenario a2), nothing else changed.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import ActivityHandler, CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Echo", "weight": "Bolder"}],
    "actions": [{"type": "Action.Execute", "title": "Again", "verb": "echo.again"}],
}


@dataclass(frozen=True)
class Config:
    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(CARD)))


def make_app(fast: bool = False) -> web.Application:
    auth = ConfigurationBotFrameworkAuthentication(Config())
    if fast:
        from bot.teams.fast_connector import FastBotFrameworkAuthentication, close_connectors

        auth = FastBotFrameworkAuthentication(auth)
    adapter = CloudAdapter(auth)
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    if fast:
        app.on_cleanup.append(lambda _app: close_connectors(adapter))
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    web.run_app(make_app(args.fast), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
