"""Violations and measures (the code's introduction: the code is not without obligation).

A manager records a suspected violation of the code by someone on their own team and may
propose a measure; only the director (directeur-bestuurder) decides on a measure, from a
warning up to ending the contract, and the decision is recorded; the employee concerned is told
only what the director chooses to write to them (nothing at all when the director writes
nothing).

The register is confidential: the director and the integrity officer only, and every view
(the list and each record) is written on the record's trail. It is kept apart from the request
engine on purpose (see docs/violations.md): a request kind would put it on the registers HR and
the integrity officer export, in the recording manager's "mijn meldingen" and in the overview.
Pure: time and people are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.people import Person, Role

SECTION = "Inleiding: de gedragscode is niet vrijblijvend"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
READERS = frozenset({Role.DIRECTOR, Role.INTEGRITY_OFFICER})
# A case about the director goes the RvC's way: recorded by the RvC chair (the director's
# employer), read and decided by the chair and the vice-chair, never by the director or by
# someone who reports to the director.
RVC_READERS = frozenset({Role.RVC_CHAIR, Role.RVC_VICE_CHAIR})
ALL_READERS = READERS | RVC_READERS
MAX_MESSAGE = 2000


class Measure(StrEnum):
    """From light to heavy; `none` is a decision too (no measure)."""

    NONE = "none"
    WARNING = "warning"  # waarschuwing
    REPRIMAND = "reprimand"  # schriftelijke berisping
    TRANSFER = "transfer"  # overplaatsing
    SUSPENSION = "suspension"  # schorsing
    DISMISSAL = "dismissal"  # beëindiging van het dienstverband


PROPOSABLE = tuple(m.value for m in Measure if m is not Measure.NONE)
DECIDABLE = tuple(m.value for m in Measure)


class Refused(Exception):
    """What the rule does not allow; `code` is a text key under violations.refusals."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    by: str  # the person's id
    action: str  # recorded, listed, viewed, decided, told, not_told


@dataclass(frozen=True)
class Violation:
    tenant_id: str
    id: str
    employee_id: str
    employee_name: str
    manager_id: str
    manager_name: str
    rule: str  # which rule of the code, in the manager's words (e.g. "§2 Relatiegeschenken")
    what: str
    proposed: Measure | None
    recorded_at: datetime
    decision: Measure | None = None
    decided_by: str = ""
    decided_at: datetime | None = None
    message: str = ""  # what the director wrote to the employee ("": nothing)
    trail: tuple[TrailEntry, ...] = field(default_factory=tuple)
    about_director: bool = False  # the RvC's case: the director is the one concerned

    @property
    def decided(self) -> bool:
        return self.decision is not None


def check_recording(
    manager_id: str, employee: Person | None, roles: frozenset[Role] = frozenset()
) -> Person:
    """Only the employee's own manager records a suspected violation, never about themselves;
    about the director, only the RvC chair (`roles`: the recorder's)."""
    if employee is None:
        raise Refused("unknown_employee")
    if employee.id == manager_id:
        raise Refused("own_case")
    if employee.has(Role.DIRECTOR) and employee.active and Role.RVC_CHAIR in roles:
        return employee
    if employee.manager_id != manager_id:
        raise Refused("not_your_team")
    return employee


def team_of(
    manager_id: str, people: Iterable[Person], roles: frozenset[Role] = frozenset()
) -> list[Person]:
    """The manager's direct reports still in service, by name; for the RvC chair the
    director too."""
    return sorted(
        (
            p
            for p in people
            if p.active
            and p.id != manager_id
            and (p.manager_id == manager_id or (Role.RVC_CHAIR in roles and p.has(Role.DIRECTOR)))
        ),
        key=lambda p: p.name,
    )


def may_read(roles: frozenset[Role]) -> bool:
    return bool(roles & ALL_READERS)


def readable(violation: Violation, roles: frozenset[Role]) -> bool:
    """A case about the director is the RvC's (chair, vice-chair); every other case is the
    director's and the integrity officer's."""
    return bool(roles & (RVC_READERS if violation.about_director else READERS))


def viewed(violation: Violation, by: str, at: datetime, action: str = "viewed") -> Violation:
    """Every look at the register leaves a line on the record's trail."""
    return replace(violation, trail=(*violation.trail, TrailEntry(at, by, action)))


def decide(
    violation: Violation,
    by: str,
    roles: frozenset[Role],
    measure: Measure,
    message: str,
    at: datetime,
) -> Violation:
    """The director's decision, once; on a case about the director, the RvC chair's (or
    vice-chair's) instead."""
    deciders = RVC_READERS if violation.about_director else frozenset({Role.DIRECTOR})
    if not roles & deciders:
        raise Refused("rvc_only" if violation.about_director else "director_only")
    if violation.employee_id == by:
        raise Refused("own_case")
    if violation.decided:
        raise Refused("already_decided")
    if len(message) > MAX_MESSAGE:
        raise Refused("message_too_long")
    return replace(
        violation,
        decision=measure,
        decided_by=by,
        decided_at=at,
        message=message,
        trail=(*violation.trail, TrailEntry(at, by, "decided")),
    )


def retained_from(violation: Violation) -> datetime:
    """Where its retention period starts: the director's decision; a case never decided, its
    recording (a suspicion nobody acted on is not kept for ever either)."""
    return violation.decided_at or violation.recorded_at


def counts(violations: Iterable[Violation], year: int) -> dict[str, int]:
    """What an overview may show: numbers only (recorded in `year`, decided, per measure)."""
    found = [v for v in violations if v.recorded_at.astimezone(AMSTERDAM).year == year]
    out = {"recorded": len(found), "decided": sum(1 for v in found if v.decided)}
    for measure in Measure:
        out[measure.value] = sum(1 for v in found if v.decision is measure)
    return out
