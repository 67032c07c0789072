"""How a request looks on a card, for each viewer; every request kind plugs in its facts here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.amend import notes_of
from bot.domain.kinds import Kinds
from bot.domain.requests import ApprovalRequest, Status
from cards import language_of, render, text
from dialogs.kinds import request_kind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


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


def status_line(kinds: Kinds, request: ApprovalRequest, locale: str) -> str:
    moment = request.decided_at or (request.audit[-1].at if request.audit else None)
    kind = request_kind(kinds, request.kind)
    prefix = kind.statuses if kind is not None else "requests.statuses"
    return text(
        locale,
        f"{prefix}.{request.status.value}",
        approver=request.approver.name or "?",
        date=when(moment, locale),
    )


def request_card(
    kinds: Kinds,
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
    view = request_kind(kinds, request.kind)
    if view is None:
        raise LookupError(f"{request.id}: no request kind {request.kind!r} in this app")
    verdict = ""
    reasons: list[dict[str, str]] = []
    if view.verdicts and request.verdict:
        verdict = text(locale, f"{view.verdicts}.{request.verdict}")
        reasons = [{"text": text(locale, f"{view.reasons}.{r}")} for r in request.reasons]
    history = [{"text": line} for line in view.history_of(request)] if view.history_title else []
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
            "facts": view.rows_of(request, locale),
            "history": history,
            "historyTitle": text(locale, view.history_title) if view.history_title else "",
            "status": status_line(kinds, request, locale),
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
    return request.facts.summary or request.id


class CardPresenter:
    """The engine's cards (see bot.services.approvals.Presenter), for the app's kinds."""

    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds

    def approver_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.from", requester=request.requester.name or "?")
        return request_card(self.kinds, request, locale, request.approver.id, heading=heading)

    def decision_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.decision_title")
        return request_card(self.kinds, request, locale, request.requester.id, heading=heading)

    def advisor_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.advice_requested", requester=request.requester.name or "?")
        viewer = request.advisor.id if request.advisor else ""
        return request_card(self.kinds, request, locale, viewer, heading=heading)

    def reminder_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(locale, "requests.reminder", requester=request.requester.name or "?")
        return request_card(self.kinds, request, locale, request.approver.id, heading=heading)
