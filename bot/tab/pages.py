"""The tab's pages as plain server-rendered HTML fragments (escaped here, nowhere else).

The same words as the cards: kinds, statuses, outcomes, facts and choice labels come from the
card texts (`cards/locales`), through the same helpers the cards use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.requests import ApprovalRequest, AuditEntry, Person, Status, position_in
from bot.storage.requests import InboxEntry, RequestSummary
from cards import text
from cards.dates import AMSTERDAM, day_text
from dialogs.kinds import RequestKind, request_kind
from dialogs.personal_view import kind_name, outcome_line
from dialogs.requests_view import (
    advice_title,
    choice_title,
    noun,
    outcome_title,
    status_line,
    step_line,
    when,
)

_STATUS_CLASS = {
    Status.PENDING: "pending",
    Status.APPROVED: "good",
    Status.DECLINED: "attention",
    Status.WITHDRAWN: "neutral",
}


@dataclass(frozen=True)
class HandOver:
    """The colleague picker on a decision form whose choices include handing the case over:
    what was searched (`query`), the directory's people that match (None: not searched yet;
    `more`: there were more than shown) and the one picked (an id, checked by the engine)."""

    query: str = ""
    matches: Sequence[Person] | None = None
    more: bool = False
    chosen: str = ""


def e(value: object) -> str:
    return escape(str(value), quote=True)


def shell(locale: str, local_signin: str = "") -> str:
    """The page Teams opens: the script gets the sign-on token and loads the fragments.
    `local_signin`: the loopback identity provider's sign-in page (TAB_LOCAL_SIGN_ON, local
    mode only), where a browser outside Teams gets its token."""
    lang = "en" if locale.lower().startswith("en") else "nl"
    signin = f' data-local-signin="{e(local_signin)}"' if local_signin else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(text(lang, 'tab.title'))}</title>"
        '<link rel="stylesheet" href="/tab/static/tab.css"></head><body>'
        f'<a class="skip" href="#main">{e(text(lang, "tab.skip"))}</a>'
        f'<main id="main" tabindex="-1" data-failed="{e(text(lang, "tab.failed"))}"'
        f' data-no-teams-js="{e(text(lang, "tab.no_teams_js"))}"{signin}>'
        f'<p role="status">{e(text(lang, "tab.loading"))}</p></main>'
        '<script src="/tab/static/teams-js.js"></script>'
        '<script src="/tab/static/tab.js"></script>'
        "</body></html>"
    )


def notices(note: str = "", error: str = "") -> list[str]:
    """What the page says about what was just done: a notice (a status) and a refusal (an
    alert), each only when there is one."""
    shown = [f'<p role="status" class="message good">{e(note)}</p>'] if note else []
    if error:
        shown.append(f'<p role="alert" class="message attention">{e(error)}</p>')
    return shown


def message(locale: str, key: str, **values: object) -> str:
    """One message as a fragment (a refusal, a sign-on problem)."""
    return f'<p role="alert" class="message attention">{e(text(locale, key, **values))}</p>'


def nav(
    locale: str,
    current: str,
    waiting: int,
    registers: bool = False,
    overview: bool = False,
    breaches: bool = False,
    collection: bool = False,
) -> str:
    """The sections; registers, the overview, the collection and raffle and the breach register
    only for the roles that may see them (checked again on the server when opened); the raffles
    ("Doe ik mee?") for everyone."""
    links = [("mine", text(locale, "personal.mine_title"))]
    pending = text(locale, "personal.pending_title")
    links.append(("pending", f"{pending} ({waiting})" if waiting else pending))
    if registers:
        links.append(("registers", text(locale, "tab.registers.title")))
    if overview:
        links.append(("overview", text(locale, "tab.overview_title")))
    if collection:
        links.append(("collection", text(locale, "tab.collection_nav")))
    links.append(("raffles", text(locale, "raffle.names.menu")))  # every employee (§2)
    if breaches:
        links.append(("breaches", text(locale, "tab.breaches_nav")))
    items = "".join(
        f'<li><a href="#{name}" data-view="/{name}"'
        + (' aria-current="page"' if name == current else "")
        + f">{e(label)}</a></li>"
        for name, label in links
    )
    return f'<nav aria-label="{e(text(locale, "tab.nav_label"))}"><ul>{items}</ul></nav>'


def _status(label: str, status: Status) -> str:
    return f'<span class="status {_STATUS_CLASS[status]}">{e(label)}</span>'


def _list(items: Iterable[str], empty: str) -> str:
    rows = list(items)
    if not rows:
        return f'<p class="empty">{e(empty)}</p>'
    return '<ul class="items">' + "".join(rows) + "</ul>"


def mine_page(
    kinds: Kinds,
    requests: list[RequestSummary],
    others: list[dict[str, Any]],
    locale: str,
    nav_html: str,
) -> str:
    """Mijn meldingen: every own request (each opens its detail) and data-leak reports."""
    dated: list[tuple[str, str]] = []
    for r in requests:
        line = text(
            locale,
            "personal.mine_line",
            kind=kind_name(kinds, r.kind, locale),
            date=day_text(r.created_at.astimezone(AMSTERDAM).date(), locale),
            reference=r.id,
        )
        dated.append(
            (
                r.created_at.isoformat(),
                f'<li><a href="#mine/{e(r.id)}" data-view="/mine/{e(r.id)}">'
                f"{e(r.summary or r.id)}</a><p>{e(line)}</p>"
                f"{_status(outcome_line(kinds, r, locale), r.status)}</li>",
            )
        )
    for other in others:
        path = other_path(other)
        title = (
            f'<a href="#mine" data-view="{e(path)}">{e(other["title"])}</a>'
            if path
            else f'<span class="title">{e(other["title"])}</span>'
        )
        dated.append(
            (
                str(other["at"]),
                f"<li>{title}<p>{e(other['line'])}</p>"
                f'<span class="status neutral">{e(other["status"])}</span></li>',
            )
        )
    rows = [row for _, row in sorted(dated, key=lambda pair: pair[0], reverse=True)]
    intro = f"<p>{e(text(locale, 'personal.mine_intro'))}</p>" if rows else ""
    return (
        nav_html
        + f"<h1>{e(text(locale, 'personal.mine_title'))}</h1>"
        + intro
        + _list(rows, text(locale, "personal.mine_empty"))
    )


def other_path(item: dict[str, Any]) -> str | None:
    """The tab's page of a data-leak report or trailer booking in mijn meldingen: what the
    card's "Openen" opens (`bot/tab/own_items.py` serves it)."""
    data = item.get("data") or {}
    if item.get("verb") == "dataleak.mine" and data.get("breachId"):
        return f"/leaks/{data['breachId']}"
    if item.get("verb") == "trailer.mine" and data.get("day") and data.get("booking"):
        return f"/trailer/{data['day']}/{data['booking']}"
    return None


def pending_page(kinds: Kinds, entries: list[InboxEntry], locale: str, nav_html: str) -> str:
    """Openstaand: what waits for this person's decision, oldest first."""
    rows = []
    for entry in entries:
        line = text(
            locale,
            "personal.pending_line",
            kind=kind_name(kinds, entry.kind, locale),
            requester=entry.requester_name or "?",
            date=day_text(entry.created_at.astimezone(AMSTERDAM).date(), locale),
            reference=entry.request_id,
        )
        path = f"/pending/{e(entry.requester_id)}/{e(entry.request_id)}"
        rows.append(
            f'<li><a href="#pending" data-view="{path}">{e(entry.summary or entry.request_id)}'
            f"</a><p>{e(line)}</p>"
            f"{_status(text(locale, f'personal.statuses.{entry.status.value}'), entry.status)}"
            "</li>"
        )
    intro = f"<p>{e(text(locale, 'personal.pending_intro'))}</p>" if rows else ""
    return (
        nav_html
        + f"<h1>{e(text(locale, 'personal.pending_title'))}</h1>"
        + intro
        + _list(rows, text(locale, "personal.pending_empty"))
    )


def _first_text(locale: str, keys: list[str]) -> str:
    """The first of `keys` that is a text ("" when none is)."""
    for key in keys:
        try:
            return text(locale, key)
        except (KeyError, TypeError):
            continue
    return ""


def _trail_label(locale: str, action: str) -> str:
    try:
        return text(locale, f"tab.trail.{action}")
    except (KeyError, TypeError):
        return action.replace("_", " ")


def detail_page(
    kinds: Kinds,
    request: ApprovalRequest,
    locale: str,
    viewer_id: str,
    back: str,
    note: str = "",
    error: str = "",
    comment: str = "",
    addition: str = "",
    advice: str | None = None,
    handover: HandOver | None = None,
    position: str | None = None,
) -> str:
    """One request with its facts and trail, and what the viewer may do on it, as on the card:
    its pending approver gets the decision form (the kind's choices open to the request), its
    advisor the advice form (with the kind's positions, if it has any), its requester "add
    information" and "withdraw" (`addition`, `advice` and `position` keep what was given when
    it was refused)."""
    view = request_kind(kinds, request.kind)
    if view is None:
        return message(locale, "requests.refused.not_found")
    requester = viewer_id == request.requester.id
    parts = [
        f'<p><a href="#{e(back)}" data-view="/{e(back)}">{e(text(locale, "tab.back"))}</a></p>',
        f"<h1>{e(request.facts.summary or request.id)}</h1>",
        f"<p>{e(noun(kinds, request.kind, locale))} · "
        f"{e(text(locale, 'tab.reference', reference=request.id))}</p>",
    ]
    parts += notices(note, error)
    parts.append(
        f"<p>{_status(status_line(kinds, request, locale, viewer_id), request.status)}</p>"
    )
    outcome = outcome_title(kinds, request, locale, requester)
    if outcome:
        parts.append(f'<p class="outcome">{e(outcome)}</p>')
    if view.verdicts and request.verdict and request.pending:
        who = "you" if requester else "others"
        keys = [f"{view.verdicts}.{request.verdict}.{who}", f"{view.verdicts}.{request.verdict}"]
        if view.advisor_role is not None and request.advisor is None:
            lacking = f"{view.verdicts}_no_advisor.{request.verdict}"  # as on the card
            keys = [f"{lacking}.{who}", lacking, *keys]
        verdict = _first_text(locale, keys)
        if verdict:
            parts.append(f"<p>{e(text(locale, 'tab.verdict', verdict=verdict))}</p>")
    step = step_line(request, locale, requester)
    if step:
        parts.append(f"<p>{e(step)}</p>")
    if request.comment:
        parts.append(
            f"<p>{e(text(locale, 'requests.decided_comment', comment=request.comment))}</p>"
        )
    facts = "".join(
        f"<dt>{e(row['title'])}</dt><dd>{e(row['value'])}</dd>"
        for row in view.rows_of(request, locale)
    )
    parts.append(f"<h2>{e(text(locale, 'tab.facts_title'))}</h2><dl>{facts}</dl>")
    if request.notes:
        notes = "".join(f"<li>{e(when(n.at, locale))}: {e(n.text)}</li>" for n in request.notes)
        parts.append(f"<h2>{e(text(locale, 'tab.notes_title'))}</h2><ul>{notes}</ul>")
    if request.advised:
        title = advice_title(view, request, locale)
        said = f'<p class="advice">{e(request.advice)}</p>' if request.advice else ""
        parts.append(f"<h2>{e(title)}</h2>{said}")
    if request.pending and request.may_be_decided_by(viewer_id):
        parts.append(_decision_form(request, view, locale, comment, handover or HandOver()))
    if request.pending and request.advisor is not None and viewer_id == request.advisor.id:
        typed = request.advice if advice is None else advice
        chosen = request.advice_position if position is None else position
        parts.append(_advice_form(request, view, locale, typed, chosen))
    if request.pending and requester:
        parts.append(_requester_forms(request, locale, addition))
    trail = "".join(
        f"<li><time>{e(when(entry.at, locale))}</time> "
        f"{e(_entry_label(locale, view, request, entry))}</li>"
        for entry in request.audit
        if entry.action in _TRAIL_SHOWN
    )
    if trail:
        parts.append(f'<h2>{e(text(locale, "tab.trail_title"))}</h2><ol class="trail">{trail}</ol>')
    return "".join(parts)


def _entry_label(
    locale: str, view: RequestKind[Any], request: ApprovalRequest, entry: AuditEntry
) -> str:
    """A trail entry in words; advice given as a position says which, and by whom."""
    position = position_in(entry, view.advice_positions)
    if not position:
        return _trail_label(locale, entry.action)
    advisor = request.advisor
    who = (advisor.name if advisor is not None and advisor.id == entry.actor_id else "") or "?"
    words = view.position_text(position, locale)
    return text(locale, "tab.trail_position", position=words, advisor=who)


# Trail actions a person sees (bookkeeping such as claims and settling stays out).
_TRAIL_SHOWN = frozenset(
    {
        "submitted",
        "delivered",
        "rerouted",
        "undelivered",
        "approved",
        "declined",
        "withdrawn",
        "advised",
        "information_added",
        "reminded",
        "escalated",
        "returned",
        "received",
        "review_asked",
    }
)


def _decision_form(
    request: ApprovalRequest, view: Any, locale: str, comment: str, handover: HandOver
) -> str:
    blocked = view.blocked(request)
    title = f"<h2>{e(text(locale, 'tab.decide_title'))}</h2>"
    if blocked:
        why = view.blocked_text(request, blocked, locale)  # as on the card
        return title + f'<p class="message attention">{e(why)}</p>'
    try:
        label = text(locale, f"{view.name}.comment_label")
    except (KeyError, TypeError):
        label = text(locale, "requests.comment")
    offered = view.choices.open_to(request)  # less what the kind withholds from it now
    buttons = "".join(
        f'<button type="submit" name="choice" value="{e(choice.code)}" '
        f'class="choice {e(choice.style)}">{e(choice_title(view, request.verdict, choice, locale))}'
        "</button>"
        for choice in offered
    )
    held = view.choices.withheld(request)
    why = (
        f'<p class="message attention">{e(view.withheld_text(request, held.why, locale))}</p>'
        if held is not None
        else ""
    )
    action = f"/tab/api/pending/{e(request.requester.id)}/{e(request.id)}"
    picker = _colleague_picker(locale, handover) if any(c.needs_colleague for c in offered) else ""
    return (
        f'<form data-api="{action}" class="decide">{title}{why}'
        f'<label for="comment">{e(label)}</label>'
        f'<p class="hint" id="comment-hint">{e(text(locale, "tab.comment_hint"))}</p>'
        f'<textarea id="comment" name="comment" maxlength="1000" rows="3" '
        f'aria-describedby="comment-hint">{e(comment)}</textarea>'
        f'{picker}<div class="choices">{buttons}</div></form>'
    )


def _colleague_picker(locale: str, handover: HandOver) -> str:
    """Who takes the case over: a search by name in the directory (the server's, on "Zoeken")
    and the matches as radio buttons, never the whole staff in one list. Its search button
    comes first in the form, so Enter in the search field searches rather than decides."""
    found = ""
    if handover.matches is not None:
        if not handover.matches:
            found = text(locale, "tab.handover.none", query=handover.query)
        elif handover.more:
            found = text(locale, "tab.handover.too_many", count=len(handover.matches))
        else:
            found = text(locale, "tab.handover.found", count=len(handover.matches))
    radios = "".join(
        f'<div class="check"><input type="radio" id="colleague-{n}" name="colleague" '
        f'value="{e(p.id)}"'
        + (" checked" if p.id == handover.chosen else "")
        + f'><label for="colleague-{n}">{e(p.name or p.id)}</label></div>'
        for n, p in enumerate(handover.matches or ())
    )
    if handover.chosen and not any(p.id == handover.chosen for p in handover.matches or ()):
        radios += f'<input type="hidden" name="colleague" value="{e(handover.chosen)}">'
    return (
        f'<fieldset class="handover"><legend>{e(text(locale, "requests.colleague_label"))}'
        "</legend>"
        f'<p class="hint" id="colleague-hint">{e(text(locale, "tab.handover.hint"))}</p>'
        '<div class="field"><label for="colleague-q">'
        f"{e(text(locale, 'tab.handover.search'))}</label>"
        '<input id="colleague-q" name="colleague_q" type="search" maxlength="60" '
        f'autocomplete="off" aria-describedby="colleague-hint" value="{e(handover.query)}"></div>'
        '<button type="submit" name="find" value="1" class="choice">'
        f"{e(text(locale, 'tab.handover.find'))}</button>"
        + (f'<p role="status" class="hint">{e(found)}</p>' if found else "")
        + radios
        + "</fieldset>"
    )


def _advice_form(
    request: ApprovalRequest, view: RequestKind[Any], locale: str, typed: str, chosen: str
) -> str:
    """The advisor's form, as on the advisor's card: free-text advice (HR on a side job), or
    one of the kind's positions with remarks (Communicatie on an interview)."""
    action = f"/tab/api/pending/{e(request.requester.id)}/{e(request.id)}/advise"
    if not view.advice_positions:
        return (
            f'<form data-api="{action}" class="advise">'
            f"<h2>{e(text(locale, 'requests.advise'))}</h2>"
            f'<label for="advice">{e(text(locale, "requests.advice_label"))}</label>'
            f'<textarea id="advice" name="advice" maxlength="2000" rows="4" required>{e(typed)}'
            "</textarea>"
            f'<div class="choices"><button type="submit" class="choice positive">'
            f"{e(text(locale, 'requests.advise'))}</button></div></form>"
        )
    legend = _first_text(locale, [f"{view.name}.position_label", "requests.position_label"])
    label = _first_text(locale, [f"{view.name}.advice_label", "requests.advice_label"])
    radios = "".join(
        f'<div class="check"><input type="radio" id="position-{e(p.code)}" name="position" '
        f'value="{e(p.code)}" required' + (" checked" if p.code == chosen else "") + ">"
        f'<label for="position-{e(p.code)}">{e(view.position_text(p.code, locale))}</label></div>'
        for p in view.advice_positions
    )
    return (
        f'<form data-api="{action}" class="advise">'
        f"<h2>{e(text(locale, 'requests.advise'))}</h2>"
        f'<fieldset class="position"><legend>{e(legend)}</legend>{radios}</fieldset>'
        f'<label for="advice">{e(label)}</label>'
        f'<textarea id="advice" name="advice" maxlength="2000" rows="4">{e(typed)}</textarea>'
        f'<div class="choices"><button type="submit" class="choice positive">'
        f"{e(text(locale, 'requests.advise'))}</button></div></form>"
    )


def _requester_forms(request: ApprovalRequest, locale: str, typed: str) -> str:
    """The requester's own actions while it waits: add information, withdraw (confirmed on the
    next page)."""
    rid = e(request.id)
    return (
        f'<form data-api="/tab/api/mine/{rid}/add" class="amend">'
        f"<h2>{e(text(locale, 'personal.add'))}</h2>"
        f'<label for="addition">{e(text(locale, "personal.add_label"))}</label>'
        f'<textarea id="addition" name="addition" maxlength="1000" rows="3" '
        f'placeholder="{e(text(locale, "personal.add_placeholder"))}">{e(typed)}</textarea>'
        f'<div class="choices"><button type="submit" class="choice">'
        f"{e(text(locale, 'personal.add'))}</button></div></form>"
        f'<p class="withdraw"><a href="#mine" data-view="/mine/{rid}/withdraw">'
        f"{e(text(locale, 'personal.withdraw'))}</a></p>"
    )


def withdraw_page(request: ApprovalRequest, locale: str) -> str:
    """ "Are you sure?" before a withdrawal: the form posts, the link goes back."""
    rid = e(request.id)
    return (
        f"<h1>{e(text(locale, 'personal.withdraw'))}: {e(request.facts.summary or request.id)}"
        "</h1>"
        f'<form data-api="/tab/api/mine/{rid}/withdraw" class="withdraw-confirm">'
        f'<p id="withdraw-question">{e(text(locale, "personal.withdraw_confirm"))}</p>'
        '<div class="choices">'
        '<button type="submit" name="confirm" value="yes" class="choice destructive" '
        f'aria-describedby="withdraw-question">{e(text(locale, "personal.withdraw_yes"))}'
        "</button>"
        f'<a class="button" href="#mine" data-view="/mine/{rid}">{e(text(locale, "common.cancel"))}'
        "</a></div></form>"
    )
