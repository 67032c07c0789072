"""The personal tab "Integriteit": routes on the bot's own aiohttp app.

`GET /tab` is the page Teams opens (static; it holds no personal data). Its script gets a
single sign-on token from TeamsJS and calls `/tab/api/...` with it as a bearer token; every API
call validates the token (bot.sso) and takes the person from it, and every rule is the engine's
own (the approver check, the kind's choices), exactly as for a card action.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from aiohttp import web

from bot.domain.people import Actor
from bot.domain.registers import ALL, AMSTERDAM
from bot.domain.requests import DecisionRefused, Status
from bot.services.approvals import RequestNotFound, decide_request, load
from bot.services.breaches import PRIVACY_OFFICE, NotPrivacyOffice
from bot.services.breaches import view as view_breach
from bot.services.context import Services
from bot.services.exports import FORMATS, create_ticket
from bot.services.overview import yearly
from bot.services.personal import my_requests, waiting_for
from bot.services.registers import OVERVIEW_ROLES, REGISTER_ROLES, departments, requests_of
from bot.services.roles import has_role
from bot.sso import SsoRefused, SsoValidator, bearer
from bot.storage.errors import StorageError
from bot.tab import breach_actions, handover, own_items, pages, request_actions
from bot.tab import breaches as tab_breaches
from bot.tab import collection as tab_collection
from bot.tab import overview as tab_overview
from bot.tab import registers as tab_registers
from bot.tab.registers import Query
from bot.tab.respond import html as _html
from cards import text
from dialogs.breach_register import Narrowing
from dialogs.breach_register import file_name as breach_file
from dialogs.breach_register import pick_year as breach_year
from dialogs.forms import clean_text
from dialogs.mine import other_items
from dialogs.overview import file_name as overview_file
from dialogs.overview import pick_year as overview_year
from dialogs.registers import file_name, pick_department, pick_kind, pick_year, years_to_read
from dialogs.requests_view import CardPresenter

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
# TeamsJS, never from a CDN: the copy committed beside the tab's script (the version package.json
# pins), package data of the installed bot, so App Service has it without node_modules.
TEAMS_JS = STATIC / "vendor" / "MicrosoftTeams.min.js"

_SIGN_IN_TEXTS = {
    "missing": "tab.signin.missing",
    "expired": "tab.signin.expired",
    "tenant": "tab.signin.tenant",
    "keys_unavailable": "tab.signin.unavailable",
    "no_app_id": "tab.signin.unavailable",
}

Page = Callable[[web.Request, Actor], Awaitable[web.Response]]
Handler = Callable[[Services, web.Request, Actor], Awaitable[web.Response]]
SectionHandler = Callable[[Services, web.Request, Actor, str], Awaitable[web.Response]]


def _locale(request: web.Request) -> str:
    lang = request.query.get("lang", "")
    return "en-US" if lang.lower().startswith("en") else "nl-NL"


class Tab:
    """The tab's handlers for one app."""

    def __init__(self, services: Services, validator: SsoValidator) -> None:
        self.services = services
        self.validator = validator

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/tab", self.shell)
        app.router.add_get("/tab/static/teams-js.js", self.teams_js)
        app.router.add_get("/tab/static/{name:tab\\.(js|css)}", self.static)
        app.router.add_get("/tab/api/mine", self._signed(self.mine))
        app.router.add_get("/tab/api/mine/{rid}", self._signed(self.mine_detail))
        app.router.add_post(
            "/tab/api/mine/{rid}/add", self._signed(self._with(request_actions.add_information))
        )
        app.router.add_get(
            "/tab/api/mine/{rid}/withdraw",
            self._signed(self._with(request_actions.confirm_withdrawal)),
        )
        app.router.add_post(
            "/tab/api/mine/{rid}/withdraw", self._signed(self._with(request_actions.withdraw))
        )
        # Mijn meldingen's other items: a data-leak report (its reporter), a trailer booking.
        app.router.add_get("/tab/api/leaks/{bid}", self._signed(self._with(own_items.leak)))
        app.router.add_post(
            "/tab/api/leaks/{bid}/add", self._signed(self._with(own_items.add_to_leak))
        )
        app.router.add_post(
            "/tab/api/leaks/{bid}/answer", self._signed(self._with(own_items.answer_leak))
        )
        app.router.add_get(
            "/tab/api/trailer/{day}/{booking}", self._signed(self._with(own_items.booking))
        )
        app.router.add_post(
            "/tab/api/trailer/{day}/{booking}/cancel",
            self._signed(self._with(own_items.cancel_booking)),
        )
        app.router.add_get("/tab/api/pending", self._signed(self.pending))
        app.router.add_get("/tab/api/pending/{requester}/{rid}", self._signed(self.pending_detail))
        app.router.add_post("/tab/api/pending/{requester}/{rid}", self._signed(self.decide))
        app.router.add_post(
            "/tab/api/pending/{requester}/{rid}/advise",
            self._signed(self._with(request_actions.advise)),
        )
        app.router.add_get("/tab/api/registers", self._signed(self.registers))
        app.router.add_post("/tab/api/registers/export", self._signed(self.export))
        app.router.add_get("/tab/api/overview", self._signed(self.overview))
        app.router.add_post("/tab/api/overview/export", self._signed(self.overview_export))
        app.router.add_get(
            "/tab/api/collection", self._signed(self._in("collection", tab_collection.show))
        )
        app.router.add_post(
            "/tab/api/collection/received",
            self._signed(self._in("collection", tab_collection.received)),
        )
        app.router.add_post(
            "/tab/api/raffles/announce",
            self._signed(self._in("collection", tab_collection.announce)),
        )
        app.router.add_post(
            "/tab/api/raffles/run", self._signed(self._in("collection", tab_collection.run))
        )
        app.router.add_get(
            "/tab/api/raffles", self._signed(self._in("raffles", tab_collection.everyone))
        )
        app.router.add_get(
            "/tab/api/raffles/{raffle}", self._signed(self._in("raffles", tab_collection.one))
        )
        app.router.add_get("/tab/api/breaches", self._signed(self.breaches))
        app.router.add_post("/tab/api/breaches/export", self._signed(self.breaches_export))
        app.router.add_get("/tab/api/breaches/{bid}", self._signed(self.breach))
        app.router.add_post("/tab/api/breaches/{bid}", self._signed(self.act_on_breach))

    # --- the page and its files ---------------------------------------------------------------

    async def shell(self, request: web.Request) -> web.Response:
        settings = self.services.settings
        local = settings.tab_local_sign_on and settings.local_mode
        signin = f"{settings.sso_authority}/local/signin" if local else ""
        return _html(pages.shell(_locale(request), signin))

    async def teams_js(self, request: web.Request) -> web.StreamResponse:
        if not TEAMS_JS.is_file():  # checked at start (add_tab); removed since?
            log.error("TeamsJS missing at %s: the tab cannot sign in", TEAMS_JS)
            raise web.HTTPNotFound()
        return web.FileResponse(TEAMS_JS, headers={"Content-Type": "text/javascript"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / request.match_info["name"])

    def _with(self, handler: Handler) -> Page:
        """A handler of another module, given this tab's services."""

        async def page(request: web.Request, actor: Actor) -> web.Response:
            return await handler(self.services, request, actor)

        return page

    def _in(self, section: str, handler: SectionHandler) -> Page:
        """A handler of another module for a section of the navigation."""

        async def page(request: web.Request, actor: Actor) -> web.Response:
            return await handler(self.services, request, actor, await self.nav(actor, section))

        return page

    # --- sign-on ------------------------------------------------------------------------------

    def _signed(self, page: Page) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(request: web.Request) -> web.Response:
            locale = _locale(request)
            token = bearer(request.headers.get("Authorization"))
            try:
                if token is None:
                    raise SsoRefused("missing")
                identity = await self.validator.validate(token)
            except SsoRefused as refused:
                log.warning("tab sign-on refused (%s) on %s", refused.code, request.path)
                key = _SIGN_IN_TEXTS.get(refused.code, "tab.signin.refused")
                return _html(pages.message(locale, key), refused.status)
            actor = Actor(identity.tenant_id, identity.user_id, identity.name, locale)
            try:
                return await page(request, actor)
            except StorageError as error:
                log.warning(
                    "storage failure shown on the tab (%s): %s", request.path, type(error).__name__
                )
                return _html(pages.message(locale, "errors.storage_unavailable"), 503)
            except Exception:
                # Never a bare 500: log it (no personal data in the path but ids), say so.
                log.exception("tab page %s failed", request.path)
                return _html(pages.message(locale, "tab.failed"), 500)

        return handler

    # --- pages --------------------------------------------------------------------------------

    async def mine(self, request: web.Request, actor: Actor) -> web.Response:
        services = self.services
        own = await my_requests(services, actor)
        leaks = await other_items(services, actor, actor.locale)
        nav = await self.nav(actor, "mine")
        return _html(pages.mine_page(services.kinds, own, leaks, actor.locale, nav))

    async def _keeps_registers(self, actor: Actor) -> bool:
        return await has_role(self.services, actor.tenant_id, actor.user_id, REGISTER_ROLES)

    async def _reads_overview(self, actor: Actor) -> bool:
        return await has_role(self.services, actor.tenant_id, actor.user_id, OVERVIEW_ROLES)

    async def _privacy_office(self, actor: Actor) -> bool:
        return await has_role(self.services, actor.tenant_id, actor.user_id, PRIVACY_OFFICE)

    async def nav(self, actor: Actor, current: str) -> str:
        """The sections this person may open (roles from the directory)."""
        waiting = await waiting_for(self.services, actor)
        return pages.nav(
            actor.locale,
            current,
            len(waiting),
            await self._keeps_registers(actor),
            await self._reads_overview(actor),
            await self._privacy_office(actor),
            await tab_collection.keeps_collection(self.services, actor),
        )

    async def mine_detail(self, request: web.Request, actor: Actor) -> web.Response:
        """One of the person's own requests: whose it is comes from the token, so nobody opens
        someone else's this way."""
        rid = request.match_info["rid"]
        try:
            stored = await load(self.services, actor.tenant_id, actor.user_id, rid[:40])
        except RequestNotFound:
            return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
        page = pages.detail_page(
            self.services.kinds, stored.request, actor.locale, actor.user_id, "mine"
        )
        return _html(page)

    async def pending(self, request: web.Request, actor: Actor) -> web.Response:
        entries = await waiting_for(self.services, actor)
        nav = await self.nav(actor, "pending")
        return _html(pages.pending_page(self.services.kinds, entries, actor.locale, nav))

    async def pending_detail(self, request: web.Request, actor: Actor) -> web.Response:
        """A request before this person, only for its designated approver (who gets the
        decision form) or its advisor (who reads it; advice is given on the card)."""
        requester, rid = request.match_info["requester"], request.match_info["rid"]
        try:
            stored = await load(self.services, actor.tenant_id, requester[:64], rid[:40])
        except RequestNotFound:
            return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
        advisor = stored.request.advisor.id if stored.request.advisor else None
        if actor.user_id not in (*(p.id for p in stored.request.deciders), advisor):
            log.warning("tab: %s refused (not the approver)", rid)
            return _html(pages.message(actor.locale, "requests.refused.not_approver"), 403)
        page = pages.detail_page(
            self.services.kinds, stored.request, actor.locale, actor.user_id, "pending"
        )
        return _html(page)

    async def registers(self, request: web.Request, actor: Actor) -> web.Response:
        return await _registers(self, request, actor)

    async def export(self, request: web.Request, actor: Actor) -> web.Response:
        return await _export(self, request, actor)

    async def overview(self, request: web.Request, actor: Actor) -> web.Response:
        return await _overview(self, request, actor)

    async def overview_export(self, request: web.Request, actor: Actor) -> web.Response:
        return await _overview_export(self, request, actor)

    async def breaches(self, request: web.Request, actor: Actor) -> web.Response:
        """The breach register; the privacy officer and deputy only."""
        if not await self._privacy_office(actor):
            log.warning("tab: breach register refused (role)")
            return _html(pages.message(actor.locale, "dataleak.refused.not_privacy_office"), 403)
        now = self.services.clock()
        found = await self.services.breaches.register(actor.tenant_id)
        query = tab_breaches.BreachQuery.of(request.query, now)
        nav = await self.nav(actor, "breaches")
        return _html(tab_breaches.register_page(found, query, now, actor.locale, nav))

    async def breach(self, request: web.Request, actor: Actor) -> web.Response:
        """One case with its clock; the privacy office only (bot.services.breaches.view)."""
        try:
            found = await view_breach(self.services, actor, request.match_info["bid"][:40])
        except NotPrivacyOffice:
            log.warning("tab: breach case refused (role)")
            return _html(pages.message(actor.locale, "dataleak.refused.not_privacy_office"), 403)
        except LookupError:
            return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
        nav = await self.nav(actor, "breaches")
        page = tab_breaches.case_page(
            found, self.services.clock(), actor.locale, nav, viewer_id=actor.user_id
        )
        return _html(page)

    async def act_on_breach(self, request: web.Request, actor: Actor) -> web.Response:
        """The case card's actions from its page (bot/tab/breach_actions.py)."""
        nav = await self.nav(actor, "breaches")
        return await breach_actions.act_on_case(self.services, request, actor, nav)

    async def breaches_export(self, request: web.Request, actor: Actor) -> web.Response:
        """The card's breach register export: a one-time ticket, the role checked again at
        download."""
        if not await self._privacy_office(actor):
            log.warning("tab: breach register export refused (role)")
            return _html(pages.message(actor.locale, "dataleak.refused.not_privacy_office"), 403)
        form = await request.post()
        now = self.services.clock()
        raw_format = form.get("format")
        fmt = raw_format if isinstance(raw_format, str) and raw_format in FORMATS else "xlsx"
        raw = {k: v for k, v in form.items() if isinstance(v, str)}
        year = breach_year(raw.get("year"), now)
        narrowing = Narrowing.of(raw)  # the page's filters: the file holds what it shows
        ticket = await create_ticket(
            self.services.tickets,
            actor.tenant_id,
            actor.user_id,
            fmt,
            year,
            actor.locale,
            now,
            params=narrowing.params(),
        )
        name = breach_file(actor.locale, year, ticket.format)
        nav = await self.nav(actor, "breaches")
        return _html(tab_registers.download(actor.locale, name, ticket.token, nav))

    async def decide(self, request: web.Request, actor: Actor) -> web.Response:
        """The decision through the engine the card uses: the same approver check, the kind's
        choices, the same card update in the chat (the engine finds the card's message)."""
        requester, rid = request.match_info["requester"][:64], request.match_info["rid"][:40]
        form = await request.post()
        choice = str(form.get("choice", ""))[:40]
        raw_comment = form.get("comment", "")
        comment = clean_text(raw_comment)[:20_000] if isinstance(raw_comment, str) else ""
        query = handover.typed(form.get("colleague_q"))
        raw_colleague = form.get("colleague", "")
        colleague = raw_colleague[:64] if isinstance(raw_colleague, str) else ""
        if form.get("find"):
            return await self._find_colleague(actor, requester, rid, comment, query, colleague)
        kinds = self.services.kinds
        try:
            decided = await decide_request(
                self.services,
                CardPresenter(kinds),
                actor,
                requester,
                rid,
                choice,
                comment,
                None,
                colleague_id=colleague,
            )
        except RequestNotFound:
            return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
        except DecisionRefused as refused:
            log.warning("tab: decision on %s refused (%s)", rid, refused.code)
            try:
                stored = await load(self.services, actor.tenant_id, requester, rid)
            except RequestNotFound:
                return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
            if not stored.request.may_be_decided_by(actor.user_id):
                return _html(pages.message(actor.locale, f"requests.refused.{refused.code}"), 403)
            # A hand-over without a (valid) colleague: the search and the pick stay on the page.
            picked = await handover.picker(self.services, stored.request, actor, query, colleague)
            page = pages.detail_page(
                kinds,
                stored.request,
                actor.locale,
                actor.user_id,
                "pending",
                error=text(actor.locale, f"requests.refused.{refused.code}"),
                comment=comment,
                handover=picked,
            )
            return _html(page, 422 if refused.code == "comment_too_long" else 409)
        except StorageError as error:
            log.warning("tab: decision on %s not recorded: %s", rid, type(error).__name__)
            stored = None
            try:
                stored = await load(self.services, actor.tenant_id, requester, rid)
            except (StorageError, RequestNotFound):
                return _html(pages.message(actor.locale, "errors.storage_unavailable"), 503)
            page = pages.detail_page(
                kinds,
                stored.request,
                actor.locale,
                actor.user_id,
                "pending",
                error=text(actor.locale, "errors.storage_unavailable"),
                comment=comment,
            )
            return _html(page, 503)
        note = (
            text(actor.locale, "requests.withdrawn_before_decision")
            if decided.status is Status.WITHDRAWN
            else text(actor.locale, "tab.decided_here")
        )
        page = pages.detail_page(kinds, decided, actor.locale, actor.user_id, "pending", note=note)
        return _html(page)

    async def _find_colleague(
        self, actor: Actor, requester: str, rid: str, comment: str, query: str, chosen: str
    ) -> web.Response:
        """ "Zoeken" in the colleague picker: the decision page again with the directory's
        matches, the comment kept; nothing is decided. Only for the request's approver."""
        try:
            stored = await load(self.services, actor.tenant_id, requester, rid)
        except RequestNotFound:
            return _html(pages.message(actor.locale, "requests.refused.not_found"), 404)
        if not stored.request.may_be_decided_by(actor.user_id):
            log.warning("tab: colleague search on %s refused (not the approver)", rid)
            return _html(pages.message(actor.locale, "requests.refused.not_approver"), 403)
        picked = await handover.picker(self.services, stored.request, actor, query, chosen)
        page = pages.detail_page(
            self.services.kinds,
            stored.request,
            actor.locale,
            actor.user_id,
            "pending",
            error="" if query else text(actor.locale, "tab.handover.type_first"),
            comment=comment,
            handover=picked,
        )
        return _html(page, 200 if query else 422)


async def _registers(tab: Tab, request: web.Request, actor: Actor) -> web.Response:
    """One register with the query's filters; only for the roles that keep registers."""
    services = tab.services
    if not await tab._keeps_registers(actor):
        log.warning("tab: registers refused (role)")
        return _html(pages.message(actor.locale, "registers.not_allowed"), 403)
    known = await departments(services, actor.tenant_id)
    query = _query(request.query, services, known)
    now = services.clock()
    found = await requests_of(
        services, actor.tenant_id, query.kind.name, years_to_read(query.year, now)
    )
    this_year = now.astimezone(AMSTERDAM).year
    result = tab_registers.run(query, found, known, actor.locale, this_year)
    nav = await tab.nav(actor, "registers")
    kinds = tab_registers.kinds_with_register(services.kinds)
    return _html(tab_registers.page(query, result, kinds, known, actor.locale, nav))


async def _export(tab: Tab, request: web.Request, actor: Actor) -> web.Response:
    """The card's export, for the register and filters on the page: a one-time ticket, the
    file made (and the role checked again) when it is downloaded (bot/exports_http.py)."""
    services = tab.services
    if not await tab._keeps_registers(actor):
        log.warning("tab: register export refused (role)")
        return _html(pages.message(actor.locale, "registers.not_allowed"), 403)
    form = await request.post()
    raw = {k: v for k, v in form.items() if isinstance(v, str)}
    known = await departments(services, actor.tenant_id)
    query = _query(raw, services, known)
    fmt = raw.get("format", "")
    fmt = fmt if fmt in FORMATS else "xlsx"
    department = query.department or ""
    ticket = await create_ticket(
        services.tickets,
        actor.tenant_id,
        actor.user_id,
        fmt,
        query.year,
        actor.locale,
        services.clock(),
        subject="register",
        params={
            "kind": query.kind.name,
            "department": department,
            "status": query.status,
            "verdict": query.verdict,
            "q": query.search,
        },
    )
    name = file_name(actor.locale, query.kind.name, query.year, department, ticket.format)
    nav = await tab.nav(actor, "registers")
    return _html(tab_registers.download(actor.locale, name, ticket.token, nav))


async def _overview(tab: Tab, request: web.Request, actor: Actor) -> web.Response:
    """The yearly overview; only for the director, the RvC chair and the integrity officer."""
    services = tab.services
    if not await tab._reads_overview(actor):
        log.warning("tab: overview refused (role)")
        return _html(pages.message(actor.locale, "overview.not_allowed"), 403)
    now = services.clock()
    year = overview_year(request.query.get("year"), now)
    found = await yearly(services, actor.tenant_id, year, now.astimezone(AMSTERDAM).year)
    nav = await tab.nav(actor, "overview")
    page = tab_overview.page(services.kinds, found.overview, found.years, actor.locale, nav)
    return _html(page)


async def _overview_export(tab: Tab, request: web.Request, actor: Actor) -> web.Response:
    """The card's overview export: a one-time ticket; the role is checked again at download."""
    services = tab.services
    if not await tab._reads_overview(actor):
        log.warning("tab: overview export refused (role)")
        return _html(pages.message(actor.locale, "overview.not_allowed"), 403)
    form = await request.post()
    raw_year, raw_format = form.get("year"), form.get("format")
    now = services.clock()
    year = overview_year(raw_year if isinstance(raw_year, str) else "", now)
    fmt = raw_format if isinstance(raw_format, str) and raw_format in FORMATS else "xlsx"
    ticket = await create_ticket(
        services.tickets,
        actor.tenant_id,
        actor.user_id,
        fmt,
        year,
        actor.locale,
        now,
        subject="overview",
    )
    name = overview_file(actor.locale, year, ticket.format)
    nav = await tab.nav(actor, "overview")
    return _html(tab_registers.download(actor.locale, name, ticket.token, nav))


class TeamsJsMissing(RuntimeError):
    """The installed bot has no TeamsJS: the tab could not sign anyone in."""


def check_teams_js(path: Path = TEAMS_JS) -> None:
    """Refuse to start without TeamsJS, rather than serve a tab that stays on "Laden…"."""
    if not path.is_file() or path.stat().st_size == 0:
        raise TeamsJsMissing(
            f"TeamsJS is missing at {path}: the tab cannot sign in. It is committed in "
            "bot/tab/static/vendor/ and shipped as package data (pyproject.toml); "
            "deploy from a clean checkout (infra/README.md, section 5)"
        )


def add_tab(app: web.Application, services: Services) -> None:
    """Serve the tab on `app` (refused without TeamsJS: TeamsJsMissing)."""
    check_teams_js()
    Tab(services, SsoValidator(services.settings)).routes(app)


def _query(raw: Mapping[str, str], services: Services, known: Mapping[str, str]) -> Query:
    kinds = tab_registers.kinds_with_register(services.kinds)
    kind = pick_kind(services.kinds, raw.get("kind")) or kinds[0]
    status = raw.get("status", "")
    verdict = raw.get("verdict", "")
    sort = raw.get("sort", "")
    page = raw.get("page", "")
    return Query(
        kind=kind,
        year=pick_year(raw.get("year"), services.clock()),
        department=pick_department(raw.get("department"), known),
        status=status if status in {s.value for s in Status} else "",
        verdict=verdict if verdict != ALL and verdict.isidentifier() and len(verdict) <= 30 else "",
        search=clean_text(raw.get("q", ""))[:100],
        sort=sort if sort in tab_registers.SORTS else tab_registers.SORTS[0],
        page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
    )
