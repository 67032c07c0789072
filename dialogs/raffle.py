"""The raffle of handed-in gifts, started from the collection card by the secretariat or the
integrity officer (role checked in the directory for the authenticated person)."""

from __future__ import annotations

from typing import Any

from bot.services.context import Services
from bot.services.raffle import NothingToRaffle, RaffleBusy, run_raffle
from bot.storage.raffles import Prize, RaffleRecord
from cards import render, text
from dialogs import collection
from dialogs.base import Card, CardAction
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
        gifts=len(raffle.prizes),
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
    return result_card(raffle, locale)


def register(registry: VerbRegistry) -> None:
    registry.add("raffle.run", run)
