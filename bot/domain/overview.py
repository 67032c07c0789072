"""The yearly integrity overview for the directeur-bestuurder and the Raad van Commissarissen
(pure): what was declared, what the code said, what was decided and how fast, data leaks, the
trailer's bookings and, as numbers only, the confidential register of violations.

Everything works on plain records, so the numbers can be checked by hand. A request belongs to
the year it was submitted in, a data leak to the year it was discovered in (Amsterdam time), a
trailer booking to the year of the day booked, a violation to the year it was recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean, median
from zoneinfo import ZoneInfo

from bot.domain.kinds import Kinds
from bot.domain.trailer import BookingFact, TrailerCounts, count_year

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STATUSES: tuple[str, ...] = ("approved", "declined", "pending", "withdrawn")
VERDICTS: tuple[str, ...] = ("keep", "hand_in", "refuse")
REFUSAL_REASONS: tuple[str, ...] = ("money", "negotiating")  # what makes a gift a refusal
AP_PERIOD = timedelta(hours=72)
# The violations register's numbers, in this order (bot.domain.violations.counts' keys).
VIOLATION_FIGURES: tuple[str, ...] = (
    "recorded", "decided", "none", "warning", "reprimand", "transfer", "suspension", "dismissal",
)  # fmt: skip


@dataclass(frozen=True)
class RequestRecord:
    """One request, as much as the overview needs."""

    kind: str
    status: str  # approved, declined, pending, withdrawn
    verdict: str  # for gifts: keep, hand_in, refuse
    reasons: tuple[str, ...]
    submitted_at: datetime
    decided_at: datetime | None = None
    value_cents: int | None = None  # kinds with a value (gifts and invitations)


@dataclass(frozen=True)
class LeakRecord:
    """One data-leak report: when it was discovered and what the AP decision was."""

    discovered_at: datetime
    ap_decided_at: datetime | None = None
    ap_notified: bool = False  # the decision was "yes, tell the AP"


@dataclass(frozen=True)
class KindFigures:
    """Counts and decision times of one kind (or `all`)."""

    kind: str
    count: int
    value_cents: int
    statuses: Mapping[str, int]
    median_hours: float | None  # submission to decision, decided requests only
    mean_hours: float | None


@dataclass(frozen=True)
class LeakFigures:
    count: int
    decided_within_72h: int  # the AP decision was recorded within 72 hours of discovery
    share_within_72h: float | None  # percent of all reports; None without reports
    notified: int


@dataclass(frozen=True)
class Overview:
    year: int
    kinds: tuple[KindFigures, ...]
    total: KindFigures
    verdicts: Mapping[str, int]  # verdicts under the code of the judged kinds (gifts)
    refusals: Mapping[str, int]  # of those to refuse, per deciding reason (one may have both)
    quarters: Mapping[str, tuple[int, int, int, int]]  # declarations per kind per quarter
    leaks: LeakFigures
    trailer: TrailerCounts = field(default_factory=lambda: TrailerCounts(0, 0, 0))
    # The confidential register as numbers only (VIOLATION_FIGURES): no names, no facts.
    violations: Mapping[str, int] = field(
        default_factory=lambda: dict.fromkeys(VIOLATION_FIGURES, 0)
    )


def local_year(moment: datetime) -> int:
    return moment.astimezone(AMSTERDAM).year


def quarter(moment: datetime) -> int:
    """1 to 4, by the Amsterdam calendar."""
    return (moment.astimezone(AMSTERDAM).month - 1) // 3 + 1


def hours_to_decision(record: RequestRecord) -> float | None:
    """Elapsed hours from submission to decision; None while undecided or withdrawn."""
    if record.decided_at is None or record.status not in ("approved", "declined"):
        return None
    return (record.decided_at - record.submitted_at).total_seconds() / 3600


def kind_figures(kind: str, records: Sequence[RequestRecord]) -> KindFigures:
    hours = [h for h in map(hours_to_decision, records) if h is not None]
    counted = Counter(r.status for r in records)
    return KindFigures(
        kind=kind,
        count=len(records),
        value_cents=sum(r.value_cents or 0 for r in records),
        statuses={s: counted.get(s, 0) for s in STATUSES},
        median_hours=round(median(hours), 1) if hours else None,
        mean_hours=round(mean(hours), 1) if hours else None,
    )


def leak_figures(leaks: Sequence[LeakRecord]) -> LeakFigures:
    within = sum(
        1
        for leak in leaks
        if leak.ap_decided_at is not None and leak.ap_decided_at - leak.discovered_at <= AP_PERIOD
    )
    share = round(100 * within / len(leaks), 1) if leaks else None
    return LeakFigures(len(leaks), within, share, sum(1 for leak in leaks if leak.ap_notified))


def yearly_overview(
    kinds: Kinds,
    requests: Iterable[RequestRecord],
    leaks: Iterable[LeakRecord],
    year: int,
    trailer: Iterable[BookingFact] = (),
    violations: Mapping[str, int] | None = None,
) -> Overview:
    """The overview of `year`, one line per kind of `kinds` (in their order); `violations` are
    the confidential register's counts of that year (`bot.domain.violations.counts`)."""
    mine = [r for r in requests if local_year(r.submitted_at) == year]
    by_kind = {k: [r for r in mine if r.kind == k] for k in kinds.names}
    judged = [r for k in kinds if k.judged for r in by_kind[k.name]]
    verdicts = Counter(r.verdict for r in judged)
    refusals = Counter(reason for r in judged if r.verdict == "refuse" for reason in r.reasons)
    refused = {reason: refusals.get(reason, 0) for reason in REFUSAL_REASONS}
    quarters: dict[str, tuple[int, int, int, int]] = {}
    for kind, records in by_kind.items():
        counts = Counter(quarter(r.submitted_at) for r in records)
        quarters[kind] = (counts[1], counts[2], counts[3], counts[4])
    return Overview(
        year=year,
        kinds=tuple(kind_figures(k, by_kind[k]) for k in kinds.names),
        total=kind_figures("all", mine),
        verdicts={v: verdicts.get(v, 0) for v in VERDICTS},
        refusals=refused,
        quarters=quarters,
        leaks=leak_figures([leak for leak in leaks if local_year(leak.discovered_at) == year]),
        trailer=count_year(trailer, year),
        violations={f: (violations or {}).get(f, 0) for f in VIOLATION_FIGURES},
    )
