"""How a request looks on a card, for each viewer; every request kind plugs in its facts here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.amend import notes_of
from bot.domain.money import format_euros
from bot.domain.requests import ApprovalRequest, Status
from bot.domain.suppliers import quotes_text
from cards import language_of, render, text

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Facts = list[dict[str, str]]


@dataclass(frozen=True)
class KindView:
    """What differs per request kind on its cards."""

    title: str  # text key of the kind's name
    facts: Callable[[ApprovalRequest, str], Facts]
    verdicts: str | None = None  # text key prefix of verdict headlines, e.g. "gift.verdicts"
    reasons: str | None = None  # text key prefix of reason texts, e.g. "gift.reasons"
    section: str = ""
    history_title: str | None = None  # text key; facts["earlier"] holds the items
    approve: str = "requests.approve"  # text keys of the decision buttons
    decline: str = "requests.decline"
    statuses: str = "requests.statuses"  # text key prefix of the status lines

    def history(self, request: ApprovalRequest) -> list[dict[str, str]]:
        earlier = request.facts.get("earlier")
        return [{"text": str(item)} for item in earlier] if isinstance(earlier, list) else []


KINDS: dict[str, KindView] = {}

_VERDICT_STYLES = {"keep": "good", "hand_in": "warning", "refuse": "attention"}
_STATUS_COLORS = {
    Status.PENDING: "Default",
    Status.APPROVED: "Good",
    Status.DECLINED: "Attention",
    Status.WITHDRAWN: "Default",
}


def when(moment: datetime | None, locale: str) -> str:
    """A moment in Amsterdam time, as people there write it."""
    if moment is None:
        return ""
    local = moment.astimezone(AMSTERDAM)
    if language_of(locale) == "en":
        return local.strftime("%d %b %Y %H:%M")
    return local.strftime("%d-%m-%Y %H:%M")


def status_line(request: ApprovalRequest, locale: str) -> str:
    moment = request.decided_at or (request.audit[-1].at if request.audit else None)
    prefix = KINDS[request.kind].statuses if request.kind in KINDS else "requests.statuses"
    return text(
        locale,
        f"{prefix}.{request.status.value}",
        approver=request.approver.name or "?",
        date=when(moment, locale),
    )


def yes_no(value: object, locale: str) -> str:
    return text(locale, "common.yes" if value else "common.no")


def request_card(
    request: ApprovalRequest,
    locale: str,
    viewer_id: str,
    note: str = "",
    heading: str = "",
    addition: str = "",
    addition_error: str = "",
) -> dict[str, Any]:
    """The request as `viewer_id` sees it: decision buttons only for its pending approver;
    "add information" and "withdraw" only for its requester while it is pending (`addition`
    keeps what they typed when it was refused with `addition_error`)."""
    view = KINDS[request.kind]
    verdict = ""
    reasons: list[dict[str, str]] = []
    if view.verdicts and request.verdict:
        verdict = text(locale, f"{view.verdicts}.{request.verdict}")
        reasons = [{"text": text(locale, f"{view.reasons}.{r}")} for r in request.reasons]
    history = view.history(request) if view.history_title else []
    pointer = {"requestId": request.id, "requesterId": request.requester.id}
    return render(
        "request",
        locale,
        {
            "heading": heading or text(locale, view.title),
            "title": _title(request, locale),
            "note": note,
            "verdict": verdict,
            "verdictStyle": _VERDICT_STYLES.get(request.verdict, "emphasis"),
            "reasons": reasons,
            "section": view.section,
            "facts": view.facts(request, locale),
            "history": history,
            "historyTitle": text(locale, view.history_title) if view.history_title else "",
            "status": status_line(request, locale),
            "statusColor": _STATUS_COLORS[request.status],
            "comment": text(locale, "requests.decided_comment", comment=request.comment)
            if request.comment
            else "",
            "canDecide": request.pending and viewer_id == request.approver.id,
            "approveTitle": text(locale, view.approve),
            "declineTitle": text(locale, view.decline),
            "advice": request.advice,
            "adviceTitle": text(
                locale,
                "requests.advice_from",
                advisor=request.advisor.name if request.advisor else "",
            ),
            "canAdvise": request.pending
            and request.advisor is not None
            and viewer_id == request.advisor.id,
            "canAmend": request.pending and viewer_id == request.requester.id,
            "notes": [{"text": f"{when(at, locale)}: {note}"} for at, note in notes_of(request)],
            "addition": addition,
            "additionError": addition_error,
            "pointer": pointer,
            "refresh": bool(request.watchers),
            "watchers": list(request.watchers),
            "reference": request.id,
        },
    )


def _title(request: ApprovalRequest, locale: str) -> str:
    summary = str(request.facts.get("summary", "")) or request.id
    return summary


class CardPresenter:
    """The engine's cards (see bot.services.approvals.Presenter)."""

    def approver_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.from", requester=request.requester.name or "?")
        return request_card(request, locale, request.approver.id, heading=heading)

    def decision_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.decision_title")
        return request_card(request, locale, request.requester.id, heading=heading)

    def advisor_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.advice_requested", requester=request.requester.name or "?")
        viewer = request.advisor.id if request.advisor else ""
        return request_card(request, locale, viewer, heading=heading)

    def reminder_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.reminder", requester=request.requester.name or "?")
        return request_card(request, locale, request.approver.id, heading=heading)


FactRow = tuple[str, str, str]  # (label text key, facts key, format: text|yesno|euros|choice:<key>)


def fact_rows(rows: tuple[FactRow, ...]) -> Callable[[ApprovalRequest, str], Facts]:
    """A KindView facts builder from a declarative list; empty optional values are left out."""

    def build(request: ApprovalRequest, locale: str) -> Facts:
        facts = request.facts
        out: Facts = []
        for label, key, kind in rows:
            value = facts.get(key)
            if kind == "yesno":
                shown = yes_no(value, locale)
            elif value in (None, ""):
                continue
            elif kind == "euros":
                shown = format_euros(int(value), language_of(locale))
            elif kind == "quotes":
                shown = quotes_text(value, language_of(locale))
            elif kind.startswith("choice:"):
                shown = text(locale, f"{kind[7:]}.{value}")
            else:
                shown = str(value)
            out.append({"title": text(locale, label), "value": shown})
        return out

    return build
