"""`POST /api/messages`: strict parsing in front of the SDK, so bad input is a 400, not a 500."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from aiohttp.typedefs import Handler
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024 * 4


def messages_handler(adapter: CloudAdapter, bot: Bot) -> Handler:
    async def messages(request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return _problem(415, "Content-Type must be application/json")
        try:
            body = json.loads(await request.read())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _problem(400, "body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
            return _problem(400, "body is not a Bot Framework activity")
        try:
            activity = Activity().deserialize(body)
        except Exception:  # msrest raises several unrelated types for malformed models
            return _problem(400, "body is not a Bot Framework activity")
        if not activity.service_url or activity.conversation is None:
            return _problem(400, "activity lacks serviceUrl or conversation")
        auth_header = request.headers.get("Authorization", "")
        try:
            response = await adapter.process_activity(auth_header, activity, bot.on_turn)
        except PermissionError:
            return _problem(401, "unauthorized")
        if response is not None:
            return web.json_response(response.body, status=response.status)
        return web.Response(status=200)

    return messages


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"error": detail}, status=status)
