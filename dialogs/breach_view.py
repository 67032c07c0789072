"""How the privacy officer's dossier reads: the case details, the risk assessment, the AP form,
the letter to the people affected (art. 34) and the questions to the reporter.

Pure presentation: a breach in, template data or text out. The reporter never sees any of this
but the questions (see dialogs.dataleak.receipt_card): the officer's notes, reasons and
assessment stay with the privacy office.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.breaches import (
    AMSTERDAM,
    Answer3,
    Breach,
    DataCategory,
    DataKind,
    PeopleRange,
    Proposal,
    Risk,
    RiskFactors,
    propose_risk,
    time_left,
)
from cards import text, texts_for
from cards.dates import day_text
from dialogs.base import CardAction
from dialogs.forms import MAX_ECHO, clean_text
from dialogs.requests_view import when

# The reporter's kinds of data, as a first guess of the officer's categories.
_CATEGORY_OF: Mapping[DataKind, DataCategory] = {
    DataKind.NAME_ADDRESS: DataCategory.ORDINARY,
    DataKind.CONTACT: DataCategory.ORDINARY,
    DataKind.OTHER: DataCategory.ORDINARY,
    DataKind.BSN: DataCategory.BSN,
    DataKind.ID_COPY: DataCategory.BSN,
    DataKind.FINANCIAL: DataCategory.FINANCIAL,
    DataKind.SPECIAL: DataCategory.SPECIAL,
    DataKind.LOGIN: DataCategory.PASSWORDS,
}


def duration(span: timedelta, locale: str) -> str:
    """A span as people say it: '2 d 5 u', '5 u 10 min', '40 min' (never negative)."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return text(locale, "dataleak.duration.days_hours", days=days, hours=hours)
    if hours:
        return text(locale, "dataleak.duration.hours_minutes", hours=hours, minutes=mins)
    return text(locale, "dataleak.duration.minutes", minutes=mins)


def first_factors(breach: Breach) -> RiskFactors:
    """The factors as recorded, or a first guess from the report."""
    if breach.assessment is not None:
        return breach.assessment.factors
    f = breach.facts
    categories = tuple(dict.fromkeys(_CATEGORY_OF[k] for k in f.data_kinds)) or (
        DataCategory.ORDINARY,
    )
    return RiskFactors(
        categories=categories,
        people=f.people or PeopleRange.UNKNOWN,
        identifiable=True,
        encrypted=f.encrypted is Answer3.YES,
        recovered=False,
        ongoing=f.ongoing is not Answer3.NO,
    )


def factor_values(factors: RiskFactors) -> dict[str, str]:
    """The assessment inputs' values for a set of factors."""

    def flag(value: bool) -> str:
        return "true" if value else "false"

    return {
        "riskCategories": ",".join(c.value for c in factors.categories),
        "riskPeople": factors.people.value,
        "riskIdentifiable": flag(factors.identifiable),
        "riskEncrypted": flag(factors.encrypted),
        "riskRecovered": flag(factors.recovered),
        "riskOngoing": flag(factors.ongoing),
    }


def proposal_lines(proposal: Proposal, locale: str) -> list[dict[str, str]]:
    t = texts_for(locale)["dataleak"]["risk"]
    lines = [{"text": text(locale, "dataleak.risk.proposal", risk=t["levels"][proposal.risk])}]
    lines += [{"text": "• " + t["reasons"][code]} for code in proposal.reasons]
    return lines


def assessment_lines(breach: Breach, locale: str) -> list[dict[str, str]]:
    a = breach.assessment
    if a is None:
        return [{"text": text(locale, "dataleak.risk.none_yet")}]
    levels = texts_for(locale)["dataleak"]["risk"]["levels"]
    key = "confirmed" if a.decided is a.proposed.risk else "changed"
    line = text(
        locale,
        f"dataleak.risk.{key}",
        proposed=levels[a.proposed.risk],
        decided=levels[a.decided],
        who=a.by.name or "?",
        date=when(a.at, locale),
    )
    lines = [{"text": line}]
    if a.reason:
        lines.append({"text": text(locale, "dataleak.office.status.reason", reason=a.reason)})
    return lines


def clock_line(breach: Breach, locale: str, now: datetime) -> str:
    """Where the 72 hours start, and how much is left (or how long ago they ended)."""
    start = "aware" if breach.aware is not None else "discovered"
    left = time_left(breach.clock_start, now)
    remaining = (
        text(locale, "dataleak.office.left", time=duration(left, locale))
        if left >= timedelta(0)
        else text(locale, "dataleak.office.overdue", time=duration(left, locale))
    )
    return text(
        locale,
        f"dataleak.ap.clock_{start}",
        start=when(breach.clock_start, locale),
        deadline=when(breach.deadline, locale),
        left=remaining,
    )


def ap_form(breach: Breach, locale: str, contact: str) -> list[dict[str, str]]:
    """Everything the AP's online form asks, in its order, filled from the case."""
    t = texts_for(locale)["dataleak"]
    f = breach.facts
    a = breach.assessment
    factors = a.factors if a else first_factors(breach)
    categories = ", ".join(t["risk"]["categories"][c] for c in factors.categories)
    data_kinds = ", ".join(t["data"][k.value] for k in f.data_kinds)
    ongoing = t["answers3"][f.ongoing.value]
    yes, no = text(locale, "common.yes"), text(locale, "common.no")
    late = ""
    if breach.notification is not None:
        late = breach.notification.late_reason
    rows = [
        ("about", t["ap"]["about_new"] if breach.notification is None else t["ap"]["about_more"]),
        ("contact", contact),
        ("occurred", when(f.occurred_at, locale)),
        ("aware", when(breach.clock_start, locale)),
        ("ongoing", ongoing),
        ("late_reason", late),
        ("summary", f.description),
        ("kind", t["kinds"][f.kind.value] if f.kind else ""),
        ("data", "; ".join(x for x in (categories, data_kinds) if x)),
        ("people", t["people_ranges"][factors.people.value]),
        ("vulnerable", yes if DataCategory.CHILDREN in factors.categories else ""),
        ("prior_measures", yes if factors.encrypted else no),
        ("consequences", breach.consequences),
        ("subjects", _subjects(breach, locale)),
        ("measures", breach.measures or f.measures),
    ]
    return [{"title": t["ap"]["form"][key], "value": value or "—"} for key, value in rows]


def _subjects(breach: Breach, locale: str) -> str:
    if breach.subjects is None:
        return ""
    return text(locale, "common.yes" if breach.subjects.yes else "common.no")


def draft_letter(breach: Breach, locale: str, contact: str) -> str:
    """The letter to the people affected (art. 34(2)): what happened, the likely consequences,
    the measures, whom to contact; in plain words, for the officer to edit."""
    f = breach.facts
    return text(
        locale,
        "dataleak.letter.draft",
        occurred=day_text(f.occurred_at.astimezone(AMSTERDAM).date(), locale),
        what=f.description,
        consequences=breach.consequences or text(locale, "dataleak.letter.no_consequences"),
        measures=breach.measures or f.measures or text(locale, "dataleak.letter.no_measures"),
        contact=contact,
        reference=breach.id,
    )


def letter_texts(breach: Breach, contact: str) -> tuple[str, str]:
    """The saved letter (Dutch, English), or the drafts."""
    if breach.letter is not None:
        return breach.letter.nl, breach.letter.en
    return draft_letter(breach, "nl-NL", contact), draft_letter(breach, "en-US", contact)


def questions(breach: Breach, locale: str) -> list[dict[str, str]]:
    """The questions to the reporter with the answers and their times."""
    out = []
    for q in breach.questions:
        line = text(locale, "dataleak.questions.asked", date=when(q.asked.at, locale), text=q.text)
        if q.answer:
            answer = text(
                locale,
                "dataleak.questions.answered",
                date=when(q.answered_at, locale),
                text=q.answer,
            )
        else:
            answer = text(locale, "dataleak.questions.waiting")
        out.append({"text": line, "answer": answer})
    return out


def notification_lines(breach: Breach, locale: str) -> list[dict[str, str]]:
    n = breach.notification
    if n is None:
        return []
    key = "reported_late" if n.late else "reported"
    lines = [
        text(
            locale,
            f"dataleak.ap.{key}",
            date=when(n.reported_at, locale),
            reference=n.reference,
            who=n.by.name or "?",
        )
    ]
    if n.late_reason:
        lines.append(text(locale, "dataleak.ap.late_reason_line", reason=n.late_reason))
    for u in breach.ap_updates:
        lines.append(
            text(
                locale,
                f"dataleak.ap.{u.kind.value}_line",
                date=when(u.at, locale),
                who=u.by.name or "?",
                text=u.text,
            )
        )
    return [{"text": line} for line in lines]


def risk_choices(locale: str) -> list[dict[str, str]]:
    levels = texts_for(locale)["dataleak"]["risk"]["levels"]
    follow = text(locale, "dataleak.risk.follow")
    return [{"title": follow, "value": ""}] + [{"title": levels[r], "value": r.value} for r in Risk]


def category_choices(locale: str) -> list[dict[str, str]]:
    names = texts_for(locale)["dataleak"]["risk"]["categories"]
    return [{"title": names[c], "value": c.value} for c in DataCategory]


def people_choices(locale: str) -> list[dict[str, str]]:
    names = texts_for(locale)["dataleak"]["people_ranges"]
    return [{"title": names[p], "value": p.value} for p in PeopleRange]


def preview(factors: RiskFactors) -> Proposal:
    return propose_risk(factors)


# --- What the officer typed on the case card ------------------------------------------

LIMITS = {
    "consequences": 2000,
    "measuresTaken": 2000,
    "riskReason": 1000,
    "apReference": 100,
    "apLateReason": 1000,
    "apUpdate": 2000,
    "letterNl": 3000,  # the card stays under Teams' 28 KB with both letters on it
    "letterEn": 3000,
    "question": 500,
    "answer": 1000,
}
TYPED = (
    "awareDate",
    "awareTime",
    *LIMITS,
    "riskCategories",
    "riskPeople",
    "riskIdentifiable",
    "riskEncrypted",
    "riskRecovered",
    "riskOngoing",
    "riskDecision",
    "apDate",
    "apTime",
)


def typed(action: CardAction, key: str) -> str:
    raw = action.data.get(key)
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if not isinstance(raw, str):
        return ""
    return clean_text(raw)[: LIMITS.get(key, 200)]


def kept(action: CardAction) -> dict[str, str]:
    """What the officer typed, to show again (nothing is lost on a refusal; like the forms,
    an over-long value is echoed up to MAX_ECHO)."""
    out = {}
    for key in TYPED:
        raw = action.data.get(key)
        if isinstance(raw, bool):
            out[key] = "true" if raw else "false"
        elif isinstance(raw, str):
            out[key] = clean_text(raw)[:MAX_ECHO]
    return out
