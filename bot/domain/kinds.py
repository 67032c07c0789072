"""A request kind, as the domain knows it: its typed facts, its rule, the day it is filed under,
whether it is on its register, and what the yearly overview counts of it.

Each kind lives in one module (`dialogs/<kind>.py`, which adds the form, cards and register
columns on top of this); the app factory passes the one tuple of kinds in, and every list of
kinds (menu, registers, overview, the storage codec) is derived from that tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.choices import Choices
from bot.domain.requests import ApprovalRequest, Facts, Position, Status

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
F = TypeVar("F", bound=Facts)


@dataclass(frozen=True)
class Outcome:
    """What a kind's rule makes of its facts: the verdict and its reasons (stable codes)."""

    verdict: str
    reasons: tuple[str, ...] = ()


def _filed_on_submission(facts: Facts) -> date | None:
    return None


def _no_value(facts: Facts) -> int | None:
    return None


def _not_collected(facts: Facts) -> tuple[str, int] | None:
    return None


def _never_blocked(request: ApprovalRequest) -> str | None:
    return None


def _from_closing(request: ApprovalRequest) -> datetime | None:
    return request.closed_at()


def _unless_withdrawn(status: Status, facts: Facts) -> bool:
    return status is not Status.WITHDRAWN


@dataclass(frozen=True, kw_only=True)
class Kind(Generic[F]):
    """One request kind's rules (pure)."""

    name: str  # stored in every request: gift, invitation, sidejob ...
    prefix: str  # reference prefix: CAD-..., UIT-...
    facts_type: type[F]
    from_record: Callable[[Mapping[str, Any]], F]  # stored record -> facts (tolerates gaps)
    rule: Callable[[F], Outcome]
    # The day an entry is about (None: the day it was submitted, Amsterdam time).
    filed_on: Callable[[F], date | None] = _filed_on_submission
    has_register: bool = True  # the integrity officer and HR keep a register of this kind
    # Whether a request in this status is on the kind's register (withdrawn ones are not).
    registered: Callable[[Status, F], bool] = _unless_withdrawn
    # A register entry counts for every year from the day it is filed under (current side
    # jobs), not only for that day's year.
    counts_onwards: bool = False
    value_cents: Callable[[F], int | None] = _no_value  # shown and summed when `valued`
    valued: bool = False
    judged: bool = False  # the overview counts its verdicts under the code (gifts)
    choices: Choices = field(default_factory=Choices)  # what the approver can decide, per verdict
    # Why the approver cannot decide yet (a refusal code, e.g. waiting for HR's advice).
    blocked: Callable[[ApprovalRequest], str | None] = _never_blocked
    # What its advisor answers: none, free text (HR on a side job); else one of these
    # positions, with the text as remarks (Communicatie on an interview: agree, disagree).
    advice_positions: tuple[Position, ...] = ()
    # What the requester does next, tracked as the request's Step: a verdict (while pending)
    # or an outcome (once decided) -> a step code (hand_in, give_back).
    steps: Mapping[str, str] = field(default_factory=dict)
    # From when its retention period counts (None: not yet, it is still kept for what it is,
    # e.g. a side job that is still current); by default from when it was decided or withdrawn.
    retained_from: Callable[[ApprovalRequest], datetime | None] = _from_closing
    # What the secretariat's collection register shows of it when it is handed in.
    collect_as: Callable[[F], tuple[str, int] | None] = _not_collected

    def outcome_of(self, request: ApprovalRequest) -> str:
        """The code of what the approver decided ("" while undecided)."""
        return self.choices.outcome_of(request)

    def collected_as(self, request: ApprovalRequest) -> tuple[str, int] | None:
        """(description, value in cents) on the collection register, for kinds collected."""
        return self.collect_as(self.facts_of(request))

    def step_code(self, request: ApprovalRequest) -> str | None:
        """The step that follows where the request stands now (None: nothing to track)."""
        if request.status is Status.WITHDRAWN:
            return None
        return self.steps.get(self.outcome_of(request) if not request.pending else request.verdict)

    def facts_of(self, request: ApprovalRequest) -> F:
        """The request's facts as this kind's type (a request of another kind is a bug)."""
        if request.kind != self.name or not isinstance(request.facts, self.facts_type):
            raise TypeError(f"{request.id} is not a {self.name} request")
        return request.facts

    def register_day(self, request: ApprovalRequest) -> date:
        """The day the request is filed under on its register."""
        day = self.filed_on(self.facts_of(request))
        return day if day is not None else request.created_at.astimezone(AMSTERDAM).date()

    def on_register(self, request: ApprovalRequest) -> bool:
        """Whether the request is on its kind's register now."""
        return self.has_register and self.registered(request.status, self.facts_of(request))

    def in_year(self, request: ApprovalRequest, year: int | None) -> bool:
        """Dated in `year` (or from its start on, see `counts_onwards`); None: every year."""
        if year is None:
            return True
        day = self.register_day(request)
        return day.year <= year if self.counts_onwards else day.year == year

    def value_of(self, request: ApprovalRequest) -> int | None:
        """The value the yearly overview counts (None for kinds without one)."""
        return self.value_cents(self.facts_of(request)) if self.valued else None


@dataclass(frozen=True)
class RecordFacts:
    """Facts of a kind this app does not know (any more): kept as stored, so nothing is lost."""

    record: Mapping[str, Any]

    @property
    def summary(self) -> str:
        return str(self.record.get("summary", ""))

    def to_record(self) -> dict[str, Any]:
        return dict(self.record)


class Kinds:
    """The request kinds of one app, in menu order; the one list every other list comes from."""

    def __init__(self, kinds: tuple[Kind[Any], ...]) -> None:
        names = [k.name for k in kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"request kinds named twice: {names}")
        self._kinds = kinds
        self._by_name = {k.name: k for k in kinds}

    def __iter__(self) -> Iterator[Kind[Any]]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        """The kinds' names, in order."""
        return tuple(self._by_name)

    def get(self, name: str) -> Kind[Any] | None:
        """The kind of that name, or None when this app has no such kind."""
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> Kind[Any]:
        return self._by_name[name]

    def read_facts(self, kind: str, record: Mapping[str, Any]) -> Facts:
        """A stored record as its kind's facts (an unknown kind's record is kept as it is)."""
        found = self._by_name.get(kind)
        return found.from_record(record) if found is not None else RecordFacts(record)
