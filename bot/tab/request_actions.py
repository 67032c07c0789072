"""What a person does on a request's page besides deciding, as on the card: the requester adds
information or withdraws (confirmed first), the advisor gives advice (HR on a side job) or its
position (Communicatie on an interview). Each goes through the service the card's button calls
(`bot.services.personal.add_note`, `bot.services.approvals.withdraw_request` /
`advise_request`), which checks who may do it against storage; the person comes from the
sign-on token."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.amend import InvalidNote, clean_note
from bot.domain.people import Actor
from bot.domain.requests import DecisionRefused, Status
from bot.services.approvals import (
    RequestNotFound,
    advise_request,
    announce_note,
    load,
    withdraw_request,
)
from bot.services.context import Services
from bot.services.personal import add_note
from bot.storage.errors import StorageError
from bot.tab import pages
from bot.tab.respond import html
from cards import text
from dialogs.forms import clean_text
from dialogs.requests_view import CardPresenter

log = logging.getLogger(__name__)


def _typed(form: object, key: str, limit: int) -> str:
    raw = form.get(key) if hasattr(form, "get") else None
    return raw[: limit * 2] if isinstance(raw, str) else ""


def _not_found(locale: str) -> web.Response:
    return html(pages.message(locale, "requests.refused.not_found"), 404)


async def add_information(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The requester's "add information" on their own pending request."""
    locale, kinds = actor.locale, services.kinds
    rid = request.match_info["rid"][:40]
    typed = _typed(await request.post(), "addition", 1000)
    try:
        stored = await load(services, actor.tenant_id, actor.user_id, rid)
    except RequestNotFound:
        return _not_found(locale)

    def again(error: str, status: int) -> web.Response:
        page = pages.detail_page(
            kinds, stored.request, locale, actor.user_id, "mine", error=error, addition=typed
        )
        return html(page, status)

    try:
        clean_note(typed)
    except InvalidNote as invalid:
        return again(text(locale, f"personal.{invalid.code}"), 422)
    try:
        updated = await add_note(services, actor, rid, typed, stored)
    except DecisionRefused as refused:
        log.info("tab: addition to %s refused (%s)", rid, refused.code)
        try:
            stored = await load(services, actor.tenant_id, actor.user_id, rid)
        except RequestNotFound:
            return _not_found(locale)
        return again(text(locale, f"requests.refused.{refused.code}"), 409)
    except StorageError as error:
        log.warning("tab: addition to %s not recorded: %s", rid, type(error).__name__)
        return again(text(locale, "errors.storage_unavailable"), 503)
    await announce_note(services, CardPresenter(kinds), updated)
    note = text(locale, "personal.note_added")
    return html(pages.detail_page(kinds, updated, locale, actor.user_id, "mine", note=note))


async def confirm_withdrawal(
    services: Services, request: web.Request, actor: Actor
) -> web.Response:
    """ "Are you sure?" for the requester's own pending request."""
    locale = actor.locale
    try:
        stored = await load(
            services, actor.tenant_id, actor.user_id, request.match_info["rid"][:40]
        )
    except RequestNotFound:
        return _not_found(locale)
    if not stored.request.pending:
        error = text(locale, "requests.cannot_withdraw")
        page = pages.detail_page(
            services.kinds, stored.request, locale, actor.user_id, "mine", error=error
        )
        return html(page, 409)
    return html(pages.withdraw_page(stored.request, locale))


async def withdraw(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The withdrawal itself (only with the confirmation's "yes"), through the card's engine:
    the approver's card in the chat shows it and the approver is told."""
    locale, kinds = actor.locale, services.kinds
    rid = request.match_info["rid"][:40]
    form = await request.post()
    if form.get("confirm") != "yes":
        return await confirm_withdrawal(services, request, actor)
    try:
        withdrawn = await withdraw_request(services, CardPresenter(kinds), actor, rid)
    except RequestNotFound:
        return _not_found(locale)
    except DecisionRefused as refused:
        log.info("tab: withdrawal of %s refused (%s)", rid, refused.code)
        return html(pages.message(locale, f"requests.refused.{refused.code}"), 409)
    except StorageError as error:
        log.warning("tab: withdrawal of %s not recorded: %s", rid, type(error).__name__)
        return html(pages.message(locale, "errors.storage_unavailable"), 503)
    done = withdrawn.status is Status.WITHDRAWN
    key = "personal.withdrawn" if done else "requests.cannot_withdraw"
    page = pages.detail_page(
        kinds,
        withdrawn,
        locale,
        actor.user_id,
        "mine",
        note=text(locale, key) if done else "",
        error="" if done else text(locale, key),
    )
    return html(page, 200 if done else 409)


async def advise(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The advisor's advice (HR on a side job) or position with remarks (Communicatie on an
    interview), through the card's engine and its rules: the approver's card and the
    advisor's own card in the chat show it."""
    locale, kinds = actor.locale, services.kinds
    requester, rid = request.match_info["requester"][:64], request.match_info["rid"][:40]
    form = await request.post()
    raw = _typed(form, "advice", 10_000)
    advice = clean_text(raw)
    position = _typed(form, "position", 20)[:40]
    try:
        advised = await advise_request(
            services,
            CardPresenter(kinds),
            actor,
            requester,
            rid,
            advice,
            own_card=True,
            position=position,
        )
    except RequestNotFound:
        return _not_found(locale)
    except (DecisionRefused, StorageError) as problem:
        code = problem.code if isinstance(problem, DecisionRefused) else ""
        log.info("tab: advice on %s refused (%s)", rid, code or type(problem).__name__)
        try:
            stored = await load(services, actor.tenant_id, requester, rid)
        except (RequestNotFound, StorageError):
            return _not_found(locale)
        advisor = stored.request.advisor.id if stored.request.advisor else None
        if actor.user_id != advisor:
            return html(pages.message(locale, f"requests.refused.{code or 'not_advisor'}"), 403)
        key = f"requests.refused.{code}" if code else "errors.storage_unavailable"
        page = pages.detail_page(
            kinds,
            stored.request,
            locale,
            actor.user_id,
            "pending",
            error=text(locale, key),
            advice=raw,
            position=position,
        )
        return html(page, 409 if code else 503)
    note = text(locale, "tab.advised_here")
    return html(pages.detail_page(kinds, advised, locale, actor.user_id, "pending", note=note))
