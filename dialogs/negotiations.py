"""The "Onderhandelingen" screen: procurement or the integrity officer keep the list of parties
Woongroen is in talks or a tender with (add, change the end date, remove with confirmation,
import CSV). A gift or invitation from a listed party is set "in negotiation" by the bot (see
bot.services.negotiations). Only those roles see or change the list; the role is checked for
the authenticated person on every action.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.negotiations import MAX_NAME, LineError, Party, match_key, read_csv, read_party
from bot.services import negotiations as service
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.registry import VerbRegistry
from dialogs.roles import requires

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CAP = 100  # parties on the card
MAX_CSV = 60_000  # characters of an import kept and read
_FIELD_OF = {
    "name": "name",
    "kvk": "kvk",
    "start": "start",
    "end": "end",
}
log = logging.getLogger(__name__)


def day_text(day: date | str) -> str:
    """A date as people here write it: 01-09-2026."""
    if isinstance(day, str):
        try:
            return date.fromisoformat(day).strftime("%d-%m-%Y")
        except ValueError:
            return day
    return day.strftime("%d-%m-%Y")


def listed_line(party: str, period: str, locale: str) -> str:
    """ "In onderhandeling volgens de lijst van Inkoop (Vos B.V., 01-09-2026 t/m 31-12-2026)"."""
    start, _, end = period.partition("/")
    return text(locale, "gift.listed", party=party, start=day_text(start), end=day_text(end))


def _today(services: Services) -> date:
    return services.clock().astimezone(AMSTERDAM).date()


def _party_line(party: Party, locale: str, today: date) -> str:
    if party.end < today:
        state = text(locale, "negotiations.state.ended")
    elif party.start > today:
        state = text(locale, "negotiations.state.later")
    else:
        state = text(locale, "negotiations.state.running")
    line = text(locale, "negotiations.period", start=day_text(party.start), end=day_text(party.end))
    parts = [text(locale, "negotiations.kvk_line", kvk=party.kvk)] if party.kvk else []
    parts += [line, state]
    if party.added_by:
        parts.append(text(locale, "negotiations.by", name=party.added_by))
    return " · ".join(parts)


def list_card(
    parties: Sequence[Party],
    locale: str,
    today: date,
    message: str = "",
    good: bool = False,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    line_errors: Sequence[str] = (),
    confirm: Party | None = None,
    unavailable: bool = False,
) -> Card:
    """The list, the add form and the import box; `values` keeps what was typed;
    `unavailable`: the list could not be read (storage), so it is not said to be empty."""
    shown = sorted(parties, key=lambda p: (p.end < today, p.name.casefold()))[:CAP]
    rows = [
        {
            "name": p.name,
            "line": _party_line(p, locale, today),
            "field": f"end-{n}",
            "end": p.end.isoformat(),
            "data": {"key": p.key, "field": f"end-{n}"},
        }
        for n, p in enumerate(shown)
    ]
    if unavailable:
        count = text(locale, "negotiations.unavailable")
    elif not parties:
        count = text(locale, "negotiations.empty")
    elif len(parties) > CAP:
        count = text(locale, "negotiations.capped", count=len(parties), shown=CAP)
    else:
        count = text(locale, "negotiations.count", count=len(parties))
    typed = {k: "" for k in ("name", "kvk", "start", "end", "csv")}
    typed.update(values or {})
    return render(
        "negotiations",
        locale,
        {
            "message": message,
            "messageStyle": "good" if good else "attention",
            "lineErrors": [{"text": line} for line in line_errors],
            "confirm": confirm is not None,
            "confirmText": text(locale, "negotiations.remove_confirm", name=confirm.name)
            if confirm
            else "",
            "confirmData": {"key": confirm.key} if confirm else {},
            "count": count,
            "parties": rows,
            "values": typed,
            "errors": {k: (errors or {}).get(k, "") for k in ("name", "kvk", "start", "end")},
        },
    )


def _typed(data: Mapping[str, Any], key: str, limit: int = 400) -> str:
    value = data.get(key)
    return value[:limit] if isinstance(value, str) else ""


async def _screen(action: CardAction, services: Services, **shown: Any) -> Card:
    parties = await services.negotiations.parties(action.actor.tenant_id)
    return list_card(parties, action.actor.locale, _today(services), **shown)


async def _failed(action: CardAction, error: StorageError, values: Mapping[str, str]) -> Card:
    """Storage failed: say so, keep every value typed (the list itself cannot be shown)."""
    log_storage_failure(action.verb, "negotiations", error)
    locale = action.actor.locale
    message = text(locale, "errors.storage_unavailable")
    return list_card([], locale, date.today(), message, values=values, unavailable=True)


def _kept(data: Mapping[str, Any]) -> dict[str, str]:
    """What the person typed on the card, to show again."""
    kept = {k: _typed(data, k, MAX_NAME + 40) for k in ("name", "kvk", "start", "end")}
    kept["csv"] = _typed(data, "csv", MAX_CSV)
    return kept


KEEPERS = service.KEEPERS


@requires(KEEPERS, "negotiations.not_allowed")
async def open_list(action: CardAction, services: Services) -> Card:
    try:
        return await _screen(action, services)
    except StorageError as error:
        return await _failed(action, error, {})


@requires(KEEPERS, "negotiations.not_allowed")
async def add(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    values = _kept(action.data)
    typed = read_party(values["name"], values["kvk"], values["start"], values["end"])
    try:
        if typed.errors:
            errors: dict[str, str] = {}
            for code in typed.errors:
                field = code.split("_", 1)[0]
                errors.setdefault(
                    _FIELD_OF.get(field, "name"), text(locale, f"negotiations.errors.{code}")
                )
            message = text(locale, "negotiations.form_has_errors")
            return await _screen(action, services, message=message, values=values, errors=errors)
        party = await service.add_party(services, action.actor, typed)
        if party is None:
            existing = await services.negotiations.find(
                action.actor.tenant_id, match_key(typed.name)
            )
            name = existing.name if existing else typed.name
            errors = {"name": text(locale, "negotiations.errors.already_listed", name=name)}
            message = text(locale, "negotiations.form_has_errors")
            return await _screen(action, services, message=message, values=values, errors=errors)
        message = text(locale, "negotiations.added", name=party.name)
        return await _screen(
            action, services, message=message, good=True, values={"csv": values["csv"]}
        )
    except StorageError as error:
        return await _failed(action, error, values)


def line_error(error: LineError, locale: str) -> str:
    """ "Regel 3: de einddatum ligt voor de startdatum ("Vos;;2026-05-01;2026-04-01")"."""
    reasons = "; ".join(text(locale, f"negotiations.errors.{c}") for c in error.codes)
    if error.line == 0:
        return reasons
    return text(
        locale, "negotiations.line_error", line=error.line, reasons=reasons, text=error.text
    )


@requires(KEEPERS, "negotiations.not_allowed")
async def import_csv(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    values = _kept(action.data)
    raw = action.data.get("csv")
    if isinstance(raw, str) and len(raw) > MAX_CSV:
        message = text(locale, "negotiations.errors.csv_too_long", max=MAX_CSV)
        return await _safe_screen(action, services, values, message=message, values=values)
    read = read_csv(values["csv"])
    if read.errors:
        lines = [line_error(e, locale) for e in read.errors[:20]]
        if len(read.errors) > 20:
            lines.append(text(locale, "negotiations.more_errors", count=len(read.errors) - 20))
        message = text(locale, "negotiations.import_failed")
        return await _safe_screen(
            action, services, values, message=message, values=values, line_errors=lines
        )
    try:
        done = await service.import_parties(services, action.actor, read.parties)
    except StorageError as error:
        return await _failed(action, error, values)
    message = text(locale, "negotiations.imported", added=done.added, updated=done.updated)
    return await _safe_screen(action, services, {}, message=message, good=True)


async def _safe_screen(
    action: CardAction, services: Services, typed: Mapping[str, str], **shown: Any
) -> Card:
    try:
        return await _screen(action, services, **shown)
    except StorageError as error:
        return await _failed(action, error, typed)


def _key(data: Mapping[str, Any]) -> str:
    key = data.get("key")
    return key if isinstance(key, str) and 0 < len(key) <= 400 else ""


@requires(KEEPERS, "negotiations.not_allowed")
async def change_end(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    key = _key(action.data)
    field = action.data.get("field")
    raw = action.data.get(field) if isinstance(field, str) else None
    try:
        party = await services.negotiations.find(action.actor.tenant_id, key)
        if party is None:
            return await _screen(action, services, message=text(locale, "negotiations.gone"))
        typed = read_party(
            party.name, "", party.start.isoformat(), raw if isinstance(raw, str) else ""
        )
        end_errors = [c for c in typed.errors if c.startswith("end")]
        if end_errors or typed.end is None:
            reason = text(
                locale, f"negotiations.errors.{end_errors[0] if end_errors else 'end_required'}"
            )
            message = text(locale, "negotiations.end_refused", name=party.name, reason=reason)
            return await _screen(action, services, message=message)
        changed = await services.negotiations.set_end(
            action.actor.tenant_id, key, typed.end, action.actor.name, services.clock()
        )
        if changed is None:
            return await _screen(action, services, message=text(locale, "negotiations.gone"))
        message = text(
            locale, "negotiations.end_changed", name=changed.name, end=day_text(changed.end)
        )
        return await _screen(action, services, message=message, good=True)
    except StorageError as error:
        return await _failed(action, error, {})


@requires(KEEPERS, "negotiations.not_allowed")
async def ask_remove(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        party = await services.negotiations.find(action.actor.tenant_id, _key(action.data))
        if party is None:
            return await _screen(action, services, message=text(locale, "negotiations.gone"))
        return await _screen(action, services, confirm=party)
    except StorageError as error:
        return await _failed(action, error, {})


@requires(KEEPERS, "negotiations.not_allowed")
async def remove(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    key = _key(action.data)
    try:
        party = await services.negotiations.find(action.actor.tenant_id, key)
        if party is None:
            return await _screen(action, services, message=text(locale, "negotiations.gone"))
        await services.negotiations.remove(action.actor.tenant_id, key)
        log.info("a party was taken off the list of negotiations")
        message = text(locale, "negotiations.removed", name=party.name)
        return await _screen(action, services, message=message, good=True)
    except StorageError as error:
        return await _failed(action, error, {})


def register(registry: VerbRegistry) -> None:
    registry.add("negotiations.open", open_list)
    registry.add("negotiations.add", add)
    registry.add("negotiations.import", import_csv)
    registry.add("negotiations.end", change_end)
    registry.add("negotiations.remove_ask", ask_remove)
    registry.add("negotiations.remove", remove)
