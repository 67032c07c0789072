"""Private business with a supplier of Woongroen (§2 "Leveranciers"): only with the manager's
consent, given only when the rule would seriously disadvantage the employee (for example the only
provider in the region), and then at market-conform prices, checked with several quotes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.kinds import Outcome
from bot.domain.money import format_euros
from bot.domain.records import cents, string

SECTION = "§2 Leveranciers"
MIN_QUOTES = 2
VERDICT = "manager_consent"


class PricePosition(StrEnum):
    WITHIN = "price_within_range"
    ABOVE = "price_above_range"  # dearer than every other quote
    BELOW = "price_below_range"  # cheaper than every other quote: is it a staff discount?


@dataclass(frozen=True)
class SupplierAssessment:
    verdict: str
    position: PricePosition
    reasons: tuple[str, ...]


def quotes_text(quotes: object, language: str = "nl") -> str:
    """The other quotes as one line ("Dakwerken Noord: € 4.800,00; ..."), from facts or a record."""
    if not isinstance(quotes, list | tuple):
        return ""
    shown = []
    for q in quotes:
        if isinstance(q, Quote):
            shown.append(f"{q.provider}: {format_euros(q.amount_cents, language)}")
        elif isinstance(q, dict):
            amount = int(q.get("amountCents", 0))
            shown.append(f"{q.get('provider', '')}: {format_euros(amount, language)}")
    return "; ".join(shown)


def price_position(supplier_cents: int, other_quotes: Sequence[int]) -> PricePosition:
    """Where the supplier's price sits against the range of the other quotes (bounds included)."""
    if len(other_quotes) < MIN_QUOTES:
        raise ValueError(f"at least {MIN_QUOTES} other quotes are needed")
    if supplier_cents > max(other_quotes):
        return PricePosition.ABOVE
    if supplier_cents < min(other_quotes):
        return PricePosition.BELOW
    return PricePosition.WITHIN


def assess_supplier_business(
    supplier_cents: int, other_quotes: Sequence[int]
) -> SupplierAssessment:
    position = price_position(supplier_cents, other_quotes)
    reasons = ("only_with_consent", position.value, "no_staff_discount")
    return SupplierAssessment(VERDICT, position, reasons)


@dataclass(frozen=True)
class Quote:
    provider: str
    amount_cents: int


@dataclass(frozen=True)
class SupplierBusiness:
    """Private business with a supplier: what, why, its price and the other quotes."""

    supplier: str
    what: str
    reason: str
    amount_cents: int
    quotes: tuple[Quote, ...]

    @property
    def summary(self) -> str:
        return f"{self.what} ({self.supplier})"

    @property
    def position(self) -> PricePosition | None:
        """Where the supplier's price sits (None for a record with too few quotes)."""
        others = [q.amount_cents for q in self.quotes]
        return price_position(self.amount_cents, others) if len(others) >= MIN_QUOTES else None

    def to_record(self) -> dict[str, Any]:
        position = self.position
        return {
            "summary": self.summary,
            "supplier": self.supplier,
            "what": self.what,
            "reason": self.reason,
            "amountCents": self.amount_cents,
            "quotes": [
                {"provider": q.provider, "amountCents": q.amount_cents} for q in self.quotes
            ],
            "pricePosition": position.value if position else "",
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SupplierBusiness:
        raw = record.get("quotes")
        quotes = tuple(
            Quote(string(q, "provider"), cents(q, "amountCents") or 0)
            for q in (raw if isinstance(raw, list) else [])
            if isinstance(q, dict)
        )
        return cls(
            supplier=string(record, "supplier"),
            what=string(record, "what"),
            reason=string(record, "reason"),
            amount_cents=cents(record, "amountCents") or 0,
            quotes=quotes,
        )


def supplier_rule(business: SupplierBusiness) -> Outcome:
    assessment = assess_supplier_business(
        business.amount_cents, [q.amount_cents for q in business.quotes]
    )
    return Outcome(assessment.verdict, assessment.reasons)
