"""Violations and measures (the code's introduction), a confidential register of its own: a
manager records a suspected violation by someone on their team; the director decides on a
measure and writes what the employee is told; the director and the integrity officer read it,
and every reading is on the record's trail. Nothing here is a request kind (docs/violations.md)."""

from __future__ import annotations

import uuid
from typing import Any

from bot.domain.people import Role
from bot.domain.violations import DECIDABLE, PROPOSABLE, Measure, Refused, Violation
from bot.services import violations as service
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import when

EMPLOYEE = Field("employee", "choice", "violations.employee", required=True)
RULE = Field("rule", "text", "violations.rule", max_length=160, required=True)
WHAT = Field("what", "multiline", "violations.what", max_length=3000, required=True)
PROPOSED = Field("proposed", "choice", "violations.proposed", "violations.proposals")
FORM = Form(
    "violations.title",
    "violations.intro",
    (EMPLOYEE, RULE, WHAT, PROPOSED),
    "violation.submit",
    "violations.submit",
)


def _form(
    locale: str,
    form_id: str,
    team: list[Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    banner: str = "",
) -> Card:
    card = FORM.card(locale, form_id, values, errors, banner)
    choices = [{"title": p.name, "value": p.id} for p in team]

    def fill(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == EMPLOYEE.id and node.get("type") == "Input.ChoiceSet":
                node["choices"] = choices
            for value in node.values():
                fill(value)
        elif isinstance(node, list):
            for item in node:
                fill(item)

    fill(card)
    return card


def _message(locale: str, key: str) -> Card:
    return render("error", locale, {"message": text(locale, key)})


def _no_team(locale: str) -> Card:
    """Not a manager: what this is for, and where a report of wrongdoing goes instead."""
    card = _message(locale, "violations.no_team")
    card["actions"].insert(
        0,
        {
            "type": "Action.Execute",
            "title": text(locale, "violations.to_concern"),
            "verb": "concern.open",
        },
    )
    return card


async def open_form(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        team = await service.team(services, action.actor)
    except StorageError as error:
        log_storage_failure("violation.open", "", error)
        return _message(locale, "errors.storage_unavailable")
    if not team:
        return _no_team(locale)
    return _form(locale, uuid.uuid4().hex, team)


async def submit(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    raw = action.data.get("formId")
    form_id = raw if isinstance(raw, str) and 0 < len(raw) <= 64 else uuid.uuid4().hex
    try:
        team = await service.team(services, action.actor)
    except StorageError as error:
        log_storage_failure("violation.submit", "", error)
        return _message(locale, "errors.storage_unavailable")
    if not team:
        return _no_team(locale)
    reader = Reader(action.data, locale)
    employee = reader.choice(EMPLOYEE, [p.id for p in team])
    rule = reader.text(RULE)
    what = reader.text(WHAT)
    proposed = reader.choice(PROPOSED, PROPOSABLE)
    if reader.errors:
        banner = text(locale, "requests.form_has_errors")
        return _form(locale, form_id, team, reader.values, reader.errors, banner)
    try:
        recorded = await service.record(
            services,
            action.actor,
            employee,
            rule,
            what,
            Measure(proposed) if proposed else None,
            form_id,
        )
    except Refused as refused:
        errors = {EMPLOYEE.id: text(locale, f"violations.refusals.{refused.code}")}
        return _form(locale, form_id, team, reader.values, errors)
    except StorageError as error:
        log_storage_failure("violation.submit", service.violation_id(action.actor, form_id), error)
        banner = text(locale, "errors.storage_unavailable")
        return _form(locale, form_id, team, reader.values, {}, banner)
    # The manager's receipt: that it is recorded and who decides; the director is not sent the
    # case (a card in a chat would be a reading not on the trail), it waits in the register.
    lines = [text(locale, "violations.recorded_text", reference=recorded.id)]
    try:
        missing = await service.missing_readers(services, action.actor.tenant_id)
    except StorageError as error:
        log_storage_failure("violation.submit", recorded.id, error)
        missing = ()
    if Role.DIRECTOR in missing:
        # Recorded all the same (nothing typed is lost); the manager is told whom to go to.
        nobody_reads = Role.INTEGRITY_OFFICER in missing
        key = "nobody" if nobody_reads else "director"
        lines.append(text(locale, f"violations.role_missing.{key}"))
    elif missing:
        lines.append(text(locale, "violations.role_missing.integrity_officer"))
    return render(
        "violations",
        locale,
        {
            "title": text(locale, "violations.recorded"),
            "lines": lines,
            "facts": [],
            "entries": [],
            "trail": [],
            "decide": False,
            "reader": False,
            "confidentialNote": True,
        },
    )


def _refusal(locale: str, refused: Refused) -> Card:
    return _message(locale, f"violations.refusals.{refused.code}")


async def open_register(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        listed = await service.register(services, action.actor)
    except Refused as refused:
        return _refusal(locale, refused)
    except StorageError as error:
        log_storage_failure("violation.register", "", error)
        return _message(locale, "errors.storage_unavailable")
    entries = [
        {
            "heading": text(
                locale,
                "violations.entry",
                reference=v.id,
                date=when(v.recorded_at, locale),
                name=v.employee_name,
                status=_status(v, locale),
            ),
            "data": {"violation": v.id},
        }
        for v in listed
    ]
    lines = [text(locale, "violations.register_intro" if listed else "violations.empty")]
    return render(
        "violations",
        locale,
        {
            "title": text(locale, "violations.register"),
            "lines": lines,
            "facts": [],
            "entries": entries,
            "trail": [],
            "decide": False,
            "reader": False,
            "confidentialNote": True,
        },
    )


def _status(v: Violation, locale: str) -> str:
    if v.decision is None:
        return text(locale, "violations.statuses.open")
    return text(locale, f"violations.measures.{v.decision.value}")


def view_card(
    v: Violation, locale: str, can_decide: bool, names: dict[str, str], error: str = "",
    values: dict[str, str] | None = None,
) -> Card:  # fmt: skip
    facts = [
        {"title": text(locale, "violations.facts.reference"), "value": v.id},
        {"title": text(locale, "violations.facts.employee"), "value": v.employee_name},
        {"title": text(locale, "violations.facts.manager"), "value": v.manager_name},
        {"title": text(locale, "violations.facts.recorded"), "value": when(v.recorded_at, locale)},
        {"title": text(locale, "violations.facts.rule"), "value": v.rule},
        {"title": text(locale, "violations.facts.what"), "value": v.what},
        {
            "title": text(locale, "violations.facts.proposed"),
            "value": text(locale, f"violations.measures.{v.proposed.value}")
            if v.proposed
            else text(locale, "violations.none_proposed"),
        },
        {"title": text(locale, "violations.facts.status"), "value": _status(v, locale)},
    ]
    if v.decided:
        facts.append(
            {
                "title": text(locale, "violations.facts.decided"),
                "value": f"{names.get(v.decided_by, v.decided_by)}, {when(v.decided_at, locale)}",
            }
        )
        facts.append(
            {
                "title": text(locale, "violations.facts.message"),
                "value": v.message or text(locale, "violations.nothing_told"),
            }
        )
    trail = [
        text(
            locale,
            f"violations.actions.{e.action}",
            date=when(e.at, locale),
            name=names.get(e.by, e.by),
        )
        for e in v.trail
    ]
    values = values or {}
    return render(
        "violations",
        locale,
        {
            "title": text(locale, "violations.case_title"),
            "lines": [],
            "facts": facts,
            "entries": [],
            "trail": trail,
            "decide": can_decide,
            "error": error,
            "measures": [
                {"title": text(locale, f"violations.measures.{m}"), "value": m} for m in DECIDABLE
            ],
            "measureValue": values.get("measure", ""),
            "messageValue": values.get("message", ""),
            "data": {"violation": v.id},
            "reader": True,
            "confidentialNote": True,
        },
    )


async def _names(services: Services, tenant_id: str) -> dict[str, str]:
    return {p.id: p.name for p in await services.directory.people(tenant_id)}


def _pointer(action: CardAction) -> str | None:
    vid = action.data.get("violation")
    return vid if isinstance(vid, str) and 0 < len(vid) <= 40 else None


async def show(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    vid = _pointer(action)
    if vid is None:
        return _message(locale, "violations.refusals.unknown")
    try:
        violation, can_decide = await service.view(services, action.actor, vid)
        names = await _names(services, action.actor.tenant_id)
    except Refused as refused:
        return _refusal(locale, refused)
    except StorageError as error:
        log_storage_failure("violation.view", vid, error)
        return _message(locale, "errors.storage_unavailable")
    return view_card(violation, locale, can_decide, names)


def notice_card(message: str, locale: str) -> Card:
    """All the employee is ever sent: the director's own words."""
    return render(
        "violations",
        locale,
        {
            "title": text(locale, "violations.notice_title"),
            "lines": [message],
            "facts": [],
            "entries": [],
            "trail": [],
            "decide": False,
            "reader": False,
            "confidentialNote": False,
        },
    )


async def decide(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    vid = _pointer(action)
    if vid is None:
        return _message(locale, "violations.refusals.unknown")
    reader = Reader(action.data, locale)
    measure = reader.choice(
        Field("measure", "choice", "violations.measure", required=True), DECIDABLE
    )
    message = reader.text(Field("message", "multiline", "violations.message", max_length=2000))
    try:
        if reader.errors:
            violation, can_decide = await service.view(services, action.actor, vid)
            names = await _names(services, action.actor.tenant_id)
            error = text(locale, "violations.refusals.measure")
            return view_card(violation, locale, can_decide, names, error, reader.values)
        decided = await service.decide_measure(
            services, action.actor, vid, Measure(measure), message, notice_card
        )
        names = await _names(services, action.actor.tenant_id)
    except Refused as refused:
        return _refusal(locale, refused)
    except StorageError as error:
        log_storage_failure("violation.decide", vid, error)
        return _message(locale, "errors.storage_unavailable")
    card = view_card(decided, locale, False, names)
    told = decided.trail[-1].action if decided.message else ""
    key = {"told": "violations.told", "not_told": "violations.not_told"}.get(
        told, "violations.nobody_told"
    )
    card["body"].insert(2, {"type": "TextBlock", "text": text(locale, key), "wrap": True})
    return card


def register(registry: VerbRegistry) -> None:
    registry.add("violation.open", open_form)
    registry.add("violation.submit", submit)
    registry.add("violation.register", open_register)
    registry.add("violation.view", show)
    registry.add("violation.decide", decide)
