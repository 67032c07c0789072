"""How the personal registers ("mijn meldingen", "openstaand") look: one list card for both."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.kinds import Kinds
from bot.domain.requests import Status
from bot.storage.requests import InboxEntry, RequestSummary
from cards import render, text
from cards.dates import AMSTERDAM, day_text
from dialogs.base import Card
from dialogs.kinds import request_kind
from dialogs.requests_view import noun

# Yellow text on white is hard to read: a pending status is shown in the default colour (bold).
_COLORS = {
    Status.PENDING: "Default",
    Status.APPROVED: "Good",
    Status.DECLINED: "Attention",
    Status.WITHDRAWN: "Default",
}


def kind_name(kinds: Kinds, kind: str, locale: str) -> str:
    """A kind as a noun in a list ("Cadeaumelding", "Nevenfunctie")."""
    return (
        noun(kinds, kind, locale)
        if request_kind(kinds, kind)
        else text(locale, "personal.unknown_kind")
    )


def outcome_line(kinds: Kinds, summary: RequestSummary, locale: str) -> str:
    """Where one of the requester's own requests stands, in one line: the outcome once decided
    ("Je mag het cadeau houden"), else its status."""
    kind = kinds.get(summary.kind)
    code = (
        kind.choices.outcome_code(summary.status, summary.verdict, summary.outcome)
        if kind is not None
        else ""
    )
    if code:
        try:
            return text(locale, f"{summary.kind}.outcomes.{code}.you")
        except (KeyError, TypeError):
            pass
    return text(locale, f"personal.statuses.{summary.status.value}")


def mine_card(
    kinds: Kinds,
    requests: list[RequestSummary],
    locale: str,
    others: list[dict[str, Any]] | None = None,
) -> Card:
    """The requester's own requests, as given (newest first); `others` are items of other
    aggregates (data-leak reports), each with its moment in "at", merged in by time."""
    dated = [
        (
            r.created_at,
            _item(
                r.summary or r.id,
                text(
                    locale,
                    "personal.mine_line",
                    kind=kind_name(kinds, r.kind, locale),
                    date=day_text(r.created_at.astimezone(AMSTERDAM).date(), locale),
                    reference=r.id,
                ),
                r.status,
                locale,
                "mine.show",
                {"requestId": r.id},
                outcome_line(kinds, r, locale),
            ),
        )
        for r in requests
    ]
    dated += [(_moment(o["at"]), {k: v for k, v in o.items() if k != "at"}) for o in others or []]
    items = [item for _, item in sorted(dated, key=lambda pair: pair[0], reverse=True)]
    return _render(locale, "mine", items)


def _moment(at: object) -> datetime:
    """An item's moment ("at": a datetime or its ISO text), comparable with the requests'
    (a naive one is UTC; an unreadable one sorts last)."""
    moment = at if isinstance(at, datetime) else None
    if moment is None:
        try:
            moment = datetime.fromisoformat(str(at))
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pending_card(kinds: Kinds, entries: list[InboxEntry], locale: str) -> Card:
    """What waits for the approver, as given (oldest first)."""
    items = [
        _item(
            e.summary or e.request_id,
            text(
                locale,
                "personal.pending_line",
                kind=kind_name(kinds, e.kind, locale),
                requester=e.requester_name or "?",
                date=day_text(e.created_at.astimezone(AMSTERDAM).date(), locale),
                reference=e.request_id,
            ),
            e.status,
            locale,
            "pending.show",
            {"requestId": e.request_id, "requesterId": e.requester_id},
        )
        for e in entries
    ]
    return _render(locale, "pending", items)


def _item(
    title: str,
    line: str,
    status: Status,
    locale: str,
    verb: str,
    data: dict[str, str],
    shown: str = "",
) -> dict[str, Any]:
    return {
        "title": title,
        "line": line,
        "status": shown or text(locale, f"personal.statuses.{status.value}"),
        "statusColor": _COLORS[status],
        "verb": verb,
        "data": data,
    }


def _render(locale: str, register: str, items: list[dict[str, Any]]) -> Card:
    return render(
        "personal_list",
        locale,
        {
            "title": text(locale, f"personal.{register}_title"),
            "intro": text(locale, f"personal.{register}_intro") if items else "",
            "empty": text(locale, f"personal.{register}_empty"),
            "items": items,
        },
    )
