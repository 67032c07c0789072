"""Borrowing company property (§3 "We gebruiken bedrijfsmiddelen niet privé").

What Woongroen owns serves its tenants and is not for private use. The code's rule in our
words, per kind of thing asked about:

- things worth a lot are not lent: the code names "hundreds or thousands of euros" and tools as
  its example, because loss, theft or damage would cost too much. We read "hundreds" as from
  € 100 on (`HIGH_VALUE_CENTS`), and tools as refused whatever their stated value (the code's
  own example, with the trailer as its one exception: footnote 1, booked in its own flow);
- the office printer for an occasional copy or print of one's own, and material taken along
  for work done for Woongroen at home or elsewhere, are fine: answered, nothing filed;
- a business phone, laptop or tablet is outside the code: its user agreement applies;
- anything else below € 100 is put to the manager, who decides (approve or decline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.kinds import Outcome
from bot.domain.records import cents, string

SECTION = "§3 Bedrijfsmiddelen"
HIGH_VALUE_CENTS = 100_00  # "honderden of duizenden euro's": from € 100 on

CATEGORIES = ("tool", "printer", "work_material", "device", "trailer", "other")

# Verdicts answered on the spot: nothing is filed, nobody is asked.
REFUSED_HIGH_VALUE = "refused_high_value"
REFUSED_TOOL = "refused_tool"
FINE_OCCASIONAL = "fine_occasional"
FINE_FOR_WORK = "fine_for_work"
USER_AGREEMENT = "user_agreement"
TRAILER = "trailer_booking"
MANAGER_DECIDES = "manager_decides"
ANSWERED = frozenset(
    {REFUSED_HIGH_VALUE, REFUSED_TOOL, FINE_OCCASIONAL, FINE_FOR_WORK, USER_AGREEMENT, TRAILER}
)


@dataclass(frozen=True)
class Borrowing:
    """Something of Woongroen's an employee wants to use privately, and its rough value."""

    item: str
    category: str  # one of CATEGORIES
    value_cents: int | None

    @property
    def summary(self) -> str:
        return self.item

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "item": self.item,
            "category": self.category,
            "valueCents": self.value_cents,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Borrowing:
        return cls(string(record, "item"), string(record, "category"), cents(record, "valueCents"))


def needs_value(category: str) -> bool:
    """The form asks the rough value of what might be lent (tools are refused anyway)."""
    return category == "other"


def borrowing_rule(borrowing: Borrowing) -> Outcome:
    category = borrowing.category
    if category == "device":
        return Outcome(USER_AGREEMENT, ("device_user_agreement",))
    if category == "printer":
        return Outcome(FINE_OCCASIONAL, ("printer_occasional",))
    if category == "work_material":
        return Outcome(FINE_FOR_WORK, ("material_for_work",))
    if category == "trailer":
        return Outcome(TRAILER, ("trailer_exception",))
    if category == "tool":
        return Outcome(REFUSED_TOOL, ("tools_not_lent", "cost_of_loss"))
    if borrowing.value_cents is not None and borrowing.value_cents >= HIGH_VALUE_CENTS:
        return Outcome(REFUSED_HIGH_VALUE, ("high_value", "cost_of_loss"))
    return Outcome(MANAGER_DECIDES, ("not_for_private_use",))
