"""The gift rules of the code (§2 "Relatiegeschenken"), pure and in one place.

Outcomes and reasons are stable codes (documented in docs/gift-declarations.md) so registers,
reports and other tools can rely on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from bot.domain.choices import Choice, Choices
from bot.domain.kinds import Outcome
from bot.domain.records import boolean, cents, day, string
from bot.domain.requests import Status

LIMIT_CENTS = 50_00  # an everyday token of appreciation stays under EUR 50.00
SECTION = "§2 Relatiegeschenken"


class Relation(StrEnum):
    SUPPLIER = "supplier"  # supplier or contractor
    TENANT = "tenant"
    BUSINESS = "business"  # other business relation
    OTHER = "other"


class GiftKind(StrEnum):
    GOODS = "goods"
    MONEY = "money"
    VOUCHER = "voucher"  # voucher or gift card
    MEAL = "meal"  # meal or lunch
    OTHER = "other"


class Verdict(StrEnum):
    KEEP = "keep"  # may be accepted and kept; reported to the manager
    HAND_IN = "hand_in"  # a gift to Woongroen: handed in, collected centrally, raffled
    REFUSE = "refuse"  # not accepted: refuse or return it


class Reason(StrEnum):
    MONEY = "money"
    NEGOTIATING = "negotiating"  # the employee said so
    NEGOTIATING_LISTED = "negotiating_listed"  # procurement's list says so
    HOME_ADDRESS = "home_address"
    EVERYDAY_UNDER_LIMIT = "everyday_under_limit"
    AT_OR_ABOVE_LIMIT = "at_or_above_limit"
    NOT_EVERYDAY = "not_everyday"
    REPORT_TO_MANAGER = "report_to_manager"
    WHEN_IN_DOUBT = "when_in_doubt"


@dataclass(frozen=True)
class GiverYear:
    """What one organisation gave across all staff in one year, as the gift register said when
    a gift from it was declared (that gift included)."""

    gifts: int
    cents: int
    colleagues: int


@dataclass(frozen=True)
class Gift:
    giver_name: str
    giver_organisation: str
    relation: Relation
    negotiating: bool
    description: str
    kind: GiftKind
    everyday: bool
    value_cents: int
    received_on: date
    at_home: bool
    remarks: str = ""
    earlier: tuple[str, ...] = ()  # earlier gifts this year from the same giver, as lines
    # Set by the bot at submission, never from the form: the party on procurement's list the
    # giver is, when it was in negotiation on the day of the gift ("" otherwise), and its period.
    listed_party: str = ""
    listed_period: str = ""  # "2026-09-01/2026-12-31"
    giver_year: GiverYear | None = None  # the organisation's gifts this year, all staff

    @property
    def negotiating_listed(self) -> bool:
        """In negotiation according to procurement's list (`negotiating`: the employee's tick)."""
        return bool(self.listed_party)

    @property
    def giver(self) -> str:
        return " / ".join(p for p in (self.giver_name, self.giver_organisation) if p)

    @property
    def summary(self) -> str:
        return f"{self.description} ({self.giver})" if self.giver else self.description

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "summary": self.summary,
            "giverName": self.giver_name,
            "giverOrganisation": self.giver_organisation,
            "relation": self.relation.value,
            "negotiating": self.negotiating,
            "description": self.description,
            "giftKind": self.kind.value,
            "everyday": self.everyday,
            "valueCents": self.value_cents,
            "receivedOn": self.received_on.isoformat(),
            "atHome": self.at_home,
            "remarks": self.remarks,
        }
        if self.earlier:
            record["earlier"] = list(self.earlier)
        # New keys (a stored key never changes meaning): `negotiating` stays the employee's tick.
        # Written only when set, so a record stored before them writes back as it was.
        if self.listed_party:
            record["negotiatingListed"] = True
            record["listedParty"] = self.listed_party
            record["listedPeriod"] = self.listed_period
        if self.giver_year is not None:
            record["giverYearGifts"] = self.giver_year.gifts
            record["giverYearCents"] = self.giver_year.cents
            record["giverYearColleagues"] = self.giver_year.colleagues
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Gift:
        """A stored gift; a partial record (an index entry) reads with neutral defaults."""
        earlier = record.get("earlier")
        gifts = cents(record, "giverYearGifts")
        return cls(
            giver_name=string(record, "giverName"),
            giver_organisation=string(record, "giverOrganisation"),
            relation=_member(Relation, record.get("relation"), Relation.OTHER),
            negotiating=boolean(record, "negotiating"),
            description=string(record, "description"),
            kind=_member(GiftKind, record.get("giftKind"), GiftKind.OTHER),
            everyday=boolean(record, "everyday"),
            value_cents=cents(record, "valueCents") or 0,
            received_on=day(record, "receivedOn") or date.min,
            at_home=boolean(record, "atHome"),
            remarks=string(record, "remarks"),
            earlier=tuple(str(e) for e in earlier) if isinstance(earlier, list) else (),
            listed_party=string(record, "listedParty")
            if boolean(record, "negotiatingListed")
            else "",
            listed_period=string(record, "listedPeriod"),
            giver_year=GiverYear(
                gifts,
                cents(record, "giverYearCents") or 0,
                cents(record, "giverYearColleagues") or 0,
            )
            if gifts
            else None,
        )


E = TypeVar("E", bound=StrEnum)


def _member(enum: type[E], value: object, default: E) -> E:
    try:
        return enum(str(value))
    except ValueError:
        return default


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    section: str = SECTION


def assess_gift(gift: Gift) -> Assessment:
    """What the code implies for this gift, and why (most decisive reason first)."""
    refusals: list[Reason] = []
    if gift.kind is GiftKind.MONEY:
        refusals.append(Reason.MONEY)
    if gift.negotiating:
        refusals.append(Reason.NEGOTIATING)
    if gift.negotiating_listed:
        refusals.append(Reason.NEGOTIATING_LISTED)
    if refusals:
        if gift.at_home:
            refusals.append(Reason.HOME_ADDRESS)
        return Assessment(Verdict.REFUSE, (*refusals, Reason.REPORT_TO_MANAGER))

    hand_in: list[Reason] = []
    if gift.value_cents >= LIMIT_CENTS:
        hand_in.append(Reason.AT_OR_ABOVE_LIMIT)
    if not gift.everyday:
        hand_in.append(Reason.NOT_EVERYDAY)
    if gift.at_home:
        hand_in.append(Reason.HOME_ADDRESS)
    if hand_in:
        return Assessment(Verdict.HAND_IN, (*hand_in, Reason.REPORT_TO_MANAGER))

    return Assessment(
        Verdict.KEEP,
        (Reason.EVERYDAY_UNDER_LIMIT, Reason.REPORT_TO_MANAGER, Reason.WHEN_IN_DOUBT),
    )


def gift_rule(gift: Gift) -> Outcome:
    """The gift rules as the engine stores them (verdict and reason codes)."""
    assessment = assess_gift(gift)
    return Outcome(assessment.verdict.value, tuple(r.value for r in assessment.reasons))


def filed_on(gift: Gift) -> date | None:
    """A gift is filed under the day it was received."""
    return gift.received_on if gift.received_on != date.min else None


# What the manager can make of the code's verdict: go along with it, or make it stricter
# (keep < hand in < give back), never looser. A gift that may be kept is a report to take note
# of: reminded once, never escalated.
KEEP = Choice("keep", Status.APPROVED, "positive")
HAND_IN = Choice("hand_in", Status.APPROVED, "positive")
GIVE_BACK = Choice("give_back", Status.APPROVED, "positive")
CHOICES = Choices(
    by_verdict={
        Verdict.KEEP.value: (
            KEEP,
            Choice("hand_in", Status.DECLINED),
            Choice("give_back", Status.DECLINED, "destructive"),
        ),
        Verdict.HAND_IN.value: (HAND_IN, Choice("give_back", Status.DECLINED, "destructive")),
        Verdict.REFUSE.value: (GIVE_BACK,),
    },
    acknowledged=frozenset({Verdict.KEEP.value}),
)

# What the employee does next: a verdict (while the manager has not decided) or the manager's
# outcome -> the tracked step.
STEPS = {
    Verdict.HAND_IN.value: "hand_in",
    Verdict.REFUSE.value: "give_back",
    "hand_in": "hand_in",
    "give_back": "give_back",
}


def likely_assessment(
    kind: GiftKind | None,
    value_cents: int | None,
    everyday: bool | None,
    at_home: bool | None,
    negotiating: bool | None = None,
) -> Assessment | None:
    """What the code says about a gift known only in part (from a typed sentence, or a form
    half filled in), or None when the facts known do not decide it yet.

    Unknown facts are taken at their mildest (no negotiations, delivered at work, everyday)
    only when a known fact decides anyway: money is refused whatever else; EUR 50 or more, a
    delivery at home or a gift that is not everyday is handed in; under EUR 50 and everyday is
    kept. The caller says which facts were assumed (negotiations above all: they make it a
    refusal)."""
    if kind is not GiftKind.MONEY and not negotiating:
        decided = (
            (value_cents is not None and value_cents >= LIMIT_CENTS)
            or at_home is True
            or everyday is False
            or (value_cents is not None and everyday is True)
        )
        if not decided:
            return None
    gift = Gift(
        giver_name="",
        giver_organisation="",
        relation=Relation.OTHER,
        negotiating=bool(negotiating),
        description="",
        kind=kind or GiftKind.GOODS,
        everyday=everyday if everyday is not None else True,
        value_cents=value_cents or 0,
        received_on=date.min,
        at_home=bool(at_home),
    )
    return assess_gift(gift)
