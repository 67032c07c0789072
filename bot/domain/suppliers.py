"""Private business with a supplier of Woongroen (§2 "Leveranciers"): only with the manager's
consent, given only when the rule would seriously disadvantage the employee (for example the only
provider in the region), and then at market-conform prices, checked with several quotes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.money import format_euros

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
    """The other quotes as one line ("Dakwerken Noord: € 4.800,00; ..."), from stored facts."""
    if not isinstance(quotes, list):
        return ""
    return "; ".join(
        f"{q.get('provider', '')}: {format_euros(int(q.get('amountCents', 0)), language)}"
        for q in quotes
        if isinstance(q, dict)
    )


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
