"""Family and friends looking for or buying a Woongroen home or business space (§1): the
employee declares it, letting and sales is told so the employee is kept out of that case, and
the same rules apply as for everyone else: no priority, no discount. The manager takes note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.choices import Choices
from bot.domain.kinds import Outcome
from bot.domain.records import string
from bot.domain.requests import Choice, Status

SECTION = "§1 Woning zoeken en kopen"
VERDICT = "same_rules"
TIES = ("relative", "friend")
STAGES = ("applies", "offered", "buys")  # signs up or applies, is offered one, buys one
PROPERTIES = ("home", "business")

NOTED = Choice("noted", Status.APPROVED, "positive")
# The code leaves nothing to decide: the manager takes note (one reminder, never escalated).
CHOICES = Choices(by_verdict={VERDICT: (NOTED,)}, acknowledged=frozenset({VERDICT}))


@dataclass(frozen=True)
class Housing:
    """Who (a relative or friend) does what about which Woongroen home or business space."""

    person: str  # name, or how the employee calls them ("mijn zoon")
    tie: str  # relative, friend
    stage: str  # applies, offered, buys
    space: str  # home, business
    address: str  # the address or complex, if known
    remarks: str = ""

    @property
    def summary(self) -> str:
        return f"{self.person}: {self.address}" if self.address else self.person

    def to_record(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "person": self.person,
            "tie": self.tie,
            "stage": self.stage,
            "space": self.space,
            "address": self.address,
            "remarks": self.remarks,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Housing:
        return cls(
            person=string(record, "person"),
            tie=string(record, "tie"),
            stage=string(record, "stage"),
            space=string(record, "space"),
            address=string(record, "address"),
            remarks=string(record, "remarks"),
        )


def housing_rule(housing: Housing) -> Outcome:
    """Always the same: the ordinary rules, no priority and (buying) no discount, and the
    employee stays out of the case; buying names the discount explicitly."""
    reasons = ["same_rules_as_everyone", "no_priority"]
    if housing.stage == "buys":
        reasons.append("no_discount")
    reasons.append("kept_out_of_case")
    return Outcome(VERDICT, tuple(reasons))
