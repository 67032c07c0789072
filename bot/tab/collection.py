"""The secretariat's collection register and the raffle on the tab (§2), for the roles that keep
them on the collection card (`dialogs.collection.ALLOWED`: secretariat, integrity officer),
checked on the server on every call as the card's `requires` does. Marking a gift received,
announcing and drawing the raffle go through the services the card's buttons call
(`bot.services.collection.mark_received`, `bot.services.raffle.announce_raffle` /
`run_raffle`), with the card's own announcement and winner messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from aiohttp import web

from bot.domain.collection import CollectedGift, CollectionStatus
from bot.domain.money import format_euros
from bot.domain.people import Actor
from bot.domain.raffle import verify
from bot.services import collection as gift_collection
from bot.services.context import Services
from bot.services.raffle import (
    AlreadyAnnounced,
    NotAnnounced,
    NothingToRaffle,
    RaffleBusy,
    announce_raffle,
    my_part,
    part_of,
    run_raffle,
)
from bot.services.roles import has_role
from bot.storage.raffles import RaffleRecord
from bot.tab import pages
from bot.tab.pages import e
from bot.tab.respond import html
from cards import language_of, text
from dialogs.collection import ALLOWED
from dialogs.raffle import HISTORY, announcement_card, part_lines, removed_text, winner_card
from dialogs.requests_view import when

log = logging.getLogger(__name__)

_ORDER = {
    CollectionStatus.EXPECTED: 0,
    CollectionStatus.RECEIVED: 1,
    CollectionStatus.RAFFLED: 2,
    CollectionStatus.CANCELLED: 3,
}
_STATUS_CLASS = {
    CollectionStatus.EXPECTED: "pending",
    CollectionStatus.RECEIVED: "good",
    CollectionStatus.RAFFLED: "neutral",
    CollectionStatus.CANCELLED: "neutral",
}


async def keeps_collection(services: Services, actor: Actor) -> bool:
    return await has_role(services, actor.tenant_id, actor.user_id, ALLOWED)


def _refused(locale: str, key: str = "raffle.not_allowed") -> web.Response:
    """The card's own refusal for the collection (`errors.not_allowed`) or the raffle."""
    log.warning("tab: collection or raffle refused (role)")
    return html(pages.message(locale, key), 403)


# --- pages ----------------------------------------------------------------------------------


def collection_page(
    entries: Sequence[CollectedGift],
    raffles: Sequence[RaffleRecord],
    status: str,
    locale: str,
    nav: str,
    note: str = "",
    error: str = "",
) -> str:
    shown = sorted(
        (x for x in entries if not status or x.status.value == status),
        key=lambda x: (_ORDER.get(x.status, 3), x.created_at),
    )
    options = [("", text(locale, "tab.registers.all_statuses"))] + [
        (s.value, text(locale, f"gift.collection.statuses.{s.value}")) for s in _ORDER
    ]
    select = "".join(
        f'<option value="{e(v)}"' + (" selected" if v == status else "") + f">{e(t)}</option>"
        for v, t in options
    )
    parts = [nav, f"<h1>{e(text(locale, 'gift.collection.title'))}</h1>"]
    parts += pages.notices(note, error)
    parts.append(
        '<form data-view="/collection" class="filters"><div class="field">'
        f'<label for="f-status">{e(text(locale, "tab.registers.status"))}</label>'
        f'<select id="f-status" name="status">{select}</select></div>'
        f'<button type="submit">{e(text(locale, "tab.registers.apply"))}</button></form>'
    )
    counts = {s: sum(1 for x in entries if x.status is s) for s in _ORDER}
    summary = text(
        locale,
        "tab.collection_count",
        expected=counts[CollectionStatus.EXPECTED],
        received=counts[CollectionStatus.RECEIVED],
        cancelled=counts[CollectionStatus.CANCELLED],
    )
    parts.append(f'<p role="status">{e(summary)}</p>')
    if shown:
        head = "".join(
            f'<th scope="col">{e(text(locale, f"tab.collection_columns.{c}"))}</th>'
            for c in ("description", "value", "who", "reference", "status", "action")
        )
        rows = "".join(_row(x, locale) for x in shown)
        parts.append(
            f'<div class="table" role="region" tabindex="0" aria-label="'
            f'{e(text(locale, "gift.collection.title"))}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
        )
    else:
        parts.append(f'<p class="empty">{e(text(locale, "gift.collection.empty"))}</p>')
    parts.append(_raffles(entries, raffles, locale))
    return "".join(parts)


def _row(gift: CollectedGift, locale: str) -> str:
    status = text(locale, f"gift.collection.statuses.{gift.status.value}")
    action = ""
    if gift.status is CollectionStatus.EXPECTED:
        label = text(locale, "tab.collection_mark", description=gift.description)
        action = (
            '<form data-api="/tab/api/collection/received">'
            f'<input type="hidden" name="requestId" value="{e(gift.request_id)}">'
            f'<button type="submit" class="choice" aria-label="{e(label)}">'
            f"{e(text(locale, 'gift.collection.mark_received'))}</button></form>"
        )
    cells = (
        e(gift.description),
        e(format_euros(gift.value_cents, language_of(locale))),
        e(gift.requester_name or "?"),
        e(gift.request_id),
        f'<span class="status {_STATUS_CLASS[gift.status]}">{e(status)}</span>',
        action,
    )
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _raffles(entries: Sequence[CollectedGift], raffles: Sequence[RaffleRecord], locale: str) -> str:
    """The raffle: announce or draw (as the collection card offers them), and past raffles."""
    announced = next((r for r in raffles if not r.drawn), None)
    can_raffle = any(x.status is CollectionStatus.RECEIVED for x in entries)
    parts = [f"<h2>{e(text(locale, 'raffle.title'))}</h2>"]
    buttons = []
    if announced is not None:
        buttons.append(("/tab/api/raffles/run", text(locale, "raffle.run"), "positive"))
    elif can_raffle:
        buttons.append(("/tab/api/raffles/announce", text(locale, "raffle.announce"), "positive"))
    parts += [
        f'<form data-api="{path}" class="raffle-action"><button type="submit" '
        f'class="choice {style}">{e(label)}</button></form>'
        for path, label, style in buttons
    ]
    if not raffles:
        parts.append(f'<p class="empty">{e(text(locale, "raffle.none_yet"))}</p>')
        return "".join(parts)
    parts.append(f"<p>{e(text(locale, 'raffle.list_intro'))}</p>")
    items = []
    for r in raffles[:HISTORY]:
        heading = (
            text(locale, "raffle.drawn_heading", date=when(r.drawn_at, locale))
            if r.drawn
            else text(locale, "raffle.announced_heading", date=when(r.announced_at, locale))
        )
        line = text(locale, "raffle.participants", count=len(r.participants))
        items.append(
            f'<li><a href="#collection" data-view="/raffles/{e(r.id)}">{e(heading)}</a>'
            f"<p>{e(line)} · {e(r.id)}</p></li>"
        )
    parts.append('<ul class="items">' + "".join(items) + "</ul>")
    return "".join(parts)


def _heading(raffle: RaffleRecord, locale: str) -> str:
    if raffle.drawn:
        return text(locale, "raffle.drawn_heading", date=when(raffle.drawn_at, locale))
    return text(locale, "raffle.announced_heading", date=when(raffle.announced_at, locale))


def raffles_page(raffles: Sequence[RaffleRecord], viewer_id: str, locale: str, nav: str) -> str:
    """Verlotingen, for every employee (as the card's menu item): each raffle, newest first,
    with whether the viewer takes part (and after the draw, whether they won)."""
    parts = [nav, f"<h1>{e(text(locale, 'raffle.list_title'))}</h1>"]
    if not raffles:
        parts.append(f'<p class="empty">{e(text(locale, "raffle.none_yet"))}</p>')
        return "".join(parts)
    parts.append(f"<p>{e(text(locale, 'raffle.list_intro'))}</p>")
    items = []
    for r in raffles[:HISTORY]:
        mine = part_lines(r, part_of(r, viewer_id), locale)
        count = text(locale, "raffle.participants", count=len(r.participants))
        items.append(
            f'<li><a href="#raffles" data-view="/raffles/{e(r.id)}">{e(_heading(r, locale))}</a>'
            + "".join(f"<p>{e(line)}</p>" for line in mine)
            + f"<p>{e(count)} · {e(r.id)}</p></li>"
        )
    parts.append('<ul class="items">' + "".join(items) + "</ul>")
    return "".join(parts)


def raffle_page(
    raffle: RaffleRecord,
    locale: str,
    nav: str,
    note: str = "",
    viewer_id: str = "",
    keeper: bool = True,
) -> str:
    """One raffle: the viewer's own part ("Doe ik mee?"), the gifts (and winners once drawn),
    the commitment, the seed after the draw, the check of the draw, how to check it oneself and
    the published record. Those who keep the collection (`keeper`) also see whether each winner
    was told and who was left out and why; everyone else sees what the card shows all staff."""
    back = (
        f'<p><a href="#collection" data-view="/collection">'
        f"{e(text(locale, 'raffle.back_to_collection'))}</a></p>"
        if keeper
        else f'<p><a href="#raffles" data-view="/raffles">{e(text(locale, "tab.back"))}</a></p>'
    )
    parts = [nav, back, f"<h1>{e(_heading(raffle, locale))}</h1>"]
    parts += pages.notices(note)
    if viewer_id:
        mine = part_lines(raffle, part_of(raffle, viewer_id), locale)
        parts.append(
            f'<section aria-labelledby="my-part"><h2 id="my-part">'
            f"{e(text(locale, 'raffle.check_title'))}</h2>"
            + "".join(f'<p class="message">{e(line)}</p>' for line in mine)
            + "</section>"
        )
    if raffle.drawn:
        parts.append(
            "<p>"
            + e(
                text(
                    locale,
                    "raffle.summary",
                    date=when(raffle.drawn_at, locale),
                    participants=len(raffle.participants),
                    gifts=sum(1 for p in raffle.prizes if not p.removed),
                )
            )
            + "</p>"
        )
    prizes = []
    for p in raffle.prizes:
        line = e(p.description)
        if p.removed:  # taken out after the announcement: on the list, won by nobody
            line += " · " + e(removed_text(p, locale))
            if raffle.drawn:
                nobody = text(locale, "raffle.removed_nobody")
                line += f'<br><span class="status neutral">{e(nobody)}</span>'
        elif raffle.drawn:
            winner = p.winner_name or text(locale, "raffle.someone")
            line += " · " + e(text(locale, "raffle.winner", name=winner))
        if raffle.drawn and keeper and not p.removed:
            reason = p.not_notified_reason
            known = reason in ("no_reference", "RecipientUnreachable", "DeliveryFailed")
            told = (
                text(locale, "raffle.told")
                if p.notified
                else text(
                    locale,
                    "raffle.not_told",
                    reason=text(locale, f"raffle.reasons.{reason if known else 'unknown'}"),
                )
            )
            style = "good" if p.notified else "attention"
            line += f'<br><span class="status {style}">{e(told)}</span>'
        prizes.append(f"<li>{line}</li>")
    parts.append(f"<h2>{e(text(locale, 'tab.raffle_gifts'))}</h2><ul>{''.join(prizes)}</ul>")
    facts = [
        text(locale, "raffle.commitment", commitment=raffle.commitment or "-"),
        text(locale, "raffle.participants", count=len(raffle.participants)),
    ]
    if raffle.drawn:
        facts.insert(1, text(locale, "raffle.seed", seed=raffle.seed))
    parts.append("<ul>" + "".join(f'<li class="code">{e(f)}</li>' for f in facts) + "</ul>")
    if raffle.excluded and keeper:
        left_out = "".join(
            f"<li>{e(x.name or x.person_id)}: "
            f"{e(text(locale, f'raffle.excluded_reasons.{x.reason}'))}</li>"
            for x in raffle.excluded
        )
        parts.append(f"<h2>{e(text(locale, 'raffle.excluded_title'))}</h2><ul>{left_out}</ul>")
    if raffle.drawn:
        problems = verify(raffle.published())
        check = (
            [text(locale, "raffle.verified", count=sum(1 for p in raffle.prizes if not p.removed))]
            if not problems
            else [text(locale, "raffle.not_verified"), *problems]
        )
        parts.append(f"<h2>{e(text(locale, 'raffle.verify_title'))}</h2>")
        parts.append("".join(f"<p>{e(line)}</p>" for line in check))
        proof = text(
            locale, "raffle.proof", id=raffle.id, seed=raffle.seed, algorithm=raffle.algorithm
        )
        parts.append(f"<p>{e(proof)}</p>")
        record = json.dumps(raffle.published(), ensure_ascii=False, indent=1)
        label = e(text(locale, "raffle.record_title"))
        parts.append(
            f"<h2>{e(text(locale, 'raffle.record_title'))}</h2>"
            f"<p>{e(text(locale, 'raffle.record_intro'))}</p>"
            f'<pre class="record" tabindex="0" aria-label="{label}">'
            f"{e(record)}</pre>"
        )
    return "".join(parts)


# --- handlers -------------------------------------------------------------------------------


async def _page(
    services: Services, actor: Actor, nav: str, status: str = "", note: str = "", error: str = ""
) -> str:
    entries = await gift_collection.gifts(services, actor.tenant_id)
    raffles = await services.raffles.all(actor.tenant_id)
    return collection_page(entries, raffles, status, actor.locale, nav, note, error)


async def show(services: Services, request: web.Request, actor: Actor, nav: str) -> web.Response:
    if not await keeps_collection(services, actor):
        return _refused(actor.locale, "errors.not_allowed")
    raw = request.query.get("status", "")
    status = raw if raw in {s.value for s in CollectionStatus} else ""
    return html(await _page(services, actor, nav, status))


async def received(
    services: Services, request: web.Request, actor: Actor, nav: str
) -> web.Response:
    """ "Markeer als ontvangen", as on the collection card (the request's card follows)."""
    if not await keeps_collection(services, actor):
        return _refused(actor.locale, "errors.not_allowed")
    locale = actor.locale
    raw = (await request.post()).get("requestId")
    rid = raw if isinstance(raw, str) and 0 < len(raw) <= 40 else ""
    moved = bool(rid) and await gift_collection.mark_received(services, actor, rid)
    if moved:
        return html(await _page(services, actor, nav, note=text(locale, "tab.collection_marked")))
    return html(
        await _page(services, actor, nav, error=text(locale, "tab.collection_not_expected")), 409
    )


async def announce(
    services: Services, request: web.Request, actor: Actor, nav: str
) -> web.Response:
    """Announce the raffle, as the collection card's button does."""
    if not await keeps_collection(services, actor):
        return _refused(actor.locale)
    locale = actor.locale
    try:
        raffle, reached = await announce_raffle(services, actor, announcement_card)
    except NothingToRaffle:
        return html(await _page(services, actor, nav, error=text(locale, "raffle.nothing")), 409)
    except RaffleBusy:
        return html(await _page(services, actor, nav, error=text(locale, "raffle.busy")), 409)
    except AlreadyAnnounced as pending:
        note = text(locale, "raffle.already_announced")
        return html(raffle_page(pending.raffle, locale, nav, note, viewer_id=actor.user_id), 409)
    note = text(locale, "raffle.announced_to", reached=reached, count=len(raffle.participants))
    return html(raffle_page(raffle, locale, nav, note, viewer_id=actor.user_id))


async def run(services: Services, request: web.Request, actor: Actor, nav: str) -> web.Response:
    """Draw the announced raffle, as the card's "Trek de winnaars"."""
    if not await keeps_collection(services, actor):
        return _refused(actor.locale)
    locale = actor.locale
    try:
        raffle = await run_raffle(services, actor, winner_card)
    except (NothingToRaffle, RaffleBusy, NotAnnounced) as refused:
        key = {
            NothingToRaffle: "raffle.nothing",
            RaffleBusy: "raffle.busy",
            NotAnnounced: "raffle.announce_first",
        }[type(refused)]
        return html(await _page(services, actor, nav, error=text(locale, key)), 409)
    return html(raffle_page(raffle, locale, nav, viewer_id=actor.user_id))


async def everyone(
    services: Services, request: web.Request, actor: Actor, nav: str
) -> web.Response:
    """Verlotingen: every employee's list of raffles with their own part."""
    raffles = (await services.raffles.all(actor.tenant_id))[:HISTORY]
    return html(raffles_page(raffles, actor.user_id, actor.locale, nav))


async def one(services: Services, request: web.Request, actor: Actor, nav: str) -> web.Response:
    """One raffle for any employee, with their own part (the card's "Doe ik mee?" service);
    the keepers of the collection see who was told and who was left out as well."""
    found = await my_part(services, actor, request.match_info["raffle"][:60])
    if found is None:
        return html(pages.message(actor.locale, "raffle.unknown"), 404)
    raffle, _ = found
    keeper = await keeps_collection(services, actor)
    return html(raffle_page(raffle, actor.locale, nav, viewer_id=actor.user_id, keeper=keeper))
