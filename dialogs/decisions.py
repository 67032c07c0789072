"""Deciding on any request from its card: approve, decline, advise, refresh the view, withdraw."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.domain.choices import APPROVE, DECLINE
from bot.domain.kinds import Kinds
from bot.domain.requests import DecisionRefused, Status
from bot.services.approvals import (
    RequestNotFound,
    advise_request,
    colleagues,
    decide_request,
    load,
    withdraw_request,
)
from bot.services.context import Services
from bot.services.steps import confirm_returned
from bot.storage.errors import StorageError
from bot.storage.requests import sealed_request
from bot.storage.seal import MAX_SEALED
from cards import render, text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.forms import clean_text
from dialogs.registry import VerbRegistry
from dialogs.requests_view import CardPresenter, request_card

log = logging.getLogger(__name__)

# What is read of a typed field: well above every limit, so a text over its limit is refused
# whole with the reason (bot.domain.requests), never cut; bounded against abuse.
MAX_TYPED = 20_000

# (request id, requester id) -> the card to show
OnRequest = Callable[[str, str], Awaitable[Card]]


def refusal(locale: str, code: str) -> Card:
    return render("error", locale, {"message": text(locale, f"requests.refused.{code}")})


async def on_request(action: CardAction, work: OnRequest) -> Card:
    """Run `work` for the request the card points at, turning every refusal into a clear card.

    The pointer only says which request; who may act is always checked against storage."""
    locale = action.actor.locale
    rid = action.data.get("requestId")
    requester = action.data.get("requesterId")
    if not isinstance(rid, str) or not isinstance(requester, str) or not action.actor.user_id:
        return refusal(locale, "not_found")
    if not (0 < len(rid) <= 40 and 0 < len(requester) <= 64):
        return refusal(locale, "not_found")
    try:
        return await work(rid, requester)
    except RequestNotFound:
        log.info("%s on %r refused: not_found", action.verb, rid)
        return refusal(locale, "not_found")
    except DecisionRefused as refused:
        # Shown to the person, so written down too: the reference and the reason, no one's name.
        log.info("%s on %r refused: %s", action.verb, rid, refused.code)
        return refusal(locale, refused.code)
    except StorageError as error:
        log_storage_failure(action.verb, rid, error)
        return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})


def _typed(action: CardAction, key: str, limit: int) -> str:
    raw = action.data.get(key)
    return clean_text(raw)[:limit] if isinstance(raw, str) else ""


def _sealed(action: CardAction) -> str:
    """The sealed copy of the request the card's buttons carry (opened, or not, by the engine:
    anything else than what the bot sealed is ignored there)."""
    raw = action.data.get("sealed")
    return raw if isinstance(raw, str) and len(raw) <= MAX_SEALED else ""


def _decide(choice: str) -> Callable[[CardAction, Services], Awaitable[Card]]:
    """The handler of the button `request.<choice>` (which choices a request offers is the
    kind's to say; the engine refuses any other)."""

    async def handler(action: CardAction, services: Services) -> Card:
        async def work(rid: str, requester: str) -> Card:
            comment = _typed(action, "comment", MAX_TYPED)
            colleague = _typed(action, "colleague", 64)
            presenter = CardPresenter(services.kinds)
            try:
                request = await decide_request(
                    services,
                    presenter,
                    action.actor,
                    requester,
                    rid,
                    choice,
                    comment,
                    action.message_id,
                    colleague_id=colleague,
                    sealed=_sealed(action),
                )
            except DecisionRefused as refused:
                if refused.code == "comment_too_long":
                    return await _again(action, services, requester, rid, comment, refused.code)
                if refused.code not in ("colleague_required", "colleague_invalid"):
                    raise
                return await _pick_colleague(action, services, requester, rid, comment, refused)
            note = ""
            if request.status is Status.WITHDRAWN:
                note = text(action.actor.locale, "requests.withdrawn_before_decision")
            return presenter.approver_card(request, action.actor.locale, note=note)

        return await on_request(action, work)

    return handler


async def _again(
    action: CardAction, services: Services, requester: str, rid: str, comment: str, code: str
) -> Card:
    """The approver's card again, the refusal named and what they typed kept in its field."""
    locale = action.actor.locale
    log.info("%s on %r refused: %s", action.verb, rid, code)
    request = (await load(services, action.actor.tenant_id, requester, rid)).request
    return request_card(
        services.kinds,
        request,
        locale,
        action.actor.user_id,
        note=text(locale, f"requests.refused.{code}"),
        comment=comment,
    )


async def _pick_colleague(
    action: CardAction,
    services: Services,
    requester: str,
    rid: str,
    comment: str,
    refused: DecisionRefused,
) -> Card:
    """Handing over needs a colleague: the approver picks one from the directory (what they
    typed as a comment is kept); a pick the directory does not know is asked again."""
    locale = action.actor.locale
    request = (await load(services, action.actor.tenant_id, requester, rid)).request
    people = await colleagues(services, request, action.actor.user_id)
    if not people:
        log.warning("no colleague in the directory to hand %s over to", rid)
        return refusal(locale, "no_colleague")
    invalid = refused.code == "colleague_invalid"
    error = text(locale, "requests.refused.colleague_invalid") if invalid else ""
    presenter = CardPresenter(services.kinds)
    return presenter.picker_card(request, locale, people, comment, error)


def decision_verbs(kinds: Kinds) -> tuple[str, ...]:
    """Every choice any kind offers, as card verbs; approve and decline always (cards sent
    before a kind had choices of its own still carry them)."""
    codes = {APPROVE.code, DECLINE.code}
    for kind in kinds:
        codes |= kind.choices.codes
    return tuple(sorted(codes))


async def refresh(action: CardAction, services: Services) -> Card:
    """Teams asks for the card as this viewer should see it."""

    async def work(rid: str, requester: str) -> Card:
        stored = await load(services, action.actor.tenant_id, requester, rid)
        request = stored.request
        advisor = request.advisor.id if request.advisor else None
        assignee = request.assignee.id if request.assignee else None
        viewers = (*(p.id for p in request.deciders), request.requester.id, advisor, assignee)
        if action.actor.user_id not in viewers:
            raise DecisionRefused("not_approver")
        sealed = (
            sealed_request(services.seal, stored)
            if request.may_be_decided_by(action.actor.user_id)
            else ""
        )
        return request_card(
            services.kinds, request, action.actor.locale, action.actor.user_id, sealed=sealed
        )

    return await on_request(action, work)


async def withdraw(action: CardAction, services: Services) -> Card:
    async def work(rid: str, requester: str) -> Card:
        if requester != action.actor.user_id:
            raise DecisionRefused("not_requester")
        presenter = CardPresenter(services.kinds)
        request = await withdraw_request(services, presenter, action.actor, rid, action.message_id)
        locale = action.actor.locale
        note = text(
            locale,
            "personal.withdrawn"
            if request.status is Status.WITHDRAWN
            else "requests.cannot_withdraw",
        )
        return request_card(services.kinds, request, locale, action.actor.user_id, note=note)

    return await on_request(action, work)


async def returned(action: CardAction, services: Services) -> Card:
    """The employee says a gift that had to go back is back with the giver."""

    async def work(rid: str, requester: str) -> Card:
        if requester != action.actor.user_id:
            raise DecisionRefused("not_requester_step")
        request = await confirm_returned(
            services, action.actor.user_id, action.actor.tenant_id, rid
        )
        locale = action.actor.locale
        note = text(locale, "requests.steps.give_back.confirmed")
        return request_card(services.kinds, request, locale, action.actor.user_id, note=note)

    return await on_request(action, work)


# Refusals of advice that show the advisor's card again, with what they gave kept in it.
_ADVICE_AGAIN = frozenset({"advice_too_long", "position_required", "reason_required"})


async def advise(action: CardAction, services: Services) -> Card:
    """The advisor (e.g. HR on a side job) gives advice, or (Communicatie on an interview) its
    position with remarks; the approver sees it on their card."""

    async def work(rid: str, requester: str) -> Card:
        advice = _typed(action, "advice", MAX_TYPED)
        position = _typed(action, "position", 40)
        presenter = CardPresenter(services.kinds)
        try:
            request = await advise_request(
                services, presenter, action.actor, requester, rid, advice, position=position
            )
        except DecisionRefused as refused:
            if refused.code not in _ADVICE_AGAIN:
                raise
            log.info("%s on %r refused: %s", action.verb, rid, refused.code)
            locale = action.actor.locale
            stored = (await load(services, action.actor.tenant_id, requester, rid)).request
            note = text(locale, f"requests.refused.{refused.code}")
            return request_card(
                services.kinds,
                stored,
                locale,
                action.actor.user_id,
                note=note,
                advice=advice,
                position=position,
            )
        return presenter.advisor_card(request, action.actor.locale)

    return await on_request(action, work)


def register(registry: VerbRegistry, kinds: Kinds) -> None:
    for code in decision_verbs(kinds):
        registry.add(f"request.{code}", _decide(code))
    registry.add("request.refresh", refresh)
    registry.add("request.withdraw", withdraw)
    registry.add("request.returned", returned)
    registry.add("request.advise", advise)
