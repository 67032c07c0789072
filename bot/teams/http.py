"""`POST /api/messages`: strict parsing and authentication in front of the SDK.

Bad input is a 400, not a 500. Authentication runs as a step of its own before the turn, so that
every way a token can be wrong is a 401 (stock botbuilder 4.17 answers 500 for an expired token,
a bad signature, `alg: none` or no token at all), an unreachable identity provider is a 503
(Teams retries), and an error inside the turn is never mistaken for an authentication failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult
from opentelemetry import trace

from bot.logs import request_scope
from bot.teams.codec import activity_from_json
from cards.render import card_json

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024 * 4

# A no-op until bot.telemetry configures a provider.
_tracer = trace.get_tracer(__name__)


class AuthenticationFailed(Exception):
    """The request's token was refused; `status` is what the caller gets (401 or 503)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def messages_handler(
    adapter: CloudAdapter, bot: Bot, tenants: frozenset[str] | None = None
) -> Handler:
    """The aiohttp handler for Teams' activities. With `tenants` (an app id is configured), an
    authenticated activity from another channel than Teams, or from a tenant not in `tenants`,
    is refused (403) before anything is processed or stored."""

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
            activity = activity_from_json(body)
        except Exception:  # msrest raises several unrelated types for malformed models
            return _problem(400, "body is not a Bot Framework activity")
        if not activity.service_url or activity.conversation is None:
            return _problem(400, "activity lacks serviceUrl or conversation")
        request_id = str(activity.id or "") or f"req-{uuid.uuid4().hex[:12]}"
        with (
            request_scope(request_id),
            _tracer.start_as_current_span(
                "POST /api/messages",
                kind=trace.SpanKind.SERVER,
                attributes={"bot.activity_type": str(activity.type), "bot.request_id": request_id},
            ) as span,
        ):
            answer = await _turn(
                adapter, bot, activity, request.headers.get("Authorization", ""), tenants
            )
            span.set_attribute("http.response.status_code", answer.status)
            return answer

    return messages


async def _turn(
    adapter: CloudAdapter,
    bot: Bot,
    activity: Activity,
    auth_header: str,
    tenants: frozenset[str] | None,
) -> web.Response:
    try:
        authenticated = await authenticate(adapter, activity, auth_header)
    except AuthenticationFailed as refused:
        return _problem(refused.status, refused.reason)
    if tenants is not None:
        refusal = _outside(activity, tenants)
        if refusal is not None:
            log.warning("activity refused: %s", refusal)  # ids of tenant or channel, no person
            return _problem(403, refusal)
    log.debug("activity %s authenticated", activity.type)
    # Errors from here on are ours, not the caller's: they surface as a 500.
    # Shielded: when Teams gives up waiting (it hangs up, and a server that cancels handlers on
    # disconnect cancels us), the turn still runs to its end, so a submission is never cut off
    # half-way between its storage writes; Teams' redelivery then finds it complete.
    response = await asyncio.shield(adapter.process_activity(authenticated, activity, bot.on_turn))
    if response is not None:
        return web.Response(
            body=card_json(response.body),
            status=response.status,
            content_type="application/json",
        )
    return web.Response(status=200)


async def authenticate(
    adapter: CloudAdapter, activity: Activity, auth_header: str
) -> AuthenticateRequestResult:
    """Validate the caller's token with the SDK's own machinery; raise `AuthenticationFailed`.

    In local mode (no app id) the SDK accepts a request without a token; with credentials, a
    missing token is refused like any other bad one.
    """
    try:
        result: AuthenticateRequestResult = (
            await adapter.bot_framework_authentication.authenticate_request(
                # The SDK treats "" as a token to validate (and crashes on it); None means "none".
                activity,
                auth_header or None,
            )
        )
        return result
    except PermissionError as error:  # the SDK's own "not authorized"; also an OSError
        _refused(error)
        raise AuthenticationFailed(401, "unauthorized") from error
    except OSError as error:
        # requests' errors are OSErrors: the OpenID metadata or signing keys could not be read.
        log.error("identity provider unreachable: %s", type(error).__name__)
        raise AuthenticationFailed(503, "authentication temporarily unavailable") from error
    except Exception as error:
        # PyJWT's errors (expired, bad signature, malformed), an unknown key id (IndexError),
        # a refused algorithm, a missing identity (AttributeError on None): all the caller's.
        _refused(error)
        raise AuthenticationFailed(401, "unauthorized") from error


def _refused(error: BaseException) -> None:
    # The type is enough to diagnose; messages may echo token content, so they stay out.
    log.warning("request refused: %s", type(error).__name__)


def _outside(activity: Activity, tenants: frozenset[str]) -> str | None:
    """Why an authenticated activity is not ours to serve, or None: only Teams, only our
    tenants (a valid Bot Framework token says who sent it, not for whom)."""
    if activity.channel_id != "msteams":
        return f"channel {str(activity.channel_id)[:40]!r} is not served (only msteams)"
    tenant = activity_tenant(activity)
    if tenant not in tenants:
        return f"tenant {tenant[:40]!r} is not served"
    return None


def activity_tenant(activity: Activity) -> str:
    """The tenant an activity is from: the conversation's, else Teams' channel data."""
    conversation = activity.conversation
    tenant = str(getattr(conversation, "tenant_id", "") or "")
    if not tenant and isinstance(activity.channel_data, dict):
        data_tenant = activity.channel_data.get("tenant")
        if isinstance(data_tenant, dict):
            tenant = str(data_tenant.get("id") or "")
    return tenant


def _problem(status: int, detail: str) -> web.Response:
    return web.json_response({"error": detail}, status=status)
