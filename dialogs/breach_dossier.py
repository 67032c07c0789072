"""The privacy officer works a case from its card: when Woongroen became aware, consequences
and measures, the risk assessment, the AP notification (with later supplements or a
withdrawal), the letter to the people affected, questions to the reporter, the dossier PDF.
And the reporter's side: their reports under "mijn meldingen", and answering a question.

Identity always comes from the activity: only the privacy office changes a dossier (checked in
the service against the directory), only the reporter answers (checked against the report).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from bot.domain.breaches import (
    AMSTERDAM,
    ApUpdateKind,
    Breach,
    DataCategory,
    PeopleRange,
    Person,
    Risk,
    RiskFactors,
    ask_reporter,
    assess,
    local_moment,
    record_case,
    record_notification,
    save_letter,
    update_notification,
)
from bot.domain.people import Actor
from bot.domain.requests import DecisionRefused
from bot.services.breaches import (
    BreachNotFound,
    answer,
    change,
    my_reports,
    own_report,
    send_question,
)
from bot.services.context import Services
from bot.services.exports import LIFETIME, create_ticket
from bot.services.exports import link as export_link
from bot.storage.errors import StorageError
from cards import render, text
from cards.dates import day_text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.breach_view import LIMITS, kept, preview, typed
from dialogs.dataleak import (
    PRESENTER,
    office_view,
    pointer,
    question_card,
    receipt_card,
    refusal,
)
from dialogs.forms import Field, Reader, clean_text
from dialogs.registry import VerbRegistry

AWARE_DATE = Field("awareDate", "date", "dataleak.case.aware_date", required=True)
AWARE_TIME = Field("awareTime", "time", "dataleak.case.aware_time", required=True)
AP_DATE = Field("apDate", "date", "dataleak.ap.date", required=True)
AP_TIME = Field("apTime", "time", "dataleak.ap.time", required=True)
CATEGORIES = Field("riskCategories", "multichoice", "dataleak.risk.categories_label", required=True)
PEOPLE = Field("riskPeople", "choice", "dataleak.risk.people_label", required=True)
FLAGS = {
    name: Field(f"risk{name.title()}", "toggle", f"dataleak.risk.{name}")
    for name in ("identifiable", "encrypted", "recovered", "ongoing")
}


def _moment(
    action: CardAction, day: Field, clock: Field, now: datetime
) -> tuple[datetime | None, str]:
    reader = Reader(action.data, action.actor.locale)
    today = now.astimezone(AMSTERDAM).date()
    d = reader.day(day, today, allow_future=True)
    t = reader.time_of_day(clock)
    if d is None or t is None:
        return None, next(iter(reader.errors.values()), "")
    return local_moment(d, t), ""


def factors_of(action: CardAction) -> tuple[RiskFactors | None, str]:
    reader = Reader(action.data, action.actor.locale)
    categories = reader.choices(CATEGORIES, [c.value for c in DataCategory])
    people = reader.choice(PEOPLE, [p.value for p in PeopleRange])
    flags = {name: reader.flag(field) for name, field in FLAGS.items()}
    if reader.errors:
        return None, text(action.actor.locale, "dataleak.risk.factors_invalid")
    factors = RiskFactors(
        categories=tuple(DataCategory(c) for c in categories),
        people=PeopleRange(people),
        **flags,
    )
    return factors, ""


Rule = Callable[[Breach, Person, datetime], Breach]


async def _office(
    action: CardAction,
    services: Services,
    rule_of: Callable[[CardAction, datetime], tuple[Rule | None, str]],
    done: str,
    after: Callable[[Breach, Breach], Awaitable[str]] | None = None,
) -> Card:
    """Apply an officer's change; on a refusal the same card comes back with what was typed
    and the reason named."""
    locale = action.actor.locale
    now = services.clock()
    current = await office_view(action, services)
    if not isinstance(current, Breach):
        return current
    rule, problem = rule_of(action, now)
    if rule is None:
        return PRESENTER.office_card(current, locale, now, error=problem, values=kept(action))
    try:
        updated = await change(
            services, PRESENTER, action.actor, current.id, rule, action.message_id
        )
    except DecisionRefused as refused:
        message = text(locale, f"dataleak.refused.{refused.code}")
        return PRESENTER.office_card(current, locale, now, error=message, values=kept(action))
    except StorageError as failure:
        log_storage_failure(action.verb, current.id, failure)
        message = text(locale, "errors.storage_unavailable")
        return PRESENTER.office_card(current, locale, now, error=message, values=kept(action))
    if after is not None:
        done = await after(current, updated)
    return PRESENTER.office_card(updated, locale, services.clock(), notice=text(locale, done))


def _case_rule(action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    aware, problem = _moment(action, AWARE_DATE, AWARE_TIME, now)
    if aware is None:
        return None, problem
    consequences, measures = typed(action, "consequences"), typed(action, "measuresTaken")
    return (lambda b, by, at: record_case(b, by, aware, consequences, measures, at)), ""


def _assess_rule(action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    factors, problem = factors_of(action)
    if factors is None:
        return None, problem
    raw = typed(action, "riskDecision")
    decided = Risk(raw) if raw in {r.value for r in Risk} else None
    reason = typed(action, "riskReason")
    return (lambda b, by, at: assess(b, by, factors, decided, reason, at)), ""


def _reported_rule(action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    reported, problem = _moment(action, AP_DATE, AP_TIME, now)
    if reported is None:
        return None, problem
    reference, late = typed(action, "apReference"), typed(action, "apLateReason")
    return (lambda b, by, at: record_notification(b, by, reported, reference, late, at)), ""


def _update_rule(kind: ApUpdateKind, action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    words = typed(action, "apUpdate")
    return (lambda b, by, at: update_notification(b, by, kind, words, at)), ""


def _letter_rule(action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    for key in ("letterNl", "letterEn"):
        raw = action.data.get(key)
        if isinstance(raw, str) and len(clean_text(raw)) > LIMITS[key]:
            return None, text(action.actor.locale, "dataleak.letter.too_long", max=LIMITS[key])
    nl, en = typed(action, "letterNl"), typed(action, "letterEn")
    return (lambda b, by, at: save_letter(b, by, nl, en, at)), ""


def _ask_rule(action: CardAction, now: datetime) -> tuple[Rule | None, str]:
    question = typed(action, "question")
    return (lambda b, by, at: ask_reporter(b, by, question, at)), ""


async def record_case_details(action: CardAction, services: Services) -> Card:
    return await _office(action, services, _case_rule, "dataleak.case.saved")


async def record_assessment(action: CardAction, services: Services) -> Card:
    return await _office(action, services, _assess_rule, "dataleak.risk.recorded")


async def record_ap(action: CardAction, services: Services) -> Card:
    return await _office(action, services, _reported_rule, "dataleak.ap.recorded")


async def supplement_ap(action: CardAction, services: Services) -> Card:
    rule = partial(_update_rule, ApUpdateKind.SUPPLEMENT)
    return await _office(action, services, rule, "dataleak.ap.supplemented")


async def withdraw_ap(action: CardAction, services: Services) -> Card:
    rule = partial(_update_rule, ApUpdateKind.WITHDRAWAL)
    return await _office(action, services, rule, "dataleak.ap.withdrawn")


async def save_letters(action: CardAction, services: Services) -> Card:
    return await _office(action, services, _letter_rule, "dataleak.letter.saved")


async def ask(action: CardAction, services: Services) -> Card:
    """The officer's question goes on the case first, then to the reporter."""

    async def send(before: Breach, after: Breach) -> str:
        if len(after.questions) == len(before.questions):
            return "dataleak.questions.sent"  # a repeat: it went out the first time
        delivered = await send_question(services, PRESENTER, after)
        return "dataleak.questions.sent" if delivered else "dataleak.questions.not_delivered"

    return await _office(action, services, _ask_rule, "dataleak.questions.sent", send)


async def propose(action: CardAction, services: Services) -> Card:
    """A preview of the proposal for the typed factors; nothing is recorded."""
    locale = action.actor.locale
    current = await office_view(action, services)
    if not isinstance(current, Breach):
        return current
    factors, problem = factors_of(action)
    now = services.clock()
    if factors is None:
        return PRESENTER.office_card(current, locale, now, error=problem, values=kept(action))
    return PRESENTER.office_card(
        current, locale, now, values=kept(action), proposal=preview(factors)
    )


async def _download(action: CardAction, services: Services, subject: str, title: str) -> Card:
    locale = action.actor.locale
    breach = await office_view(action, services)
    if not isinstance(breach, Breach):
        return breach
    ticket = await create_ticket(
        services.tickets,
        action.actor.tenant_id,
        action.actor.user_id,
        "pdf",
        None,
        locale,
        services.clock(),
        subject=subject,
        params={"breachId": breach.id},
    )
    minutes = int(LIFETIME.total_seconds() // 60)
    return render(
        "breach_export",
        locale,
        {
            "ready": text(locale, "dataleak.register.export_ready", minutes=minutes),
            "download": text(locale, title, reference=breach.id),
            "url": export_link(services.settings.public_url, ticket),
            "year": "all",
        },
    )


async def download_dossier(action: CardAction, services: Services) -> Card:
    return await _download(action, services, "breach_dossier", "dataleak.dossier.download_link")


async def download_letter(action: CardAction, services: Services) -> Card:
    """The saved letter (or, if none was saved, the drafts) as a PDF."""
    return await _download(action, services, "breach_letter", "dataleak.letter.download_link")


# --- The reporter's side ------------------------------------------------------------------


def _number(action: CardAction) -> int:
    raw = action.data.get("question")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 4 else 0


async def show_question(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    rid = pointer(action)
    try:
        if rid is None:
            raise BreachNotFound("")
        breach = await own_report(services, action.actor, rid)
    except BreachNotFound:
        return render("error", locale, {"message": text(locale, "dataleak.receipt.not_reporter")})
    found = [q for q in breach.questions if q.number == _number(action)]
    if not found:
        return refusal(locale, "no_question")
    return question_card(breach, found[0], locale)


async def answer_question(action: CardAction, services: Services) -> Card:
    """Only the reporter answers (identity from the activity); the answer lands on the case."""
    locale = action.actor.locale
    rid = pointer(action)
    words = typed(action, "answer")
    try:
        if rid is None:
            raise BreachNotFound("")
        own = await own_report(services, action.actor, rid)
    except BreachNotFound:
        return render("error", locale, {"message": text(locale, "dataleak.receipt.not_reporter")})
    number = _number(action)
    found = [q for q in own.questions if q.number == number]
    if not found:
        return refusal(locale, "no_question")
    try:
        breach = await answer(services, PRESENTER, action.actor, rid, number, words)
    except DecisionRefused as refused:
        error = text(locale, f"dataleak.refused.{refused.code}")
        return question_card(own, found[0], locale, error, words)
    except StorageError as failure:
        log_storage_failure(action.verb, rid, failure)
        error = text(locale, "errors.storage_unavailable")
        return question_card(own, found[0], locale, error, words)
    except BreachNotFound:
        return render("error", locale, {"message": text(locale, "dataleak.receipt.not_reporter")})
    [question] = [q for q in breach.questions if q.number == number]
    return question_card(breach, question, locale)


async def show_mine(action: CardAction, services: Services) -> Card:
    """One of the reporter's own reports: status only, never the privacy office's notes."""
    locale = action.actor.locale
    rid = pointer(action)
    try:
        if rid is None:
            raise BreachNotFound("")
        breach = await own_report(services, action.actor, rid)
    except BreachNotFound:
        return refusal(locale, "not_found")
    return receipt_card(breach, locale, text(locale, "dataleak.receipt.yours"))


_STATUS_COLORS = {"received": "Default", "assessing": "Accent", "closed": "Good"}


async def mine_items(services: Services, actor: Actor, locale: str) -> list[dict[str, Any]]:
    """The reporter's data-leak reports as "mijn meldingen" items (status only)."""
    items = []
    for report in await my_reports(services, actor):
        status = report.status if report.status in _STATUS_COLORS else "received"
        items.append(
            {
                "title": text(locale, "dataleak.mine.title"),
                "line": text(
                    locale,
                    "personal.mine_line",
                    kind=text(locale, "dataleak.mine.noun"),
                    date=day_text(report.reported_at.astimezone(AMSTERDAM).date(), locale),
                    reference=report.id,
                ),
                "status": text(locale, f"dataleak.mine.statuses.{status}"),
                "statusColor": _STATUS_COLORS[status],
                "verb": "dataleak.mine",
                "data": {"breachId": report.id},
                "at": report.reported_at.isoformat(),
            }
        )
    return items


def register(registry: VerbRegistry) -> None:
    registry.add("dataleak.case", record_case_details)
    registry.add("dataleak.propose", propose)
    registry.add("dataleak.assess", record_assessment)
    registry.add("dataleak.ap_reported", record_ap)
    registry.add("dataleak.ap_supplement", supplement_ap)
    registry.add("dataleak.ap_withdraw", withdraw_ap)
    registry.add("dataleak.letter", save_letters)
    registry.add("dataleak.letter_download", download_letter)
    registry.add("dataleak.dossier", download_dossier)
    registry.add("dataleak.ask", ask)
    registry.add("dataleak.question", show_question)
    registry.add("dataleak.answer", answer_question)
    registry.add("dataleak.mine", show_mine)


# The dossier changes the tab's case page offers, by its button value: the same rules the card's
# verbs apply, and the text that says it was done (bot/tab/breach_actions.py).
TAB_RULES: dict[str, tuple[Callable[[CardAction, datetime], tuple[Rule | None, str]], str]] = {
    "case": (_case_rule, "dataleak.case.saved"),
    "assess": (_assess_rule, "dataleak.risk.recorded"),
    "ap_reported": (_reported_rule, "dataleak.ap.recorded"),
    "ap_supplement": (partial(_update_rule, ApUpdateKind.SUPPLEMENT), "dataleak.ap.supplemented"),
    "ap_withdraw": (partial(_update_rule, ApUpdateKind.WITHDRAWAL), "dataleak.ap.withdrawn"),
    "letter": (_letter_rule, "dataleak.letter.saved"),
    "ask": (_ask_rule, "dataleak.questions.sent"),
}

# The case's PDFs the tab's case page offers (export subject, link text), as the card's
# `dataleak.dossier` and `dataleak.letter_download`.
TAB_DOWNLOADS = {
    "dossier": ("breach_dossier", "dataleak.dossier.download_link"),
    "letter_download": ("breach_letter", "dataleak.letter.download_link"),
}
