"""Mijn meldingen beyond requests, each opened on its own page as the chat's card shows it to
its owner: a data-leak report as its reporter sees it (status, what they reported, their
additions, the privacy officer's questions and their answers; never the office's assessment,
notes or decisions), and a trailer booking with its day, slot, state and history, cancelled as
from its card. Whose it is comes from the sign-on token, never from the page: a report is looked
up with `own_report` (anyone else's does not exist for this person) and a booking is only found
among the person's own; the actions go through the card's services."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from aiohttp import web

from bot.domain.breaches import Breach, reporter_status
from bot.domain.people import Actor
from bot.domain.requests import DecisionRefused
from bot.domain.trailer import Booker, Booking, BookingRefused, Standing, firm_from, standing
from bot.services import trailer as trailer_service
from bot.services.breaches import BreachNotFound, add_to_report, answer, own_report
from bot.services.context import Services
from bot.storage.errors import StorageError
from bot.tab.pages import e, message, notices
from bot.tab.respond import html
from cards import text, texts_for
from cards.dates import AMSTERDAM, day_text
from dialogs.breach_view import LIMITS
from dialogs.dataleak import MAX_ADDITION, PRESENTER, report_facts
from dialogs.forms import clean_text
from dialogs.requests_view import when

log = logging.getLogger(__name__)

_BACK = "tab.back"


def _back(locale: str) -> str:
    return f'<p><a href="#mine" data-view="/mine">{e(text(locale, _BACK))}</a></p>'


def _typed(form: Mapping[str, Any], key: str, limit: int) -> str:
    raw = form.get(key)
    return clean_text(raw)[:limit] if isinstance(raw, str) else ""


# --- a data-leak report -------------------------------------------------------------------------


def _not_reporter(locale: str) -> web.Response:
    return html(message(locale, "requests.refused.not_found"), 404)


async def leak(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The reporter's own report; anyone else's is not found."""
    try:
        breach = await own_report(services, actor, request.match_info["bid"][:40])
    except BreachNotFound:
        log.warning("tab: data-leak report refused (not the reporter's)")
        return _not_reporter(actor.locale)
    return html(leak_page(breach, actor.locale))


def leak_page(
    breach: Breach,
    locale: str,
    note: str = "",
    error: str = "",
    addition: str = "",
    answers: Mapping[int, str] | None = None,
) -> str:
    """What the receipt card shows its reporter, as a page, with its history (`addition` and
    `answers` keep what was typed when it was refused)."""
    receipt = texts_for(locale)["dataleak"]["receipt"]
    status = receipt["statuses"][reporter_status(breach)]
    bid = e(breach.id)
    reported = day_text(breach.reported_at.astimezone(AMSTERDAM).date(), locale)
    parts = [
        _back(locale),
        f"<h1>{e(text(locale, 'dataleak.mine.noun'))}</h1>",
        f"<p>{e(text(locale, 'dataleak.mine.line', date=reported, reference=breach.id))}</p>",
    ]
    parts += notices(note, error)
    parts.append(
        f'<p><span class="status neutral">'
        f"{e(text(locale, 'dataleak.receipt.status', status=status))}</span></p>"
    )
    points = "".join(f"<li>{e(point)}</li>" for point in receipt["next"])
    parts.append(f"<h2>{e(receipt['next_title'])}</h2><ul>{points}</ul>")
    facts = "".join(
        f"<dt>{e(row['title'])}</dt><dd>{e(row['value'])}</dd>"
        for row in report_facts(breach, locale, office=False)
    )
    parts.append(f"<h2>{e(text(locale, 'tab.facts_title'))}</h2><dl>{facts}</dl>")
    if breach.additions:
        added = "".join(f"<li>{e(when(a.at, locale))}: {e(a.text)}</li>" for a in breach.additions)
        parts.append(f"<h2>{e(text(locale, 'dataleak.office.additions'))}</h2><ul>{added}</ul>")
    if breach.questions:
        parts.append(_questions(breach, locale, answers or {}))
    parts.append(
        f'<form data-api="/tab/api/leaks/{bid}/add" class="amend">'
        f"<h2>{e(receipt['addition'])}</h2>"
        f'<label for="addition">{e(receipt["addition"])}</label>'
        f'<textarea id="addition" name="addition" maxlength="{MAX_ADDITION}" rows="3" '
        f'placeholder="{e(receipt["addition_placeholder"])}">{e(addition)}</textarea>'
        f'<div class="choices"><button type="submit" class="choice">{e(receipt["add"])}'
        "</button></div></form>"
    )
    parts.append(_leak_trail(breach, locale))
    return "".join(parts)


def _questions(breach: Breach, locale: str, typed: Mapping[int, str]) -> str:
    items = []
    for q in breach.questions:
        asked = text(locale, "dataleak.questions.asked", date=when(q.asked.at, locale), text=q.text)
        if q.answer:
            said = text(
                locale,
                "dataleak.questions.your_answer",
                date=when(q.answered_at, locale),
                text=q.answer,
            )
            items.append(f'<li><p>{e(asked)}</p><p class="answer">{e(said)}</p></li>')
            continue
        field = f"answer-{q.number}"
        items.append(
            f"<li><p>{e(asked)}</p>"
            f"<p>{e(text(locale, 'dataleak.questions.open'))}</p>"
            f'<form data-api="/tab/api/leaks/{e(breach.id)}/answer" class="amend">'
            f'<input type="hidden" name="question" value="{q.number}">'
            f'<label for="{field}">'
            f"{e(text(locale, 'tab.own.leak_answer_label', number=q.number))}</label>"
            f'<textarea id="{field}" name="answer" maxlength="{LIMITS["answer"]}" rows="3">'
            f"{e(typed.get(q.number, ''))}</textarea>"
            f'<div class="choices"><button type="submit" class="choice">'
            f"{e(text(locale, 'dataleak.questions.answer_send'))}</button></div></form></li>"
        )
    title = text(locale, "dataleak.questions.title")
    return f'<h2>{e(title)}</h2><ul class="items">{"".join(items)}</ul>'


def _leak_trail(breach: Breach, locale: str) -> str:
    """The reporter's history: their report, additions and answers, the questions put to them,
    and the closing (no step of the office's assessment)."""
    steps: list[tuple[datetime, str]] = [(breach.reported_at, "reported")]
    steps += [(a.at, "added") for a in breach.additions]
    for q in breach.questions:
        steps.append((q.asked.at, "asked"))
        if q.answer and q.answered_at is not None:
            steps.append((q.answered_at, "answered"))
    if breach.closed is not None:
        steps.append((breach.closed.at, "closed"))
    items = "".join(
        f"<li><time>{e(when(at, locale))}</time> {e(text(locale, f'tab.own.leak_trail.{key}'))}"
        "</li>"
        for at, key in sorted(steps, key=lambda step: step[0])
    )
    return f'<h2>{e(text(locale, "tab.trail_title"))}</h2><ol class="trail">{items}</ol>'


async def add_to_leak(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The reporter's addition, as from the receipt card (`add_to_report`: the privacy
    office's cards follow)."""
    locale = actor.locale
    bid = request.match_info["bid"][:40]
    typed = _typed(await request.post(), "addition", MAX_ADDITION)
    try:
        own = await own_report(services, actor, bid)
    except BreachNotFound:
        log.warning("tab: addition to a data-leak report refused (not the reporter's)")
        return _not_reporter(locale)
    if not typed:
        error = text(locale, "dataleak.errors.addition_empty")
        return html(leak_page(own, locale, error=error), 422)
    try:
        breach = await add_to_report(services, PRESENTER, actor, bid, typed)
    except DecisionRefused as refused:
        log.info("tab: addition to %s refused (%s)", bid, refused.code)
        error = text(locale, f"dataleak.errors.{refused.code}")
        return html(leak_page(own, locale, error=error, addition=typed), 409)
    except StorageError as failure:
        log.warning("tab: addition to %s not recorded: %s", bid, type(failure).__name__)
        error = text(locale, "errors.storage_unavailable")
        return html(leak_page(own, locale, error=error, addition=typed), 503)
    return html(leak_page(breach, locale, note=text(locale, "dataleak.receipt.added")))


async def answer_leak(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """The reporter answers the privacy officer's question, as from the question card."""
    locale = actor.locale
    bid = request.match_info["bid"][:40]
    form = await request.post()
    words = _typed(form, "answer", LIMITS["answer"])
    raw = form.get("question")
    number = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 4 else 0
    try:
        own = await own_report(services, actor, bid)
    except BreachNotFound:
        log.warning("tab: answer on a data-leak report refused (not the reporter's)")
        return _not_reporter(locale)
    try:
        breach = await answer(services, PRESENTER, actor, bid, number, words)
    except DecisionRefused as refused:
        log.info("tab: answer on %s refused (%s)", bid, refused.code)
        error = text(locale, f"dataleak.refused.{refused.code}")
        return html(leak_page(own, locale, error=error, answers={number: words}), 409)
    except StorageError as failure:
        log.warning("tab: answer on %s not recorded: %s", bid, type(failure).__name__)
        error = text(locale, "errors.storage_unavailable")
        return html(leak_page(own, locale, error=error, answers={number: words}), 503)
    except BreachNotFound:
        return _not_reporter(locale)
    return html(leak_page(breach, locale, note=text(locale, "tab.own.leak_answer_sent")))


# --- a trailer booking --------------------------------------------------------------------------


def _unknown(locale: str) -> web.Response:
    return html(message(locale, "trailer.refusals.unknown"), 404)


def _day(request: web.Request) -> date | None:
    try:
        return date.fromisoformat(request.match_info["day"][:10])
    except ValueError:
        return None


async def _own_booking(
    services: Services, actor: Actor, day: date, booking_id: str
) -> tuple[Booking, bool, datetime | None, bool] | None:
    """The person's own booking for `day`: (booking, cancelled for a tenant, when that tenant
    booked, the holder told). Someone else's is not found."""

    def own(booking: Booking) -> bool:
        return (
            booking.id == booking_id
            and booking.booker is Booker.EMPLOYEE
            and booking.person_id == actor.user_id
        )

    held = await services.trailer.on_day(actor.tenant_id, day)
    for booking in held:
        if own(booking):
            return booking, False, None, False
    for booking, cancelled_for, told in await services.trailer.cancelled(actor.tenant_id, day):
        if own(booking):
            tenant = next((b.created_at for b in held if b.id == cancelled_for), None)
            return booking, True, tenant, told
    return None


async def booking(services: Services, request: web.Request, actor: Actor) -> web.Response:
    day, booking_id = _day(request), request.match_info["booking"][:64]
    if day is None:
        return _unknown(actor.locale)
    found = await _own_booking(services, actor, day, booking_id)
    if found is None:
        log.warning("tab: trailer booking refused (not the person's own)")
        return _unknown(actor.locale)
    return html(booking_page(services, *found, locale=actor.locale))


def booking_page(
    services: Services,
    booking: Booking,
    cancelled: bool,
    cancelled_at: datetime | None,
    told: bool,
    locale: str,
) -> str:
    """The booking card's facts and lines, its state and history, and "Reservering annuleren"
    while it holds (as on the card)."""
    today = trailer_service.today(services)
    firm_days = services.settings.trailer_firm_days
    state = standing(booking, cancelled, today, firm_days)
    slot = text(locale, f"trailer.slots.{booking.slot.value}")
    day = day_text(booking.day, locale)
    css = {Standing.FIRM: "good", Standing.PROVISIONAL: "pending", Standing.CANCELLED: "neutral"}
    parts = [
        _back(locale),
        f"<h1>{e(text(locale, 'trailer.mine.title', date=day, slot=slot))}</h1>",
        f"<p>{e(text(locale, 'trailer.mine.noun'))}</p>",
        f'<p><span class="status {css[state]}">'
        f"{e(text(locale, f'trailer.mine.statuses.{state.value}'))}</span></p>",
    ]
    booked_on = booking.created_at.astimezone(AMSTERDAM).date()
    firm_day = max(firm_from(booking.day, firm_days), booked_on)
    if state is Standing.FIRM:
        line = text(locale, "trailer.firm")
    elif state is Standing.PROVISIONAL:
        line = text(locale, "trailer.provisional", date=day_text(firm_day, locale))
    else:
        line = text(locale, "trailer.cancelled_text")
    parts.append(f"<p>{e(line)}</p>")
    facts = (
        f"<dt>{e(text(locale, 'trailer.facts.day'))}</dt><dd>{e(day)}</dd>"
        f"<dt>{e(text(locale, 'trailer.facts.slot'))}</dt><dd>{e(slot)}</dd>"
    )
    parts.append(f"<h2>{e(text(locale, 'tab.facts_title'))}</h2><dl>{facts}</dl>")
    steps = [(when(booking.created_at, locale), text(locale, "tab.own.trailer_trail.booked"))]
    if state is Standing.CANCELLED:
        moment = when(cancelled_at, locale) if cancelled_at is not None else ""
        steps.append((moment, text(locale, "tab.own.trailer_trail.cancelled")))
        if told:
            steps.append(("", text(locale, "tab.own.trailer_trail.told")))
    elif state is Standing.FIRM:
        steps.append((day_text(firm_day, locale), text(locale, "tab.own.trailer_trail.firm")))
    else:
        later = text(locale, "tab.own.trailer_trail.firm_later")
        steps.append((day_text(firm_day, locale), later))
    trail = "".join(
        "<li>" + (f"<time>{e(at)}</time> " if at else "") + f"{e(label)}</li>"
        for at, label in steps
    )
    parts.append(f'<h2>{e(text(locale, "tab.trail_title"))}</h2><ol class="trail">{trail}</ol>')
    if not cancelled:
        path = f"/tab/api/trailer/{e(booking.day.isoformat())}/{e(booking.id)}/cancel"
        parts.append(
            f'<form data-api="{path}" class="withdraw-confirm"><div class="choices">'
            f'<button type="submit" class="choice destructive">'
            f"{e(text(locale, 'trailer.cancel'))}</button></div></form>"
        )
    return "".join(parts)


async def cancel_booking(services: Services, request: web.Request, actor: Actor) -> web.Response:
    """ "Reservering annuleren", as on the booking card (`cancel_own`: only one's own)."""
    locale = actor.locale
    day, booking_id = _day(request), request.match_info["booking"][:64]
    if day is None:
        return _unknown(locale)
    try:
        gone = await trailer_service.cancel_own(services, actor, day, booking_id)
    except BookingRefused as refused:
        log.warning("tab: trailer cancellation refused (%s)", refused.code)
        return html(message(locale, f"trailer.refusals.{refused.code}"), 403)
    key = "trailer.cancelled_own" if gone is not None else "trailer.already_gone"
    kind = "good" if gone is not None else "attention"
    role = "status" if gone is not None else "alert"
    return html(
        _back(locale)
        + f"<h1>{e(text(locale, key))}</h1>"
        + f'<p role="{role}" class="message {kind}">'
        + f"{e(text(locale, 'trailer.facts.day'))}: {e(day_text(day, locale))}</p>"
    )
