"""What goes on each register the integrity officer and HR keep (pure).

One register per request kind (gifts, invitations, current side jobs, supplier consents, tenant
ties ...). Each entry is dated by the day its kind files it under (the day a gift was received,
the day of the event, the day a side job started; otherwise the day it was submitted), and its
kind says which requests are on the register (see bot.domain.kinds.Kind).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.kinds import Kind
from bot.domain.requests import ApprovalRequest

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ALL = "all"  # no filter on year or department


def select(
    kind: Kind[Any],
    requests: Iterable[ApprovalRequest],
    year: int | None,
    department: str | None,
    departments: Mapping[str, str],
) -> list[ApprovalRequest]:
    """The register of `kind`, filtered by year and the requester's department (None = all);
    newest first. `departments` maps person id to department (from the directory)."""
    chosen = [
        r
        for r in requests
        if r.kind == kind.name
        and kind.on_register(r)
        and kind.in_year(r, year)
        and (department is None or departments.get(r.requester.id, "") == department)
    ]
    return sorted(chosen, key=lambda r: (kind.register_day(r), r.created_at, r.id), reverse=True)


def years(kind: Kind[Any], requests: Iterable[ApprovalRequest], this_year: int) -> list[int]:
    """Years to offer in the filter: this year and every year an entry is dated, newest first."""
    dated = {kind.register_day(r).year for r in requests if r.kind == kind.name}
    return sorted({this_year, *dated}, reverse=True)
