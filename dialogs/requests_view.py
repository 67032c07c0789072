"""How a request looks on a card, for each viewer; every request kind plugs in its facts here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.amend import notes_of
from bot.domain.kinds import Kind, Kinds
from bot.domain.requests import ApprovalRequest, Choice, Person, Status, lacking_advice
from cards import render, text
from cards.dates import day_text, moment_text
from cards.render import card_json
from cards.texts import text_if_any
from dialogs.kinds import RequestKind, request_kind

_VERDICT_STYLES = {"keep": "good", "hand_in": "warning", "refuse": "attention"}
_OUTCOME_STYLES = {
    Status.APPROVED: "good",
    Status.DECLINED: "warning",
    Status.WITHDRAWN: "emphasis",
}
_STATUS_COLORS = {
    Status.PENDING: "Default",
    Status.APPROVED: "Good",
    Status.DECLINED: "Attention",
    Status.WITHDRAWN: "Default",
}


def when(moment: datetime | None, locale: str) -> str:
    """A moment in Amsterdam time, as people there write it (cards.dates)."""
    return moment_text(moment, locale)


def _first(locale: str, keys: list[str], **values: object) -> str:
    """The first of `keys` that has a text (a kind's own before the shared one)."""
    for key in keys[:-1]:
        found = text_if_any(locale, key)  # none, or a group where a text was asked: the next
        if found is None:
            continue
        try:
            return found.format(**values) if values else found
        except KeyError:  # it names a value this caller does not have: the next
            continue
    return text(locale, keys[-1], **values)


def choice_title(view: RequestKind[Any], verdict: str, choice: Choice, locale: str) -> str:
    """A decision button's label: the kind's own for this verdict, or for any verdict."""
    base = {"approve": view.approve, "decline": view.decline}.get(choice.code, "")
    keys = [f"{view.name}.choices.{verdict}.{choice.code}", f"{view.name}.choices.{choice.code}"]
    return _first(locale, [*keys, base] if base else keys)


def outcome_title(kinds: Kinds, request: ApprovalRequest, locale: str, requester: bool) -> str:
    """What was decided, as one line for the person reading it ("" while undecided)."""
    kind = kinds.get(request.kind)
    return outcome_text(kind, request, locale, requester) if kind is not None else ""


def outcome_text(kind: Kind[Any], request: ApprovalRequest, locale: str, requester: bool) -> str:
    """`outcome_title` for a request of `kind`."""
    code = kind.outcome_of(request)
    if not code:
        return ""
    who = "you" if requester else "others"
    return _first(
        locale,
        [
            f"{request.kind}.outcomes.{code}.{who}",
            f"requests.outcomes.{request.status.value}.{who}",
        ],
    )


def status_line(kinds: Kinds, request: ApprovalRequest, locale: str, viewer_id: str = "") -> str:
    """Where the request stands, for `viewer_id`: "Wacht op jouw besluit" for its approver,
    "Wacht op het besluit van Pieter Bakker" for anyone else; once decided, who decided what
    and when."""
    kind = request_kind(kinds, request.kind)
    prefix = kind.statuses if kind is not None else "requests.statuses"
    if request.pending:
        if viewer_id and request.may_be_decided_by(viewer_id):
            return text(locale, "requests.waiting_you")
        return text(locale, "requests.waiting", approver=request.approver.name or "?")
    if request.status is Status.WITHDRAWN:
        moment = request.closed_at() or (request.audit[-1].at if request.audit else None)
        return text(locale, "requests.statuses.withdrawn", date=when(moment, locale))
    decider = request.decided_by or request.approver.id
    name = (
        text(locale, "requests.you")
        if viewer_id and viewer_id == decider
        else _decider_name(request, decider)
    )
    code = kind.outcome_of(request) if kind is not None else ""
    return _first(
        locale,
        [
            f"{request.kind}.statuses.{code}",
            f"{prefix}.{code}",
            f"{prefix}.{request.status.value}",
        ],
        approver=name,
        date=when(request.decided_at, locale),
    )


def _decider_name(request: ApprovalRequest, decider: str) -> str:
    for person in request.deciders:
        if person.id == decider:
            return person.name or "?"
    return "?"


def step_line(request: ApprovalRequest, locale: str, requester: bool) -> str:
    """What happens next (hand in by ..., give back), or that it was done, for the reader."""
    step = request.step
    if step is None or request.status is Status.WITHDRAWN:
        return ""
    if step.done_at is not None:
        return text(locale, f"requests.steps.{step.code}.done", date=when(step.done_at, locale))
    who = "you" if requester else "others"
    return text(
        locale,
        f"requests.steps.{step.code}.{who}",
        to=step.to or text(locale, "requests.steps.secretariat"),
        due=day_text(step.due_on, locale),
        requester=request.requester.name or "?",
    )


# Teams refuses a card message over 28 KB; a card carrying the request's sealed copy on its
# buttons is kept below this (counted in UTF-8 bytes of its compact JSON, as it is sent: the
# activity around it stays within the margin).
CARD_BUDGET = 24_000


def request_card(
    kinds: Kinds,
    request: ApprovalRequest,
    locale: str,
    viewer_id: str,
    note: str = "",
    heading: str = "",
    addition: str = "",
    addition_error: str = "",
    colleagues: list[Person] | None = None,
    colleague_error: str = "",
    comment: str = "",
    advice: str = "",
    sealed: str = "",
    position: str | None = None,
) -> dict[str, Any]:
    """The request as `viewer_id` sees it: decision buttons (the kind's choices for its
    verdict) only for its pending approver (carrying `sealed`, the stored request's sealed
    copy, so the decision needs no read: bot.storage.requests.sealed_request); "add
    information" and "withdraw" only for its requester while it is pending (`addition` keeps
    what they typed when it was refused with `addition_error`; `advice` and `position` keep
    what its advisor gave when that was refused). Once decided or withdrawn, the outcome is at
    the top, where the verdict was, and the facts fold away beneath it."""
    view = request_kind(kinds, request.kind)
    if view is None:
        raise LookupError(f"{request.id}: no request kind {request.kind!r} in this app")
    requester = viewer_id == request.requester.id
    verdict = ""
    reasons: list[dict[str, str]] = []
    if view.verdicts and request.verdict:
        who = "you" if requester else "others"
        keys = [f"{view.verdicts}.{request.verdict}.{who}", f"{view.verdicts}.{request.verdict}"]
        if view.advisor_role is not None and request.advisor is None:
            # nobody to advise: say what actually happens
            lacking = f"{view.verdicts}_no_advisor.{request.verdict}"
            keys = [f"{lacking}.{who}", lacking, *keys]
        verdict = _first(locale, keys)
        reasons = [
            {"text": _first(locale, [f"{view.reasons}.{r}.{who}", f"{view.reasons}.{r}"])}
            for r in request.reasons
        ]
    history = [{"text": line} for line in view.history_of(request)] if view.history_title else []
    pointer = {"requestId": request.id, "requesterId": request.requester.id}
    can_decide = request.pending and request.may_be_decided_by(viewer_id)
    blocked = view.blocked(request) if can_decide else None
    held = view.choices.withheld(request) if can_decide and blocked is None else None
    offered = view.choices.open_to(request)
    if colleagues:  # picking who takes the case over: only the choices that need a colleague
        offered = tuple(c for c in offered if c.needs_colleague)
    choices = [
        {
            "verb": f"request.{choice.code}",
            "title": choice_title(view, request.verdict, choice, locale),
            "style": choice.style,
        }
        for choice in offered
    ]
    can_advise = request.pending and request.advisor is not None and viewer_id == request.advisor.id
    decided = request.status in (Status.APPROVED, Status.DECLINED)
    closed = not request.pending
    outcome = outcome_title(kinds, request, locale, requester) if decided else ""
    step = request.step
    card = render(
        "request",
        locale,
        {
            "heading": heading or text(locale, view.title),
            "title": _title(request, locale),
            "note": note,
            "closed": closed,
            "outcome": outcome,
            "outcomeStyle": _OUTCOME_STYLES.get(request.status, "emphasis"),
            "showFacts": not closed,
            "verdict": "" if closed else verdict,
            "verdictStyle": _VERDICT_STYLES.get(request.verdict, "emphasis"),
            "reasons": reasons,
            "section": view.section,
            "facts": view.rows_of(request, locale),
            "history": history,
            "historyTitle": text(locale, view.history_title) if view.history_title else "",
            "status": _with_assignee_line(
                request,
                _with_advice_line(request, status_line(kinds, request, locale, viewer_id), locale),
                locale,
                viewer_id,
            ),
            "colleagues": [{"title": p.name or p.id, "value": p.id} for p in colleagues or []],
            "colleagueLabel": text(locale, "requests.colleague_label"),
            "colleagueError": colleague_error or text(locale, "requests.colleague_required"),
            "colleagueProblem": colleague_error,
            "commentValue": comment,
            "adviceValue": advice,
            "statusColor": _STATUS_COLORS[request.status],
            "comment": text(locale, "requests.decided_comment", comment=request.comment)
            if request.comment
            else "",
            "step": step_line(request, locale, requester),
            "pendingStep": step_line(request, locale, requester) if not closed else "",
            "canConfirmStep": requester
            and step is not None
            and step.code == "give_back"
            and not step.done
            and request.status is not Status.WITHDRAWN,
            "giverMessages": view.giver_messages(request) if requester and step else [],
            "canDecide": can_decide and blocked is None,
            "blocked": view.blocked_text(request, blocked, locale) if blocked else "",
            "withheld": view.withheld_text(request, held.why, locale) if held else "",
            "choices": choices,
            "commentLabel": _first(locale, [f"{view.name}.comment_label", "requests.comment"]),
            "commentPlaceholder": _first(
                locale, [f"{view.name}.comment_placeholder", "requests.comment_placeholder"]
            ),
            "adviceShown": request.advised,
            "advice": request.advice,
            "adviceTitle": advice_title(view, request, locale),
            "canAdvise": can_advise,
            **_advice_form(view, request, locale, can_advise, position),
            "canAmend": request.pending and requester,
            "notes": [{"text": f"{when(at, locale)}: {note}"} for at, note in notes_of(request)],
            "addition": addition,
            "additionError": addition_error,
            "pointer": pointer,
            "decidePointer": {**pointer, "sealed": sealed} if sealed and can_decide else pointer,
            "refresh": bool(request.watchers),
            "watchers": list(request.watchers),
            "reference": request.id,
        },
    )
    if sealed and len(card_json(card)) > CARD_BUDGET:
        # The copy rides on each decision button: on a long request it would take the card
        # past what Teams takes. Without it the decision reads the request first, as from the tab.
        return request_card(
            kinds,
            request,
            locale,
            viewer_id,
            note=note,
            heading=heading,
            addition=addition,
            addition_error=addition_error,
            colleagues=colleagues,
            colleague_error=colleague_error,
            comment=comment,
            advice=advice,
            position=position,
        )
    return card


def advice_title(view: RequestKind[Any], request: ApprovalRequest, locale: str) -> str:
    """The heading of the advice on a card or page: whose advice ("Advies van Joost Visser"),
    or, with a position, whose position it is and since when ("Akkoord van Communicatie
    (Fatima el Amrani) op 3 december 2026 om 10:12")."""
    advisor = (request.advisor.name if request.advisor else "") or "?"
    position = request.advice_position
    if position:
        keys = [f"{view.name}.position_from.{position}", f"requests.position_from.{position}"]
        return _first(locale, keys, advisor=advisor, date=when(request.advised_at, locale))
    return _first(locale, [f"{view.name}.advice_from", "requests.advice_from"], advisor=advisor)


def _advice_form(
    view: RequestKind[Any],
    request: ApprovalRequest,
    locale: str,
    can_advise: bool,
    position: str | None,
) -> dict[str, Any]:
    """The advisor's inputs: the text (free-text advice, or the remarks with a position) and,
    on a kind whose advice is a position, its choices (the one given so far picked)."""
    positions = [
        {"title": view.position_text(p.code, locale), "value": p.code}
        for p in view.advice_positions
    ]
    return {
        "positions": positions if can_advise else [],
        "positionValue": request.advice_position if position is None else position,
        "positionLabel": _first(locale, [f"{view.name}.position_label", "requests.position_label"]),
        "positionError": text(locale, "requests.refused.position_required"),
        "adviceLabel": _first(locale, [f"{view.name}.advice_label", "requests.advice_label"]),
    }


def _with_advice_line(request: ApprovalRequest, status: str, locale: str) -> str:
    """The status, and that it is (to be) decided without the advice it asked for, and why."""
    lacking = lacking_advice(request)
    if lacking is None or request.status is Status.WITHDRAWN:
        return status
    return f"{status}. {text(locale, f'requests.without_advice.{lacking}')}"


def _with_assignee_line(request: ApprovalRequest, status: str, locale: str, viewer_id: str) -> str:
    """The status, and who has the case now once it was handed over, for the reader."""
    assignee = request.assignee
    if assignee is None or request.status is Status.WITHDRAWN:
        return status
    if viewer_id == assignee.id:
        line = text(locale, "requests.assignee.you")
    elif viewer_id == request.requester.id:
        line = text(locale, "requests.assignee.requester", name=assignee.name or "?")
    else:
        line = text(locale, "requests.assignee.others", name=assignee.name or "?")
    return f"{status}. {line}"


def _title(request: ApprovalRequest, locale: str) -> str:
    return request.facts.summary or request.id


def noun(kinds: Kinds, name: str, locale: str) -> str:
    """A kind named as a noun in lists and headings ("Cadeaumelding", "Nevenfunctie")."""
    for key in (f"{name}.names.noun", f"{name}.title"):
        try:
            return text(locale, key)
        except (KeyError, TypeError):
            continue
    return text(locale, "personal.unknown_kind")


class CardPresenter:
    """The engine's cards (see bot.services.approvals.Presenter), for the app's kinds."""

    def __init__(self, kinds: Kinds) -> None:
        self.kinds = kinds
        # One presenter serves one turn: a decision's approver card is sent to update the chat
        # card and then answers the click, the same card for the same request version, so it is
        # rendered once (cards are never changed after rendering, see SharedAttachment).
        self._rendered: dict[tuple[int, str, str], tuple[ApprovalRequest, dict[str, Any]]] = {}

    def _from(self, request: ApprovalRequest, locale: str, key: str = "requests.from") -> str:
        return text(
            locale,
            key,
            kind=noun(self.kinds, request.kind, locale),
            requester=request.requester.name or "?",
        )

    def approver_card(
        self, request: ApprovalRequest, locale: str, note: str = "", *, sealed: str = ""
    ) -> dict[str, Any]:
        # The request is kept with it, so its id stays its own.
        key = (id(request), locale, f"{note}\n{sealed}")
        done = self._rendered.get(key)
        if done is not None and done[0] is request:
            return done[1]
        card = request_card(
            self.kinds,
            request,
            locale,
            request.approver.id,
            heading=self._from(request, locale),
            note=note,
            sealed=sealed,
        )
        if len(self._rendered) < 8:
            self._rendered[key] = (request, card)
        return card

    def decision_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = text(
            locale, "requests.decision_title", kind=noun(self.kinds, request.kind, locale)
        )
        return request_card(self.kinds, request, locale, request.requester.id, heading=heading)

    def withdrawal_notice(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        """The approver is told that the requester withdrew it: nothing left to decide."""
        return request_card(
            self.kinds,
            request,
            locale,
            request.approver.id,
            heading=self._from(request, locale, "requests.withdrawn_heading"),
            note=text(locale, "requests.withdrawn_notice", requester=request.requester.name or "?"),
        )

    def advisor_card(
        self, request: ApprovalRequest, locale: str, reminder: bool = False
    ) -> dict[str, Any]:
        key = "requests.advice_reminder" if reminder else "requests.advice_requested"
        heading = self._from(request, locale, key)
        viewer = request.advisor.id if request.advisor else ""
        return request_card(self.kinds, request, locale, viewer, heading=heading)

    def handover_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        """The colleague a case was handed over to: the case, with its reference."""
        heading = self._from(request, locale, "requests.handover_heading")
        viewer = request.assignee.id if request.assignee else ""
        note = text(
            locale,
            "requests.handover_note",
            approver=request.approver.name or "?",
            reference=request.id,
        )
        return request_card(self.kinds, request, locale, viewer, heading=heading, note=note)

    def receipt_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        """The requester's own card, as a withdrawal on it leaves it (the tab's withdrawal)."""
        note = text(locale, "personal.withdrawn") if request.status is Status.WITHDRAWN else ""
        return request_card(self.kinds, request, locale, request.requester.id, note=note)

    def picker_card(
        self,
        request: ApprovalRequest,
        locale: str,
        people: list[Person],
        comment: str = "",
        error: str = "",
    ) -> dict[str, Any]:
        """The approver picks the colleague who takes the case over (from the directory)."""
        return request_card(
            self.kinds,
            request,
            locale,
            request.approver.id,
            heading=self._from(request, locale),
            colleagues=people,
            colleague_error=error,
            comment=comment,
        )

    def reminder_card(self, request: ApprovalRequest, locale: str) -> dict[str, Any]:
        heading = self._from(request, locale, "requests.reminder")
        return request_card(self.kinds, request, locale, request.approver.id, heading=heading)

    def overdue_card(self, request: ApprovalRequest, locale: str, viewer_id: str) -> dict[str, Any]:
        """A gift to hand in has not arrived: the employee is reminded, later the approver."""
        requester = viewer_id == request.requester.id
        key = "overdue_you" if requester else "overdue"
        return request_card(
            self.kinds,
            request,
            locale,
            viewer_id,
            heading=text(
                locale, f"requests.steps.hand_in.{key}", requester=request.requester.name or "?"
            ),
        )

    def overdue_notice(
        self, request: ApprovalRequest, locale: str, viewer_id: str
    ) -> dict[str, Any]:
        """A role (Communicatie, the director) has not decided in time: their overseer is told,
        for information only (`viewer_id` is not a decider, so the card has no buttons)."""
        role = text(locale, f"requests.approver_roles.{request.approver_role.value}")
        note = text(
            locale,
            "requests.overdue_notice",
            approver=request.approver.name or "?",
            role=role,
            reference=request.id,
        )
        heading = self._from(request, locale, "requests.overdue_notice_heading")
        return request_card(self.kinds, request, locale, viewer_id, heading=heading, note=note)

    def feed_texts(self, request: ApprovalRequest, locale: str, escalated: bool) -> tuple[str, str]:
        key = "feed.escalated" if escalated else "feed.reminder"
        return text(locale, key, reference=request.id), text(locale, "feed.topic")
