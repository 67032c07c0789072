"""The app factory: builds the aiohttp application; nothing is built at import time."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from azure.core.credentials_async import AsyncTokenCredential

import dialogs
from bot.directory import import_directory, read_directory
from bot.domain.kinds import Kinds
from bot.domain.knowledge import knowledge_base
from bot.domain.reminders import ReminderPolicy
from bot.exports_http import export_handler
from bot.feed import GraphActivityFeed
from bot.graph import GraphClient
from bot.logs import keep_tokens_out_of_access_log
from bot.mail import GraphMailer
from bot.services.acknowledgements import send_due
from bot.services.approvers import DirectoryManagers, GraphManagers
from bot.services.breaches import redeliver_alerts, send_reminders, tell_reporters
from bot.services.context import Services, utc_now
from bot.services.directory_sync import (
    DirectoryReader,
    check_required_roles,
    directory_pass,
    prepare_graph_directory,
    record_file_import,
)
from bot.services.jobs import Job, run_forever
from bot.services.migrations import copy_to_registers, index_leak_reporters
from bot.services.recovery import complete_stranded, settle_unannounced
from bot.services.reminders import remind_and_escalate
from bot.services.retention import run_retention
from bot.services.sidejob_advice import chase_advice
from bot.services.sidejob_review import ask_yearly
from bot.services.steps import remind_overdue
from bot.services.supplier_contacts import CONFIRM_PATH
from bot.settings import Settings
from bot.storage import breaches as breach_tables
from bot.storage import registers as register_tables
from bot.storage import requests as request_tables
from bot.storage.collection import CollectionRepository
from bot.storage.errors import StorageError
from bot.storage.metering import TableMeter
from bot.storage.negotiations import CachedNegotiations, NegotiationRepository
from bot.storage.repositories import TABLES, ConversationReferences, DirectoryRepository
from bot.storage.requests import RequestRepository
from bot.storage.seal import Seal
from bot.storage.store import TableStore
from bot.storage.tables import AzureTableStore
from bot.storage.trailer import TrailerRepository
from bot.storage.violations import ViolationRepository
from bot.suppliers_http import confirm_handler
from bot.tab.http import add_tab
from bot.teams.adapter import build_adapter
from bot.teams.fast_connector import close_connectors
from bot.teams.handler import IntegrityBot
from bot.teams.http import messages_handler
from bot.teams.proactive import TeamsNotifier, teams_limiter
from dialogs import acknowledge, sidejob
from dialogs.kinds import RequestKind
from dialogs.requests_view import CardPresenter

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
READY = web.AppKey("ready", asyncio.Event)
# Set when preparing storage met a storage failure (it keeps trying): turns are served at once
# then, each answered with the storage card, instead of waiting for READY.
STORAGE_STRUGGLING = web.AppKey("storage_struggling", asyncio.Event)
# How long a request that arrives while storage is being prepared waits for it (local mode
# serves from the start; with an app id nothing is served before).
READY_WAIT_SECONDS = 15.0
# Microsoft Graph (manager lookup, directory sync); present only with an app secret and a tenant.
MANAGER_LOOKUP = web.AppKey("manager_lookup", GraphClient)
# The Graph directory's delta rounds; present when the directory comes from Graph.
DIRECTORY_READER = web.AppKey("directory_reader", DirectoryReader)
# The Teams activity feed through Graph; present only with FEED_NOTIFICATIONS=1.
ACTIVITY_FEED = web.AppKey("activity_feed", GraphActivityFeed)
# Mail to suppliers through Graph sendMail; present only with MAIL_SENDER.
MAILER = web.AppKey("mailer", GraphMailer)


def init_app(
    settings: Settings,
    store: TableStore | None = None,
    clock: Callable[[], datetime] = utc_now,
    kinds: tuple[RequestKind[Any], ...] | None = None,
) -> web.Application:
    """The bot as an aiohttp application. `store`, `clock` and `kinds` may be given by tests
    (default: Azure Tables, the real time and the product's request kinds)."""
    catalogue = Kinds(kinds if kinds is not None else dialogs.product_kinds())
    counters = DebugCounters() if settings.debug_counters else None
    table_store: TableStore = store or AzureTableStore(
        settings.storage_connection_string,
        settings.table_prefix,
        on_request=counters.count_storage_request if counters is not None else None,
        proxy_configured=settings.proxy_configured,
        meter=counters.meter if counters is not None else None,
        deadline=settings.storage_timeout,
        endpoint=settings.storage_table_endpoint,
        credential=_storage_credential(settings),
    )
    adapter = build_adapter(settings)
    conversations = ConversationReferences(table_store)
    directory = DirectoryRepository(table_store)
    graph = (
        GraphClient.from_settings(settings)
        if settings.app_password and (settings.app_tenant_id or settings.tenant_id)
        else None
    )
    mailer = (
        GraphMailer.from_settings(settings)
        if settings.mail_sender
        and settings.app_password
        and (settings.app_tenant_id or settings.tenant_id)
        else None
    )
    feed = (
        GraphActivityFeed.from_settings(settings)
        if settings.feed_notifications and (settings.app_tenant_id or settings.tenant_id)
        else None
    )
    services = Services(
        settings=settings,
        store=table_store,
        conversations=conversations,
        directory=directory,
        notifier=TeamsNotifier(
            adapter,
            settings.app_id,
            conversations,
            teams_limiter(settings.teams_sends_per_second),
        ),
        requests=RequestRepository(table_store, catalogue),
        collection=CollectionRepository(table_store),
        managers=GraphManagers(graph, DirectoryManagers(directory), directory)
        if graph is not None
        else DirectoryManagers(directory),
        kinds=catalogue,
        negotiations=CachedNegotiations(NegotiationRepository(table_store)),
        trailer=TrailerRepository(table_store),
        violations=ViolationRepository(table_store),
        clock=clock,
        seal=card_seal(settings),
        feed=feed,
        mailer=mailer,
    )
    bot = IntegrityBot(services, dialogs.build_registry(catalogue))
    # Index the knowledge base and its labelled examples now (about 0.7 s), not in a first turn.
    knowledge_base()

    middlewares = [_loopback_only, _ready_first] if settings.local_mode else []
    app = web.Application(middlewares=middlewares, client_max_size=4 * 1024 * 1024)
    app[SERVICES] = services
    app[READY] = asyncio.Event()
    app[STORAGE_STRUGGLING] = asyncio.Event()
    app.cleanup_ctx.append(_storage_lifecycle)
    app.on_cleanup.append(lambda _app: close_connectors(adapter))
    if graph is not None:
        app[MANAGER_LOOKUP] = graph
        app.on_cleanup.append(_close_graph)
        if settings.directory_source == "graph":
            app[DIRECTORY_READER] = graph
    if feed is not None:
        app[ACTIVITY_FEED] = feed
        app.on_cleanup.append(_close_feed)
    if mailer is not None:
        app[MAILER] = mailer
        app.on_cleanup.append(_close_mailer)
    tenants = None if settings.local_mode else settings.served_tenants
    app.router.add_post("/api/messages", messages_handler(adapter, bot, tenants))
    app.router.add_get("/healthz", healthz)
    if counters is not None:
        app.router.add_get("/_debug/counters", counters.handler)
    # GET/HEAD show a page with a download button (a link scanner's fetch does not use the
    # link up); the button's POST downloads (bot/exports_http.py).
    export_page, export_download = export_handler(services)
    keep_tokens_out_of_access_log()
    app.router.add_get("/exports/{token}", export_page)
    app.router.add_post("/exports/{token}", export_download)
    # A supplier confirms they know the code: GET shows the page, its button's POST confirms.
    confirm_page, confirm_post = confirm_handler(services)
    app.router.add_get(CONFIRM_PATH + "{token}", confirm_page)
    app.router.add_post(CONFIRM_PATH + "{token}", confirm_post)
    # The personal tab "Integriteit" (Teams single sign-on; bot/tab/http.py).
    add_tab(app, services)
    if settings.local_mode:
        log.warning(
            "LOCAL MODE: no MicrosoftAppId set, requests are NOT authenticated; "
            "serving loopback clients only"
        )
    return app


def card_seal(settings: Settings) -> Seal:
    """One key for every instance: CARD_SEAL_KEY, else derived from the app's secret (both in
    Key Vault); with neither (local mode) a key of this process."""
    secret = settings.card_seal_key or settings.app_password
    return Seal.from_secret(secret) if secret else Seal.ephemeral()


def _storage_credential(settings: Settings) -> AsyncTokenCredential | None:
    """With a table endpoint: azure-identity's default chain (on App Service its managed
    identity; on a developer's machine `az login`), never an account key."""
    if not settings.storage_table_endpoint:
        return None
    from azure.identity.aio import DefaultAzureCredential  # only needed then

    return DefaultAzureCredential()


class DebugCounters:
    """Storage requests counted at the transport, for the benchmarks (DEBUG_COUNTERS=1): every
    request sent, and per answered request its reads, writes, pages and entities
    (`bot.storage.metering`), in total and per table."""

    def __init__(self) -> None:
        self.storage_requests = 0
        self.meter = TableMeter()

    def count_storage_request(self) -> None:
        self.storage_requests += 1

    async def handler(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"storage_requests": self.storage_requests, "storage": self.meter.snapshot()}
        )


async def healthz(request: web.Request) -> web.Response:
    """200 only when Table storage answers; says how fresh the directory is (where it came
    from and when it was last brought up to date), without failing on a stale one."""
    services = request.app[SERVICES]
    if not await services.store.ping():
        return web.json_response({"status": "unavailable", "storage": "unreachable"}, status=503)
    return web.json_response(
        {"status": "ok", "storage": "ok", "directory": await _directory_health(services)}
    )


async def _directory_health(services: Services) -> dict[str, Any]:
    settings = services.settings
    try:
        state = await services.directory.sync_state(settings.directory_tenant)
    except StorageError:
        state = None
    last = state.last_success if state is not None else None
    age = (services.clock() - last).total_seconds() if last is not None else None
    health: dict[str, Any] = {
        "source": state.source if state is not None else settings.directory_source,
        "lastSync": last.isoformat() if last is not None else None,
        "ageSeconds": round(age) if age is not None else None,
        "people": state.people if state is not None else 0,
    }
    if settings.directory_source == "graph":
        # Rounds run every DIRECTORY_SYNC_MINUTES (and the jobs pass): three missed is stale.
        limit = 3 * 60 * settings.directory_sync_minutes + settings.jobs_interval
        health["stale"] = age is None or age > limit
    return health


def background_jobs(services: Services, reader: DirectoryReader | None = None) -> list[Job]:
    """Every periodic job; each claims its work in storage, so all instances may run them."""
    policy = ReminderPolicy(services.settings.reminder_days, services.settings.escalation_days)
    office = dialogs.dataleak.PRESENTER
    presenter = CardPresenter(services.kinds)

    async def reminders() -> int:
        return await remind_and_escalate(services, presenter, policy)

    async def side_job_review() -> int:
        return await ask_yearly(services, sidejob.review_card)

    advisor_roles = {
        kind.name: kind.advisor_role
        for kind in services.kinds
        if isinstance(kind, RequestKind) and kind.advisor_role is not None
    }

    async def directory() -> int:
        """Bring the directory up to date from Graph when due, and move what waits for people
        who left (also for a directory file, loaded at start)."""
        return await directory_pass(services, reader, presenter, advisor_roles)

    return [
        Job("directory", directory),
        Job("reminders", reminders),
        Job("sidejob-review", side_job_review),
        Job("sidejob.advice", functools.partial(chase_advice, services, presenter)),
        Job("dataleak.redeliver", lambda: redeliver_alerts(services, office)),
        Job("dataleak.reminders", lambda: send_reminders(services, office)),
        Job("dataleak.tell_reporters", lambda: tell_reporters(services, office)),
        Job("acknowledgements", functools.partial(send_due, services, acknowledge.ask_card)),
        Job("retention", functools.partial(run_retention, services)),
        Job("complete_submissions", functools.partial(complete_stranded, services, presenter)),
        Job("hand_in_overdue", functools.partial(remind_overdue, services, presenter)),
        Job("settle_decisions", functools.partial(settle_unannounced, services, presenter)),
        Job("migration.register_copies", functools.partial(copy_to_registers, services)),
        Job("migration.leak_index", functools.partial(index_leak_reporters, services)),
    ]


async def _close_graph(app: web.Application) -> None:
    await app[MANAGER_LOOKUP].close()


async def _close_mailer(app: web.Application) -> None:
    await app[MAILER].close()


async def _close_feed(app: web.Application) -> None:
    await app[ACTIVITY_FEED].close()


async def _storage_lifecycle(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    reader = app.get(DIRECTORY_READER)
    prepared = _prepare_storage(services, app[READY], reader, app[STORAGE_STRUGGLING])
    tasks: list[asyncio.Task[None]] = []
    if services.settings.local_mode:
        tasks.append(asyncio.create_task(prepared))
    else:
        # With an app id nothing is served before the directory is known to work: a
        # StartupRefused (naming the setting) stops start-up here.
        try:
            await prepared
        except BaseException:
            # aiohttp runs no cleanup for an app that did not start: close what was opened.
            if MANAGER_LOOKUP in app:
                await app[MANAGER_LOOKUP].close()
            await services.store.close()
            raise
    if services.settings.jobs_interval > 0:
        tasks.append(asyncio.create_task(_jobs_when_ready(services, app[READY], reader)))
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await services.store.close()


async def _jobs_when_ready(
    services: Services, ready: asyncio.Event, reader: DirectoryReader | None
) -> None:
    await ready.wait()
    await run_forever(background_jobs(services, reader), services.settings.jobs_interval)


async def _prepare_storage(
    services: Services,
    ready: asyncio.Event,
    reader: DirectoryReader | None = None,
    struggling: asyncio.Event | None = None,
) -> None:
    """Create the tables and load the directory (the file, or a first round from Graph); keep
    trying while storage is down. With an app id, check that the roles the bot cannot work
    without have someone (StartupRefused otherwise)."""
    delay = 0.5
    while True:
        try:
            await services.store.ensure_tables(
                (*TABLES, *request_tables.TABLES, *breach_tables.TABLES, *register_tables.TABLES)
            )
            tenant = ""
            if services.settings.directory_file is not None:
                directory = read_directory(services.settings.directory_file)
                await import_directory(services.directory, directory)
                await record_file_import(services, directory)
                tenant = directory.tenant_id
                log.info("directory loaded: %d people", len(directory.people))
            elif reader is not None:
                await prepare_graph_directory(services, reader)
            if not services.settings.local_mode:
                await check_required_roles(services, tenant)
            ready.set()
            return
        except StorageError as error:
            if struggling is not None:
                struggling.set()
            log.warning("storage not ready (%s); retrying in %.1fs", type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


@web.middleware
async def _ready_first(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Local mode serves while storage is still being prepared: a request that comes in then
    (the Playground installs the app the moment it opens) waits until the tables are there and
    the directory is loaded, so it is never judged against an empty directory ("no manager
    known"). When preparing meets a storage failure, or takes too long, it goes on as before
    (and gets the storage card where storage is needed)."""
    app = request.app
    ready, struggling = app[READY], app[STORAGE_STRUGGLING]
    if not ready.is_set() and not struggling.is_set() and request.path != "/healthz":
        waits = [asyncio.ensure_future(ready.wait()), asyncio.ensure_future(struggling.wait())]
        try:
            await asyncio.wait(waits, timeout=READY_WAIT_SECONDS, return_when="FIRST_COMPLETED")
        finally:
            for wait in waits:
                wait.cancel()
    response: web.StreamResponse = await handler(request)
    return response


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
