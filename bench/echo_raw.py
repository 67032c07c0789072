"""Scenario b, the floor: the same HTTP work with no SDK, `python -m bench.echo_raw`.

Reads the activity, posts one Adaptive Card to the connector on a kept-alive session, answers 200.
"""

from __future__ import annotations

import argparse
import json
from urllib.parse import quote

from aiohttp import ClientSession, web

from bench.echo_stock import CARD

SESSION = web.AppKey("session", ClientSession)


async def messages(request: web.Request) -> web.Response:
    activity = json.loads(await request.read())
    conversation = activity["conversation"]["id"]
    reply = {
        "type": "message",
        "from": activity["recipient"],
        "recipient": activity["from"],
        "conversation": activity["conversation"],
        "replyToId": activity["id"],
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
        ],
    }
    url = f"{activity['serviceUrl'].rstrip('/')}/v3/conversations/{quote(conversation)}/activities"
    async with request.app[SESSION].post(url, json=reply) as answer:
        await answer.read()
        if answer.status >= 400:
            return web.Response(status=502)
    return web.Response(status=200)


async def session_context(app: web.Application):  # type: ignore[no-untyped-def]
    app[SESSION] = ClientSession()
    yield
    await app[SESSION].close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = web.Application()
    app.cleanup_ctx.append(session_context)
    app.router.add_post("/api/messages", messages)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
