"""Side jobs (§4 "Nevenfuncties"): those that take structural time or touch Woongroen are known
to the manager and HR; the manager judges, after consulting HR, whether they conflict."""

from __future__ import annotations

from dataclasses import dataclass

SECTION = "§4 Nevenfuncties"
VERDICT = "manager_after_hr"


@dataclass(frozen=True)
class SideJobAssessment:
    verdict: str
    reasons: tuple[str, ...]


def assess_side_job(touches_woongroen: bool) -> SideJobAssessment:
    reasons = ["known_to_manager_and_hr"]
    if touches_woongroen:
        reasons.append("touches_woongroen")
    reasons.append("no_conflict_no_problem")
    return SideJobAssessment(VERDICT, tuple(reasons))
