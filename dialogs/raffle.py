"""The raffle of handed-in gifts (§2): announced and drawn from the collection card by the
secretariat or the integrity officer (role checked in the directory for the authenticated
person); its record is open to every employee: "Doe ik mee?", past raffles, checking a draw."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.domain.raffle import verify
from bot.services.context import Services
from bot.services.raffle import (
    AlreadyAnnounced,
    NotAnnounced,
    NothingToRaffle,
    Part,
    RaffleBusy,
    announce_raffle,
    my_part,
    run_raffle,
)
from bot.storage.errors import StorageError
from bot.storage.raffles import Prize, RaffleRecord
from cards import render, text
from dialogs import collection
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.registry import VerbRegistry
from dialogs.requests_view import when
from dialogs.roles import requires


def winner_card(prize: Prize, locale: str) -> dict[str, Any]:
    message = text(locale, "raffle.win_message", gift=prize.description)
    return render("raffle_win", locale, {"message": message})


def result_card(raffle: RaffleRecord, locale: str) -> Card:
    """Who won what, who was (not) told, who was left out and why, and how to check it."""
    prizes = []
    for prize in raffle.prizes:
        if prize.removed:
            prizes.append(
                {
                    "description": prize.description,
                    "winner": removed_text(prize, locale),
                    "told": text(locale, "raffle.removed_nobody"),
                    "toldColor": "Default",
                }
            )
            continue
        reason = prize.not_notified_reason
        known = reason in ("no_reference", "RecipientUnreachable", "DeliveryFailed")
        told = (
            text(locale, "raffle.told")
            if prize.notified
            else text(
                locale,
                "raffle.not_told",
                reason=text(locale, f"raffle.reasons.{reason if known else 'unknown'}"),
            )
        )
        prizes.append(
            {
                "description": prize.description,
                "winner": text(locale, "raffle.winner", name=prize.winner_name or prize.winner_id),
                "told": told,
                "toldColor": "Good" if prize.notified else "Attention",
            }
        )
    excluded = [
        {"text": f"{e.name or e.person_id}: {text(locale, f'raffle.excluded_reasons.{e.reason}')}"}
        for e in raffle.excluded
    ]
    summary = text(
        locale,
        "raffle.summary",
        date=when(raffle.drawn_at, locale),
        participants=len(raffle.participants),
        gifts=sum(1 for p in raffle.prizes if not p.removed),
    )
    proof = text(locale, "raffle.proof", id=raffle.id, seed=raffle.seed, algorithm=raffle.algorithm)
    return render(
        "raffle",
        locale,
        {"summary": summary, "prizes": prizes, "excluded": excluded, "proof": proof},
    )


def _message(locale: str, key: str) -> Card:
    return render("error", locale, {"message": text(locale, f"raffle.{key}")})


@requires(collection.ALLOWED, "raffle.not_allowed")
async def run(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        raffle = await run_raffle(services, action.actor, winner_card)
    except NothingToRaffle:
        return _message(locale, "nothing")
    except RaffleBusy:
        return _message(locale, "busy")
    except NotAnnounced:
        return _message(locale, "announce_first")
    return result_card(raffle, locale)


log = logging.getLogger(__name__)
CODE_LIMIT = 20_000  # characters of a record shown on a card (Teams: 28 KB a card)
HISTORY = 10  # raffles on the list


def removed_text(prize: Prize, locale: str) -> str:
    """A gift taken out after the list was published: when, and that nobody wins it."""
    reason = prize.removed_reason if prize.removed_reason in ("returned", "gone") else "gone"
    return text(
        locale,
        f"raffle.removed.{reason}",
        date=when(prize.removed_at, locale) if prize.removed_at else "",
    )


def _gift_lines(raffle: RaffleRecord, locale: str) -> list[str]:
    lines = []
    for p in raffle.prizes:
        if p.removed:
            lines.append(f"• {p.description}: {removed_text(p, locale)}")
        elif raffle.drawn:
            lines.append(f"• {p.description}: {p.winner_name or text(locale, 'raffle.someone')}")
        else:
            lines.append(f"• {p.description}")
    return lines


def _pointer(raffle: RaffleRecord) -> dict[str, str]:
    return {"raffle": raffle.id}


def announcement_card(raffle: RaffleRecord, locale: str) -> Card:
    """What every participant gets before the draw: the gifts, the commitment, "Doe ik mee?"."""
    return render(
        "raffle_list",
        locale,
        {
            "title": text(locale, "raffle.announcement_title"),
            "lines": [
                text(locale, "raffle.announcement_intro", gifts=len(raffle.prizes)),
                *_gift_lines(raffle, locale),
                text(locale, "raffle.commitment", commitment=raffle.commitment),
            ],
            "raffles": [
                {
                    "heading": "",
                    "lines": [],
                    "buttons": [
                        {
                            "title": text(locale, "raffle.check"),
                            "verb": "raffle.check",
                            "data": _pointer(raffle),
                        }
                    ],
                }
            ],
            "code": "",
        },
    )


def _entry(raffle: RaffleRecord, locale: str) -> dict[str, Any]:
    if raffle.drawn:
        heading = text(locale, "raffle.drawn_heading", date=when(raffle.drawn_at, locale))
        lines = [
            *_gift_lines(raffle, locale),
            text(locale, "raffle.commitment", commitment=raffle.commitment or "-"),
            text(locale, "raffle.seed", seed=raffle.seed),
            text(locale, "raffle.participants", count=len(raffle.participants)),
        ]
        buttons = [
            {
                "title": text(locale, "raffle.check"),
                "verb": "raffle.check",
                "data": _pointer(raffle),
            },
            {
                "title": text(locale, "raffle.verify"),
                "verb": "raffle.verify",
                "data": _pointer(raffle),
            },
            {
                "title": text(locale, "raffle.record"),
                "verb": "raffle.record",
                "data": _pointer(raffle),
            },
        ]
    else:
        heading = text(locale, "raffle.announced_heading", date=when(raffle.announced_at, locale))
        lines = [
            *_gift_lines(raffle, locale),
            text(locale, "raffle.commitment", commitment=raffle.commitment),
            text(locale, "raffle.participants", count=len(raffle.participants)),
        ]
        buttons = [
            {
                "title": text(locale, "raffle.check"),
                "verb": "raffle.check",
                "data": _pointer(raffle),
            }
        ]
    return {"heading": heading, "lines": lines, "buttons": buttons}


def _list(locale: str, title: str, lines: list[str], raffles: list[dict[str, Any]],
          code: str = "") -> Card:  # fmt: skip
    return render(
        "raffle_list",
        locale,
        {"title": title, "lines": lines, "raffles": raffles, "code": code},
    )


async def _read(action: CardAction, services: Services) -> RaffleRecord | None:
    rid = action.data.get("raffle")
    if not isinstance(rid, str) or not 0 < len(rid) <= 60:
        return None
    return await services.raffles.get(action.actor.tenant_id, rid)


@requires(collection.ALLOWED, "raffle.not_allowed")
async def announce(action: CardAction, services: Services) -> Card:
    locale = action.actor.locale
    try:
        raffle, reached = await announce_raffle(services, action.actor, announcement_card)
    except NothingToRaffle:
        return _message(locale, "nothing")
    except RaffleBusy:
        return _message(locale, "busy")
    except AlreadyAnnounced as pending:
        raffle, reached = pending.raffle, -1
    except StorageError as error:
        log_storage_failure("raffle.announce", "", error)
        return _message(locale, "storage")
    lines = [
        text(locale, "raffle.announced_to", reached=reached, count=len(raffle.participants))
        if reached >= 0
        else text(locale, "raffle.already_announced")
    ]
    card = _list(locale, text(locale, "raffle.announced_title"), lines, [_entry(raffle, locale)])
    card["actions"].insert(
        0,
        {
            "type": "Action.Execute",
            "title": text(locale, "raffle.run"),
            "verb": "raffle.run",
            "style": "positive",
        },
    )
    return card


async def open_raffles(action: CardAction, services: Services) -> Card:
    """Every employee: the raffles, newest first (announced ones without their seed)."""
    locale = action.actor.locale
    try:
        raffles = (await services.raffles.all(action.actor.tenant_id))[:HISTORY]
    except StorageError as error:
        log_storage_failure("raffle.open", "", error)
        return _message(locale, "storage")
    lines = [text(locale, "raffle.list_intro" if raffles else "raffle.none_yet")]
    return _list(
        locale, text(locale, "raffle.list_title"), lines, [_entry(r, locale) for r in raffles]
    )


def part_lines(raffle: RaffleRecord, part: Part, locale: str) -> list[str]:
    """ "Doe ik mee?" in words: on the list or not (and why), and after the draw what the
    person won (the card and the tab say it alike)."""
    if part.listed:
        lines = [text(locale, "raffle.you_are_in", count=len(raffle.participants))]
    elif part.left_out:
        reason = text(locale, f"raffle.excluded_reasons.{part.left_out}")
        lines = [text(locale, "raffle.you_are_out", reason=reason)]
    else:
        lines = [
            text(
                locale,
                "raffle.you_are_not_listed",
                date=when(raffle.announced_at or raffle.drawn_at, locale),
            )
        ]
    if raffle.drawn and part.listed:
        lines.append(
            text(locale, "raffle.you_won", gifts=", ".join(p.description for p in part.won))
            if part.won
            else text(locale, "raffle.you_did_not_win")
        )
    return lines


async def check(action: CardAction, services: Services) -> Card:
    """ "Doe ik mee?": whether the person who clicked is on the raffle's list, and if not why."""
    locale = action.actor.locale
    rid = action.data.get("raffle")
    found = await my_part(services, action.actor, rid if isinstance(rid, str) else "")
    if found is None:
        return _message(locale, "unknown")
    raffle, part = found
    lines = part_lines(raffle, part, locale)
    return _list(locale, text(locale, "raffle.check_title"), lines, [_entry(raffle, locale)])


async def check_draw(action: CardAction, services: Services) -> Card:
    """Re-run the draw from the stored record, as anyone can with `python -m bot.verify_raffle`."""
    locale = action.actor.locale
    raffle = await _read(action, services)
    if raffle is None or not raffle.drawn:
        return _message(locale, "unknown")
    problems = verify(raffle.published())
    lines = (
        [text(locale, "raffle.verified", count=sum(1 for p in raffle.prizes if not p.removed))]
        if not problems
        else [text(locale, "raffle.not_verified"), *problems]
    )
    return _list(locale, text(locale, "raffle.verify_title"), lines, [_entry(raffle, locale)])


async def record(action: CardAction, services: Services) -> Card:
    """The published record as JSON, to check with `python -m bot.verify_raffle <file>`."""
    locale = action.actor.locale
    raffle = await _read(action, services)
    if raffle is None or not raffle.drawn:
        return _message(locale, "unknown")
    code = json.dumps(raffle.published(), ensure_ascii=False, indent=1)
    lines = [text(locale, "raffle.record_intro")]
    if len(code) > CODE_LIMIT:
        lines.append(text(locale, "raffle.record_too_long"))
        code = ""
    return _list(locale, text(locale, "raffle.record_title"), lines, [], code)


def register(registry: VerbRegistry) -> None:
    registry.add("raffle.run", run)
    registry.add("raffle.announce", announce)
    registry.add("raffle.open", open_raffles)
    registry.add("raffle.check", check)
    registry.add("raffle.verify", check_draw)
    registry.add("raffle.record", record)
