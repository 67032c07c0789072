"""What goes on each register the integrity officer and HR keep (pure).

One register per request kind: gifts (§2 Relatiegeschenken), invitations (§2 Uitnodigingen),
current side jobs (§4 Nevenfuncties), supplier consents (§2 Leveranciers) and tenant ties
(§2 Huurders). Each entry is dated by what it is about: the day a gift was received, the day of
the event, the day a side job started; supplier consents and tenant ties by their submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.requests import ApprovalRequest, Status

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KINDS: tuple[str, ...] = ("gift", "invitation", "sidejob", "supplier", "tenant")
ALL = "all"  # no filter on year or department

_DATE_FACT = {"gift": "receivedOn", "invitation": "eventDate", "sidejob": "start"}


def register_day(request: ApprovalRequest) -> date:
    """The day an entry is about (falls back to the day it was submitted, Amsterdam time)."""
    raw = request.facts.get(_DATE_FACT.get(request.kind, ""))
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return request.created_at.astimezone(AMSTERDAM).date()


def on_register(request: ApprovalRequest) -> bool:
    """Withdrawn requests are not on a register; the side-job register holds only current ones
    (approved and not ended)."""
    if request.kind == "sidejob":
        return request.status is Status.APPROVED and not request.facts.get("endedOn")
    return request.status is not Status.WITHDRAWN


def in_year(request: ApprovalRequest, year: int | None) -> bool:
    """Dated in `year`; a current side job counts for every year from its start on."""
    if year is None:
        return True
    day = register_day(request)
    return day.year <= year if request.kind == "sidejob" else day.year == year


def select(
    requests: Iterable[ApprovalRequest],
    kind: str,
    year: int | None,
    department: str | None,
    departments: Mapping[str, str],
) -> list[ApprovalRequest]:
    """The register of `kind`, filtered by year and the requester's department (None = all);
    newest first. `departments` maps person id to department (from the directory)."""
    chosen = [
        r
        for r in requests
        if r.kind == kind
        and on_register(r)
        and in_year(r, year)
        and (department is None or departments.get(r.requester.id, "") == department)
    ]
    return sorted(chosen, key=lambda r: (register_day(r), r.created_at, r.id), reverse=True)


def years(requests: Iterable[ApprovalRequest], this_year: int) -> list[int]:
    """Years to offer in the filter: this year and every year an entry is dated, newest first."""
    return sorted({this_year, *(register_day(r).year for r in requests)}, reverse=True)
