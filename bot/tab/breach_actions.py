"""The privacy officer acts on a case from its tab page, as on the case card: received, the AP
and the people affected (yes / no, with the reason), closing, and the dossier (awareness,
consequences and measures, the AP notification and its later supplement or withdrawal, the
letter, a question to the reporter), the risk assessment (with its preview), and the dossier
and letter PDFs. Every change goes through the service the card's verbs
call (`bot.services.breaches.act` / `change`, which check the role against the directory) with
the card's own rules (`dialogs.breach_dossier.TAB_RULES`), so every copy of the case card in
the chat follows, the officer's own included."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.breaches import BreachAction
from bot.domain.people import Actor
from bot.domain.requests import DecisionRefused
from bot.services.breaches import (
    BreachNotFound,
    NotPrivacyOffice,
    act,
    change,
    send_question,
    view,
)
from bot.services.context import Services
from bot.services.exports import create_ticket
from bot.storage.errors import StorageError
from bot.tab import pages
from bot.tab.breaches import case_page
from bot.tab.registers import download
from bot.tab.respond import html
from cards import text
from dialogs.base import CardAction
from dialogs.breach_dossier import TAB_DOWNLOADS, TAB_RULES, factors_of
from dialogs.breach_view import kept, preview, typed
from dialogs.dataleak import PRESENTER
from dialogs.forms import MAX_ECHO, clean_text

log = logging.getLogger(__name__)

DECISIONS = frozenset(a.value for a in BreachAction)


async def act_on_case(
    services: Services, request: web.Request, actor: Actor, nav: str
) -> web.Response:
    locale = actor.locale
    bid = request.match_info["bid"][:40]
    form = await request.post()
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    # Checkboxes send one value each; the card's multi-choice sends them comma-separated.
    data["riskCategories"] = ",".join(
        v for v in form.getall("riskCategories", []) if isinstance(v, str)
    )
    what = data.pop("do", "")
    action = CardAction(actor, f"dataleak.{what}", data, None)
    try:
        current = await view(services, actor, bid)
    except NotPrivacyOffice:
        log.warning("tab: breach action refused (role)")
        return html(pages.message(locale, "dataleak.refused.not_privacy_office"), 403)
    except BreachNotFound:
        return html(pages.message(locale, "requests.refused.not_found"), 404)

    def again(error: str, status: int) -> web.Response:
        """The case with the refusal named and everything typed kept (the decision's reason
        too, which the card keeps in its own field)."""
        typed_reason = clean_text(data.get("reason", ""))[:MAX_ECHO]
        values = {**kept(action), "reason": typed_reason}
        page = case_page(
            current,
            services.clock(),
            locale,
            nav,
            viewer_id=actor.user_id,
            error=error,
            values=values,
        )
        return html(page, status)

    if what == "propose":
        # A preview of the proposal for the ticked factors; nothing is recorded.
        factors, problem = factors_of(action)
        if factors is None:
            return again(problem, 422)
        page = case_page(
            current,
            services.clock(),
            locale,
            nav,
            viewer_id=actor.user_id,
            values=kept(action),
            proposal=preview(factors),
        )
        return html(page)
    if what in TAB_DOWNLOADS:
        subject, title = TAB_DOWNLOADS[what]
        ticket = await create_ticket(
            services.tickets,
            actor.tenant_id,
            actor.user_id,
            "pdf",
            None,
            locale,
            services.clock(),
            subject=subject,
            params={"breachId": current.id},
        )
        return html(download(locale, text(locale, title, reference=current.id), ticket.token, nav))
    done = ""
    try:
        if what in DECISIONS:
            reason = typed(action, "reason")[:1000]
            updated = await act(services, PRESENTER, actor, bid, BreachAction(what), reason, None)
            done = "tab.case_decided"
        elif what in TAB_RULES:
            rule_of, done = TAB_RULES[what]
            rule, problem = rule_of(action, services.clock())
            if rule is None:
                return again(problem, 422)
            updated = await change(services, PRESENTER, actor, bid, rule, None)
            if what == "ask" and len(updated.questions) > len(current.questions):
                if not await send_question(services, PRESENTER, updated):
                    done = "dataleak.questions.not_delivered"
        else:
            log.warning("tab: unknown breach action refused")
            return again(text(locale, "dataleak.refused.unknown_action"), 422)
    except DecisionRefused as refused:
        log.info("tab: %s on %s refused (%s)", what, bid, refused.code)
        return again(text(locale, f"dataleak.refused.{refused.code}"), 409)
    except StorageError as error:
        log.warning("tab: %s on %s not recorded: %s", what, bid, type(error).__name__)
        return again(text(locale, "errors.storage_unavailable"), 503)
    page = case_page(
        updated, services.clock(), locale, nav, notice=text(locale, done), viewer_id=actor.user_id
    )
    return html(page)
