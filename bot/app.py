"""The app factory: builds the aiohttp application; nothing is built at import time."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.typedefs import Handler

import dialogs
from bot.directory import import_directory, read_directory
from bot.graph import GraphManagerLookup
from bot.services.context import Services
from bot.settings import Settings
from bot.storage.errors import StorageError
from bot.storage.repositories import TABLES, ConversationReferences, DirectoryRepository
from bot.storage.store import TableStore
from bot.storage.tables import AzureTableStore
from bot.teams.adapter import build_adapter
from bot.teams.handler import IntegrityBot
from bot.teams.http import messages_handler
from bot.teams.proactive import TeamsNotifier

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
READY = web.AppKey("ready", asyncio.Event)
# Microsoft Graph manager lookup; present only with an app secret and a tenant id.
MANAGER_LOOKUP = web.AppKey("manager_lookup", GraphManagerLookup)


def init_app(settings: Settings, store: TableStore | None = None) -> web.Application:
    """The bot as an aiohttp application. `store` may be given by tests (default: Azure Tables)."""
    table_store: TableStore = store or AzureTableStore(
        settings.storage_connection_string, settings.table_prefix
    )
    adapter = build_adapter(settings)
    conversations = ConversationReferences(table_store)
    services = Services(
        settings=settings,
        store=table_store,
        conversations=conversations,
        directory=DirectoryRepository(table_store),
        notifier=TeamsNotifier(adapter, settings.app_id, conversations),
    )
    bot = IntegrityBot(services, dialogs.build_registry())

    middlewares = [_loopback_only] if settings.local_mode else []
    app = web.Application(middlewares=middlewares, client_max_size=4 * 1024 * 1024)
    app[SERVICES] = services
    app[READY] = asyncio.Event()
    app.cleanup_ctx.append(_storage_lifecycle)
    if settings.app_password and (settings.app_tenant_id or settings.tenant_id):
        app[MANAGER_LOOKUP] = GraphManagerLookup.from_settings(settings)
        app.on_cleanup.append(_close_graph)
    app.router.add_post("/api/messages", messages_handler(adapter, bot))
    app.router.add_get("/healthz", healthz)
    if settings.local_mode:
        log.warning(
            "LOCAL MODE: no MicrosoftAppId set, requests are NOT authenticated; "
            "serving loopback clients only"
        )
    return app


async def healthz(request: web.Request) -> web.Response:
    """200 only when Table storage answers."""
    services = request.app[SERVICES]
    if await services.store.ping():
        return web.json_response({"status": "ok", "storage": "ok"})
    return web.json_response({"status": "unavailable", "storage": "unreachable"}, status=503)


async def _close_graph(app: web.Application) -> None:
    await app[MANAGER_LOOKUP].close()


async def _storage_lifecycle(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    task = asyncio.create_task(_prepare_storage(services, app[READY]))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await services.store.close()


async def _prepare_storage(services: Services, ready: asyncio.Event) -> None:
    """Create the tables and load the directory file; keep trying while storage is down."""
    delay = 0.5
    while True:
        try:
            await services.store.ensure_tables(TABLES)
            if services.settings.directory_file is not None:
                directory = read_directory(services.settings.directory_file)
                await import_directory(services.directory, directory)
                log.info("directory loaded: %d people", len(directory.people))
            ready.set()
            return
        except StorageError as error:
            log.warning("storage not ready (%s); retrying in %.1fs", type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


@web.middleware
async def _loopback_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    remote = request.remote or ""
    try:
        loopback = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return web.json_response({"error": "local mode serves loopback clients only"}, status=403)
    response: web.StreamResponse = await handler(request)
    return response
