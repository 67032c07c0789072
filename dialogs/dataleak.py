"""Report a (suspected) data leak: a two-minute form -> recorded -> the privacy office is alerted.

§5: every suspected leak goes to the privacy officer, who decides whether it is one and whether
the Autoriteit Persoonsgegevens must be told (within 72 hours of discovery). The reporter's
manager is not told. The privacy office acts on the alert card; the reporter can add to the
same report from their confirmation card.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.domain.breaches import (
    AMSTERDAM,
    REMINDER_HOURS,
    SECTION,
    Answer3,
    Breach,
    BreachAction,
    BreachStatus,
    DataKind,
    Decision,
    Delivery,
    LeakFacts,
    LeakKind,
    PeopleRange,
    Proposal,
    Question,
    check_times,
    local_moment,
    reporter_status,
    time_left,
)
from bot.domain.extract import Facts
from bot.domain.requests import DecisionRefused, request_id
from bot.services.breaches import (
    PREFIX,
    BreachNotFound,
    NotPrivacyOffice,
    Reached,
    act,
    add_to_report,
    own_report,
    reached,
    report,
    view,
)
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text, texts_for
from dialogs import breach_view
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.breach_view import duration
from dialogs.forms import Field, Form, Prefill, Reader, clean_text
from dialogs.registry import VerbRegistry
from dialogs.requests_view import when

log = logging.getLogger(__name__)

REQUIRED = Field("requiredHeading", "heading", "dataleak.required_heading")
DESCRIPTION = Field(
    "description",
    "multiline",
    "dataleak.description",
    placeholder="dataleak.description_placeholder",
    max_length=2000,
    required=True,
)
OCCURRED_DATE = Field("occurredDate", "date", "dataleak.occurred_date", required=True)
OCCURRED_TIME = Field("occurredTime", "time", "dataleak.occurred_time", required=True)
DISCOVERED_DATE = Field("discoveredDate", "date", "dataleak.discovered_date", required=True)
DISCOVERED_TIME = Field("discoveredTime", "time", "dataleak.discovered_time", required=True)
ONGOING = Field(
    "ongoing", "choice", "dataleak.ongoing", "dataleak.answers3", required=True, expanded=True
)
OPTIONAL = Field("optionalHeading", "heading", "dataleak.optional_heading")
KIND = Field("kind", "choice", "dataleak.kind", "dataleak.kinds")
DATA_KINDS = Field("dataKinds", "multichoice", "dataleak.data_kinds", "dataleak.data")
PEOPLE = Field("people", "choice", "dataleak.people", "dataleak.people_ranges")
ENCRYPTED = Field("encrypted", "choice", "dataleak.encrypted", "dataleak.answers3")
MEASURES = Field(
    "measures",
    "multiline",
    "dataleak.measures",
    placeholder="dataleak.measures_placeholder",
    max_length=1000,
)

FORM = Form(
    title="dataleak.title",
    intro="dataleak.intro",
    fields=(
        REQUIRED,
        DESCRIPTION,
        OCCURRED_DATE,
        OCCURRED_TIME,
        DISCOVERED_DATE,
        DISCOVERED_TIME,
        ONGOING,
        OPTIONAL,
        KIND,
        DATA_KINDS,
        PEOPLE,
        ENCRYPTED,
        MEASURES,
    ),
    submit_verb="dataleak.submit",
    submit_title="dataleak.submit",
)
MAX_ADDITION = 1000


def _error(reader: Reader, field: Field, code: str) -> None:
    reader.errors.setdefault(field.id, text(reader.locale, f"dataleak.errors.{code}"))


def read_report(
    data: Mapping[str, Any], locale: str, now: datetime
) -> tuple[LeakFacts | None, Reader]:
    """The report on the form, or None with the reader's errors (values always kept)."""
    form = Reader(data, locale)
    description = form.text(DESCRIPTION)
    today = now.astimezone(AMSTERDAM).date()
    occurred_day = form.day(OCCURRED_DATE, today, allow_future=True)
    occurred_time = form.time_of_day(OCCURRED_TIME)
    discovered_day = form.day(DISCOVERED_DATE, today, allow_future=True)
    discovered_time = form.time_of_day(DISCOVERED_TIME)
    ongoing = form.choice(ONGOING, [a.value for a in Answer3])
    kind = form.choice(KIND, [k.value for k in LeakKind])
    data_kinds = form.choices(DATA_KINDS, [k.value for k in DataKind])
    people = form.choice(PEOPLE, [p.value for p in PeopleRange])
    encrypted = form.choice(ENCRYPTED, [a.value for a in Answer3])
    measures = form.text(MEASURES)
    occurred = discovered = None
    if occurred_day is not None and occurred_time is not None:
        occurred = local_moment(occurred_day, occurred_time)
    if discovered_day is not None and discovered_time is not None:
        discovered = local_moment(discovered_day, discovered_time)
    if occurred is not None and discovered is not None:
        problems = check_times(occurred, discovered, now)
        if "occurred" in problems:
            _error(form, OCCURRED_DATE, problems["occurred"])
        if "discovered" in problems:
            _error(form, DISCOVERED_DATE, problems["discovered"])
    if form.errors or occurred is None or discovered is None:
        return None, form
    facts = LeakFacts(
        description=description,
        occurred_at=occurred,
        discovered_at=discovered,
        ongoing=Answer3(ongoing),
        kind=LeakKind(kind) if kind else None,
        data_kinds=tuple(DataKind(k) for k in data_kinds),
        people=PeopleRange(people) if people else None,
        encrypted=Answer3(encrypted) if encrypted else None,
        measures=measures,
    )
    return facts, form


def form_card(locale: str, now: datetime) -> Card:
    """A fresh form; both moments start at 'now', the common case for someone reporting."""
    local = now.astimezone(AMSTERDAM)
    day, clock = local.date().isoformat(), local.strftime("%H:%M")
    values = {
        OCCURRED_DATE.id: day,
        OCCURRED_TIME.id: clock,
        DISCOVERED_DATE.id: day,
        DISCOVERED_TIME.id: clock,
    }
    return FORM.card(locale, uuid.uuid4().hex, values)


def prefill(facts: Facts, sentence: str, now: datetime) -> Prefill:
    """What happened (the sentence itself) and, when it says so, the day it happened."""
    values = {DESCRIPTION.id: clean_text(sentence)[: DESCRIPTION.max_length]}
    if facts.day is not None and facts.day <= now.astimezone(AMSTERDAM).date():
        values[OCCURRED_DATE.id] = facts.day.isoformat()
    return Prefill(values)


async def open_form(action: CardAction, services: Services) -> Card:
    """The form; with `prefill` data (from a typed sentence) filled in, all editable."""
    suggested = FORM.prefill(action.data)
    if not suggested.values:
        return form_card(action.actor.locale, services.clock())
    locale = action.actor.locale
    local = services.clock().astimezone(AMSTERDAM)
    day, clock = local.date().isoformat(), local.strftime("%H:%M")
    values = {
        OCCURRED_DATE.id: day,
        OCCURRED_TIME.id: clock,
        DISCOVERED_DATE.id: day,
        DISCOVERED_TIME.id: clock,
        **suggested.values,
    }
    notes = [text(locale, "dataleak.preview")]
    return FORM.card(locale, uuid.uuid4().hex, values, notes=notes, prefilled=True)


async def submit_report(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    raw_form_id = action.data.get("formId")
    form_id = raw_form_id if isinstance(raw_form_id, str) and 0 < len(raw_form_id) <= 64 else ""
    form_id = form_id or uuid.uuid4().hex
    facts, reader = read_report(action.data, locale, services.clock())
    if facts is None:
        banner = text(locale, "requests.form_has_errors")
        return FORM.card(locale, form_id, reader.values, reader.errors, banner)
    if not action.actor.user_id or not action.actor.tenant_id:
        return FORM.card(locale, form_id, reader.values, {}, text(locale, "dataleak.no_identity"))
    try:
        result = await report(services, PRESENTER, action.actor, facts, form_id)
    except StorageError as error:
        reference = request_id(PREFIX, action.actor.tenant_id, action.actor.user_id, form_id)
        log_storage_failure(action.verb, reference, error)
        banner = text(locale, "errors.storage_unavailable")
        return FORM.card(locale, form_id, reader.values, {}, banner)
    note, call = await honest_note(services, result.breach, locale)
    if not result.created:
        note = text(locale, "dataleak.receipt.repeat") + " " + note
    return receipt_card(result.breach, locale, note, call=call)


# --- How a report reads -------------------------------------------------------------------


def deadline_line(breach: Breach, locale: str, now: datetime) -> tuple[str, str]:
    """The AP deadline in Amsterdam time with the time left, and the container style."""
    left = time_left(breach.clock_start, now)
    if left < timedelta(0):
        remaining, style = (
            text(locale, "dataleak.office.overdue", time=duration(left, locale)),
            "attention",
        )
    else:
        remaining = text(locale, "dataleak.office.left", time=duration(left, locale))
        style = "warning" if left < timedelta(hours=24) else "emphasis"
    line = text(
        locale, "dataleak.office.deadline", deadline=when(breach.deadline, locale), left=remaining
    )
    return line, style


def report_facts(breach: Breach, locale: str, office: bool) -> list[dict[str, str]]:
    t = texts_for(locale)["dataleak"]
    f = breach.facts
    rows: list[tuple[str, str]] = []
    if office:
        rows.append(("reporter", breach.reporter.name or "?"))
        rows.append(("reported", when(breach.reported_at, locale)))
    rows += [
        ("description", f.description),
        ("occurred", when(f.occurred_at, locale)),
        ("discovered", when(f.discovered_at, locale)),
        ("ongoing", t["answers3"][f.ongoing.value]),
    ]
    if f.kind:
        rows.append(("kind", t["kinds"][f.kind.value]))
    if f.data_kinds:
        rows.append(("data_kinds", ", ".join(t["data"][k.value] for k in f.data_kinds)))
    if f.people:
        rows.append(("people", t["people_ranges"][f.people.value]))
    if f.encrypted:
        rows.append(("encrypted", t["answers3"][f.encrypted.value]))
    if f.measures:
        rows.append(("measures", f.measures))
    return [{"title": t["facts"][key], "value": value} for key, value in rows]


def _decision_lines(decision: Decision | None, key: str, locale: str) -> list[str]:
    if decision is None:
        return [text(locale, "dataleak.office.status.ap_open")] if key == "ap" else []
    variant = f"{key}_yes" if decision.yes else f"{key}_no"
    if decision.late:
        variant += "_late"
    lines = [
        text(
            locale,
            f"dataleak.office.status.{variant}",
            who=decision.by.name or "?",
            date=when(decision.at, locale),
        )
    ]
    if decision.reason:
        lines.append(text(locale, "dataleak.office.status.reason", reason=decision.reason))
    return lines


def status_lines(breach: Breach, locale: str) -> list[dict[str, str]]:
    lines: list[str] = []
    if breach.acknowledged is None:
        lines.append(text(locale, "dataleak.office.status.reported"))
    else:
        mark = breach.acknowledged
        lines.append(
            text(
                locale,
                "dataleak.office.status.acknowledged",
                who=mark.by.name or "?",
                date=when(mark.at, locale),
            )
        )
    lines += _decision_lines(breach.ap, "ap", locale)
    lines += _decision_lines(breach.subjects, "subjects", locale)
    if breach.closed is not None:
        lines.append(
            text(
                locale,
                "dataleak.office.status.closed",
                who=breach.closed.by.name or "?",
                date=when(breach.closed.at, locale),
            )
        )
    return [{"text": line} for line in lines]


def _additions(breach: Breach, locale: str) -> list[dict[str, str]]:
    return [{"text": f"{when(a.at, locale)}: {a.text}"} for a in breach.additions]


class OfficePresenter:
    """The privacy office's card (see bot.services.breaches.BreachPresenter)."""

    def office_card(
        self,
        breach: Breach,
        locale: str,
        now: datetime,
        reminder: int = 0,
        fallback: bool = False,
        error: str = "",
        reason: str = "",
        values: Mapping[str, str] | None = None,
        notice: str = "",
        proposal: Proposal | None = None,
    ) -> dict[str, Any]:
        """The case card. `values` keeps what the officer typed (after a refusal); `proposal`
        previews an assessment of the typed factors."""
        deadline, style = deadline_line(breach, locale, now) if breach.clock_running else ("", "")
        reminder_text = ""
        if reminder:
            hours = REMINDER_HOURS[min(reminder, len(REMINDER_HOURS)) - 1]
            reminder_text = text(locale, "dataleak.office.reminder", hours=hours)
        can_act = not fallback and breach.status is not BreachStatus.CLOSED
        return render(
            "breach",
            locale,
            {
                "heading": text(
                    locale, "dataleak.office.heading", reporter=breach.reporter.name or "?"
                )
                + f" · {SECTION}",
                "reminder": reminder_text,
                "fallback": fallback,
                "deadline": deadline,
                "deadlineStyle": style or "default",
                "facts": report_facts(breach, locale, office=True),
                "additions": _additions(breach, locale),
                "statusLines": status_lines(breach, locale),
                "error": error,
                "reasonValue": reason,
                "canAct": can_act,
                "canAcknowledge": breach.acknowledged is None,
                "pointer": {"breachId": breach.id},
                "reference": breach.id,
                **self._dossier(breach, locale, now, can_act, values or {}, proposal, fallback),
                "notice": notice,
            },
        )

    def _dossier(
        self,
        breach: Breach,
        locale: str,
        now: datetime,
        can_act: bool,
        typed: Mapping[str, str],
        proposal: Proposal | None,
        fallback: bool = False,
    ) -> dict[str, Any]:
        """The dossier's parts; the fallback (not in the privacy office) sees none of them."""
        contact = office_contact(breach, locale)
        aware = breach.clock_start.astimezone(AMSTERDAM)
        nl, en = breach_view.letter_texts(breach, contact)
        factors = breach_view.first_factors(breach)
        values: dict[str, str] = {
            "awareDate": aware.date().isoformat(),
            "awareTime": aware.strftime("%H:%M"),
            "consequences": breach.consequences,
            "measuresTaken": breach.measures,
            **breach_view.factor_values(factors),
            "riskDecision": "",
            "riskReason": "",
            "apDate": "",
            "apTime": "",
            "apReference": "",
            "apLateReason": "",
            "apUpdate": "",
            "letterNl": nl,
            "letterEn": en,
            "question": "",
        }
        values.update({k: v for k, v in typed.items() if k in values})
        if breach.aware is None:
            aware_line = text(locale, "dataleak.case.aware_unset")
        else:
            aware_line = text(
                locale,
                "dataleak.case.aware_set",
                date=when(breach.aware.at, locale),
                who=breach.aware.recorded.by.name or "?",
            )
        shown = proposal or breach_view.preview(factors)
        notified = breach.notification is not None
        return {
            "values": values,
            "awareLine": aware_line,
            "dossierShown": not fallback,
            "questions": [] if fallback else breach_view.questions(breach, locale),
            "assessmentLines": breach_view.assessment_lines(breach, locale),
            "proposalLines": breach_view.proposal_lines(shown, locale),
            "categoryChoices": breach_view.category_choices(locale),
            "peopleChoices": breach_view.people_choices(locale),
            "riskChoices": breach_view.risk_choices(locale),
            "apShown": not fallback and (breach.must_notify or notified),
            "apClock": "" if notified else breach_view.clock_line(breach, locale, now),
            "apForm": breach_view.ap_form(breach, locale, contact),
            "notificationLines": breach_view.notification_lines(breach, locale),
            "canReport": can_act and not notified,
            "canUpdate": can_act and notified and not breach.withdrawn,
            "letterShown": can_act
            and (breach.high_risk or bool(breach.subjects and breach.subjects.yes)),
        }

    def question_card(self, breach: Breach, question: Question, locale: str) -> dict[str, Any]:
        return question_card(breach, question, locale)

    def delivered_card(self, breach: Breach, reached: Reached, locale: str) -> dict[str, Any]:
        note = text(
            locale,
            f"dataleak.receipt.now_{reached.role or 'officer'}",
            reference=breach.id,
            names=", ".join(reached.names),
        )
        return receipt_card(breach, locale, note)


def office_contact(breach: Breach, locale: str) -> str:
    """Whom the AP and the people affected can contact: the privacy officer who handles it."""
    handler = breach.acknowledged.by.name if breach.acknowledged else ""
    return text(locale, "dataleak.letter.contact", name=handler or "—")


def question_card(
    breach: Breach, question: Question, locale: str, error: str = "", typed: str = ""
) -> Card:
    """The reporter's card: the privacy officer's question, and a box for the answer."""
    answered = bool(question.answer)
    return render(
        "breach_question",
        locale,
        {
            "intro": text(locale, "dataleak.questions.intro", reference=breach.id),
            "question": question.text,
            "asked": when(question.asked.at, locale),
            "answered": answered,
            "answerLine": text(
                locale,
                "dataleak.questions.your_answer",
                date=when(question.answered_at, locale),
                text=question.answer,
            )
            if answered
            else "",
            "error": error,
            "typed": typed,
            "data": {"breachId": breach.id, "question": str(question.number)},
        },
    )


PRESENTER = OfficePresenter()


CONTACT_KEY = "privacy_office"  # `contacts.privacy_office` in the directory: whom to call


def receipt_card(
    breach: Breach,
    locale: str,
    note: str,
    error: str = "",
    addition: str = "",
    call: Mapping[str, str] | None = None,
) -> Card:
    """The reporter's view of their report: reference, status (received, being assessed,
    closed), what happens next, the questions asked of them, and a way to add to it. Never the
    privacy office's notes, reasons or assessment."""
    points = texts_for(locale)["dataleak"]["receipt"]["next"]
    status = texts_for(locale)["dataleak"]["receipt"]["statuses"][reporter_status(breach)]
    asked = [
        {
            "text": text(
                locale, "dataleak.questions.asked", date=when(q.asked.at, locale), text=q.text
            ),
            "answer": text(
                locale,
                "dataleak.questions.your_answer",
                date=when(q.answered_at, locale),
                text=q.answer,
            )
            if q.answer
            else text(locale, "dataleak.questions.open"),
            "open": not q.answer,
            "data": {"breachId": breach.id, "question": str(q.number)},
        }
        for q in breach.questions
    ]
    return render(
        "breach_receipt",
        locale,
        {
            "note": note,
            "error": error,
            "reference": breach.id,
            "status": text(locale, "dataleak.receipt.status", status=status),
            "call": dict(call) if call else {},
            "next": [{"text": p} for p in points],
            "facts": report_facts(breach, locale, office=False),
            "additions": _additions(breach, locale),
            "questions": asked,
            "addition": addition,
            "pointer": {"breachId": breach.id},
        },
    )


async def honest_note(
    services: Services, breach: Breach, locale: str
) -> tuple[str, dict[str, str] | None]:
    """What the receipt says about delivery, and whom to call when the privacy office does
    not have the report yet (a tappable phone number from the directory)."""
    who = await reached(services, breach)
    names = ", ".join(who.names)
    if breach.delivery is Delivery.DELIVERED and who.role in ("officer", "deputy"):
        return text(locale, f"dataleak.receipt.delivered_{who.role}", names=names), None
    contact = await services.directory.contact(breach.tenant_id, CONTACT_KEY)
    call = None
    name = text(locale, "dataleak.receipt.privacy_office")
    if contact is not None:
        name = contact.name
        if contact.phone:
            number = "".join(c for c in contact.phone if c.isdigit() or c == "+")
            call = {
                "title": text(
                    locale, "dataleak.receipt.call", name=contact.name, phone=contact.phone
                ),
                "url": f"tel:{number}",
            }
    key = "rerouted" if who.role == "fallback" else "undelivered"
    phone = contact.phone if contact is not None and contact.phone else ""
    line = text(locale, f"dataleak.receipt.{key}", names=names, name=name)
    if phone:
        line += " " + text(locale, "dataleak.receipt.call_now", name=name, phone=phone)
    log.warning("receipt of %s: the privacy office does not have it yet", breach.id)
    return line, call


# --- Actions on a report ------------------------------------------------------------------


def pointer(action: CardAction) -> str | None:
    """Which report the card is about. A pointer only: who may act is checked in storage."""
    rid = action.data.get("breachId")
    if isinstance(rid, str) and 0 < len(rid) <= 40:
        return rid
    return None


def _typed(action: CardAction, key: str, limit: int) -> str:
    raw = action.data.get(key)
    if not isinstance(raw, str):
        return ""
    return clean_text(raw)[:limit]


def refusal(locale: str, code: str) -> Card:
    return render("error", locale, {"message": text(locale, f"dataleak.refused.{code}")})


def _office_action(kind: BreachAction):  # type: ignore[no-untyped-def]
    async def handler(action: CardAction, services: Services) -> Card:
        locale = action.actor.locale
        rid = pointer(action)
        if rid is None:
            return refusal(locale, "not_found")
        reason = _typed(action, "reason", 1000)
        try:
            breach = await act(
                services, PRESENTER, action.actor, rid, kind, reason, action.message_id
            )
        except NotPrivacyOffice:
            return refusal(locale, "not_privacy_office")
        except BreachNotFound:
            return refusal(locale, "not_found")
        except DecisionRefused as refused:
            # The card stays (with what was typed), so nothing is lost.
            current = await view(services, action.actor, rid)
            message = text(locale, f"dataleak.refused.{refused.code}")
            typed = breach_view.kept(action)
            return PRESENTER.office_card(
                current, locale, services.clock(), error=message, reason=reason, values=typed
            )
        return PRESENTER.office_card(breach, locale, services.clock())

    return handler


async def office_view(action: CardAction, services: Services) -> Breach | Card:
    """The report the card points at, for the privacy office only; else the refusal card."""
    locale = action.actor.locale
    rid = pointer(action)
    if rid is None:
        return refusal(locale, "not_found")
    try:
        return await view(services, action.actor, rid)
    except NotPrivacyOffice:
        return refusal(locale, "not_privacy_office")
    except BreachNotFound:
        return refusal(locale, "not_found")


async def view_report(action: CardAction, services: Services) -> Card:
    """A report from the register, for the privacy office only."""
    breach = await office_view(action, services)
    if not isinstance(breach, Breach):
        return breach
    return PRESENTER.office_card(breach, action.actor.locale, services.clock())


async def add_information(action: CardAction, services: Services) -> Card:
    """The reporter adds to their own report; the privacy office's cards are updated."""
    locale = action.actor.locale
    rid = pointer(action)
    if rid is None:
        return refusal(locale, "not_found")
    addition = _typed(action, "addition", MAX_ADDITION)
    try:
        own = await own_report(services, action.actor, rid)
    except BreachNotFound:
        # Someone else's report does not exist as far as this person is concerned.
        return render("error", locale, {"message": text(locale, "dataleak.receipt.not_reporter")})
    if not addition:
        error = text(locale, "dataleak.errors.addition_empty")
        return receipt_card(own, locale, text(locale, "dataleak.receipt.yours"), error)
    try:
        breach = await add_to_report(services, PRESENTER, action.actor, rid, addition)
    except DecisionRefused as refused:
        error = text(locale, f"dataleak.errors.{refused.code}")
        yours = text(locale, "dataleak.receipt.yours")
        return receipt_card(own, locale, yours, error, addition)
    except StorageError as failure:
        log_storage_failure(action.verb, rid, failure)
        error = text(locale, "errors.storage_unavailable")
        yours = text(locale, "dataleak.receipt.yours")
        return receipt_card(own, locale, yours, error, addition)
    return receipt_card(breach, locale, text(locale, "dataleak.receipt.added"))


def register(registry: VerbRegistry) -> None:
    registry.add("dataleak.open", open_form)
    registry.add("dataleak.submit", submit_report)
    registry.add("dataleak.add", add_information)
    registry.add("dataleak.view", view_report)
    for kind in BreachAction:
        registry.add(f"dataleak.{kind.value}", _office_action(kind))
