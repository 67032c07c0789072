"""Data-leak reports (the breach register) in Table storage.

`breaches`: partition = tenant, so the register is one partition. Row `b|<id>` is the report
(facts, decisions, delivery state, the message id of every alert); rows `t|<id>|<seq>` are its
append-only audit trail. A change is one entity-group transaction: the ETag-guarded replace of
the report plus its new trail rows, all or nothing. The register reads only the `b|` rows.
`exports`: partition = the SHA-256 of a random download token, row = `ticket` (see
`bot.storage.exports`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.domain.breaches import (
    Addition,
    Answer3,
    ApNotification,
    ApUpdate,
    ApUpdateKind,
    Assessment,
    Awareness,
    Breach,
    BreachStatus,
    DataCategory,
    DataKind,
    Decision,
    Delivery,
    LeakFacts,
    LeakKind,
    Letter,
    Mark,
    PeopleRange,
    Person,
    Proposal,
    Question,
    Risk,
    RiskFactors,
    reporter_status,
)
from bot.storage.audit import audit_columns, audit_entries
from bot.storage.errors import NotFound
from bot.storage.store import Row, TableStore, Write

BREACHES = "breaches"
EXPORTS = "exports"
TABLES: tuple[str, ...] = (BREACHES, EXPORTS)


@dataclass(frozen=True)
class ReporterView:
    """What "mijn meldingen" shows of a report: never more than its status."""

    id: str
    reported_at: datetime
    status: str  # received, assessing, closed (bot.domain.breaches.reporter_status)


@dataclass(frozen=True)
class StoredBreach:
    breach: Breach
    etag: str


class BreachRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def create(self, breach: Breach) -> StoredBreach:
        """Write a new report with its trail (AlreadyExists when written before)."""
        writes = [Write("insert", _key(breach.id), _columns(breach)), _mine(breach)]
        writes += [
            Write("insert", _trail_key(breach.id, n), audit_columns(e))
            for n, e in enumerate(breach.audit)
        ]
        etags = await self._store.transact(BREACHES, breach.tenant_id, writes)
        return StoredBreach(breach, etags[0] or "")

    async def get(self, tenant_id: str, breach_id: str) -> StoredBreach | None:
        try:
            head = await self._store.get(BREACHES, tenant_id, _key(breach_id))
        except NotFound:
            return None
        prefix = f"t|{breach_id}|"
        trail = await self._store.query(BREACHES, tenant_id, prefix, prefix + "}")
        return StoredBreach(_breach(tenant_id, head, trail), head.etag or "")

    async def update(self, stored: StoredBreach, updated: Breach) -> StoredBreach:
        """Replace the report if unchanged since read (else Conflict) and append its trail."""
        old = len(stored.breach.audit)
        writes = [Write("replace", _key(updated.id), _columns(updated), stored.etag)]
        if reporter_status(updated) != reporter_status(stored.breach):
            writes.append(_mine(updated))
        writes += [
            Write("insert", _trail_key(updated.id, old + n), audit_columns(e))
            for n, e in enumerate(updated.audit[old:])
        ]
        etags = await self._store.transact(BREACHES, updated.tenant_id, writes)
        return StoredBreach(updated, etags[0] or "")

    async def register(self, tenant_id: str) -> list[Breach]:
        """Every report of the tenant (without trails), newest discovery first."""
        rows = await self._store.query(BREACHES, tenant_id, "b|", "b}")
        breaches = [_breach(tenant_id, row, []) for row in rows]
        return sorted(breaches, key=lambda b: b.facts.discovered_at, reverse=True)

    async def by_reporter(self, tenant_id: str, reporter_id: str) -> list[ReporterView]:
        """The reporter's own reports, newest first: their index rows only (one range query,
        whatever the size of the register)."""
        prefix = f"r|{reporter_id}|"
        rows = await self._store.query(BREACHES, tenant_id, prefix, prefix + "}")
        views = [
            ReporterView(
                row.row[len(prefix) :],
                datetime.fromisoformat(str(row.data["ReportedAt"])),
                str(row.data["ReporterStatus"]),
            )
            for row in rows
        ]
        return sorted(views, key=lambda v: v.reported_at, reverse=True)

    async def backfill_reporter_index(self) -> int:
        """Write the reporter's index row of every report that has none (a migration)."""
        rows = await self._store.scan(BREACHES, {})
        heads = [r for r in rows if r.row.startswith("b|")]
        indexed = {(r.partition, r.row.rsplit("|", 1)[-1]) for r in rows if r.row.startswith("r|")}
        written = 0
        for head in heads:
            if (head.partition, head.row[2:]) in indexed:
                continue
            breach = _breach(head.partition, head, [])
            await self._store.transact(BREACHES, head.partition, [_mine(breach)])
            written += 1
        return written

    async def untold_reporters(self) -> list[Breach]:
        """Delivered reports whose reporter has not been told so yet (for the redelivery job)."""
        rows = await self._store.scan(
            BREACHES, {"Delivery": Delivery.DELIVERED.value, "ReporterTold": False}
        )
        return [_breach(row.partition, row, []) for row in rows]

    async def running_clocks(self) -> list[Breach]:
        """Reports still waiting for an AP decision, in every tenant (for the reminder job).

        Without trails: read the report with `get` before changing it."""
        rows = await self._store.scan(BREACHES, {"Clock": "running"})
        return [_breach(row.partition, row, []) for row in rows]

    async def not_with_privacy_office(self) -> list[Breach]:
        """Reports whose alert has not reached the privacy office yet (for redelivery)."""
        rows: list[Row] = []
        for state in (Delivery.PENDING, Delivery.REROUTED, Delivery.UNDELIVERED):
            rows += await self._store.scan(BREACHES, {"Delivery": state.value})
        return [_breach(row.partition, row, []) for row in rows]

    async def closed_before(self, cutoff: datetime) -> list[Breach]:
        """Closed reports, closed before `cutoff` (a scan: the retention job only)."""
        rows = await self._store.scan(BREACHES, {"Status": BreachStatus.CLOSED.value})
        out = []
        for row in rows:
            if not row.row.startswith("b|"):
                continue
            breach = _breach(row.partition, row, [])
            if breach.closed is not None and breach.closed.at < cutoff:
                out.append(breach)
        return out

    async def remove(self, tenant_id: str, breach_id: str) -> None:
        """The report and its trail, the trail first (a crash leaves the head findable)."""
        prefix = f"t|{breach_id}|"
        trail = await self._store.query(BREACHES, tenant_id, prefix, prefix + "}")
        try:
            head = await self._store.get(BREACHES, tenant_id, _key(breach_id))
            mine = [f"r|{head.data['ReporterId']}|{breach_id}"]
        except NotFound:
            mine = []
        rows = [*(r.row for r in sorted(trail, key=lambda r: r.row)), *mine, _key(breach_id)]
        for start in range(0, len(rows), 100):
            writes = [Write("delete", row) for row in rows[start : start + 100]]
            await self._store.transact(BREACHES, tenant_id, writes)


def _mine(breach: Breach) -> Write:
    """The reporter's index row `r|<reporter>|<id>`: in the same partition, so it is written in
    the report's own transaction (all or nothing); status only."""
    return Write(
        "upsert",
        f"r|{breach.reporter.id}|{breach.id}",
        {"ReportedAt": breach.reported_at.isoformat(), "ReporterStatus": reporter_status(breach)},
    )


def _key(breach_id: str) -> str:
    return f"b|{breach_id}"


def _trail_key(breach_id: str, number: int) -> str:
    return f"t|{breach_id}|{number:04d}"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


def _mark(mark: Mark | None) -> str:
    if mark is None:
        return ""
    return json.dumps({"at": mark.at.isoformat(), "by": asdict(mark.by)}, ensure_ascii=False)


def _decision(decision: Decision | None) -> str:
    if decision is None:
        return ""
    return json.dumps(
        {
            "yes": decision.yes,
            "reason": decision.reason,
            "at": decision.at.isoformat(),
            "by": asdict(decision.by),
            "late": decision.late,
        },
        ensure_ascii=False,
    )


def _facts(facts: LeakFacts) -> str:
    return json.dumps(
        {
            "description": facts.description,
            "occurredAt": facts.occurred_at.isoformat(),
            "discoveredAt": facts.discovered_at.isoformat(),
            "ongoing": facts.ongoing.value,
            "kind": facts.kind.value if facts.kind else "",
            "dataKinds": [k.value for k in facts.data_kinds],
            "people": facts.people.value if facts.people else "",
            "encrypted": facts.encrypted.value if facts.encrypted else "",
            "measures": facts.measures,
        },
        ensure_ascii=False,
    )


def _columns(breach: Breach) -> dict[str, Any]:
    return {
        "ReporterId": breach.reporter.id,
        "ReporterName": breach.reporter.name,
        "ReportedAt": breach.reported_at.isoformat(),
        "DiscoveredAt": breach.facts.discovered_at.isoformat(),
        "Deadline": breach.deadline.isoformat(),
        "Status": breach.status.value,
        "Facts": _facts(breach.facts),
        "Acknowledged": _mark(breach.acknowledged),
        "Ap": _decision(breach.ap),
        "Subjects": _decision(breach.subjects),
        "Closed": _mark(breach.closed),
        "Additions": json.dumps(
            [{"at": a.at.isoformat(), "text": a.text} for a in breach.additions],
            ensure_ascii=False,
        ),
        "RemindersSent": breach.reminders_sent,
        "Alerts": json.dumps({k: list(v) for k, v in breach.alerts.items()}),
        "Attempts": breach.attempts,
        "Delivery": breach.delivery,
        "ClaimedAt": _iso(breach.claimed_at),
        # Scanned by the reminder job: only reports whose clock still runs.
        "Clock": "running" if breach.clock_running else "stopped",
        **_dossier_columns(breach),
    }


def _person(p: Person) -> dict[str, str]:
    return asdict(p)


def _dossier_columns(breach: Breach) -> dict[str, Any]:
    """The privacy office's dossier: one JSON column per part (each under the 32K limit)."""
    a, n, letter = breach.assessment, breach.notification, breach.letter
    return {
        "Aware": json.dumps(
            {
                "at": breach.aware.at.isoformat(),
                "recorded": json.loads(_mark(breach.aware.recorded)),
            }
            if breach.aware
            else None
        ),
        "Consequences": breach.consequences,
        "Measures": breach.measures,
        "Assessment": json.dumps(
            {
                "categories": [c.value for c in a.factors.categories],
                "people": a.factors.people.value,
                "identifiable": a.factors.identifiable,
                "encrypted": a.factors.encrypted,
                "recovered": a.factors.recovered,
                "ongoing": a.factors.ongoing,
                "proposed": a.proposed.risk.value,
                "reasons": list(a.proposed.reasons),
                "decided": a.decided.value,
                "reason": a.reason,
                "at": a.at.isoformat(),
                "by": _person(a.by),
            }
            if a
            else None,
            ensure_ascii=False,
        ),
        "Notification": json.dumps(
            {
                "reportedAt": n.reported_at.isoformat(),
                "reference": n.reference,
                "lateReason": n.late_reason,
                "late": n.late,
                "at": n.at.isoformat(),
                "by": _person(n.by),
            }
            if n
            else None,
            ensure_ascii=False,
        ),
        "ApUpdates": json.dumps(
            [
                {"kind": u.kind.value, "text": u.text, "at": u.at.isoformat(), "by": _person(u.by)}
                for u in breach.ap_updates
            ],
            ensure_ascii=False,
        ),
        "Questions": json.dumps(
            [
                {
                    "number": q.number,
                    "text": q.text,
                    "asked": json.loads(_mark(q.asked)),
                    "answer": q.answer,
                    "answeredAt": _iso(q.answered_at),
                }
                for q in breach.questions
            ],
            ensure_ascii=False,
        ),
        "LetterNl": letter.nl if letter else "",
        "LetterEn": letter.en if letter else "",
        "Letter": json.dumps(
            {"at": letter.at.isoformat(), "by": _person(letter.by)} if letter else None
        ),
        "ReporterTold": breach.reporter_told,
    }


def _json(raw: object, default: Any) -> Any:
    return json.loads(str(raw)) if raw else default


def _read_dossier(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    aware = _json(d.get("Aware"), None)
    if aware:
        recorded = _read_mark(json.dumps(aware["recorded"]))
        assert recorded is not None
        out["aware"] = Awareness(datetime.fromisoformat(aware["at"]), recorded)
    out["consequences"] = str(d.get("Consequences") or "")
    out["measures"] = str(d.get("Measures") or "")
    a = _json(d.get("Assessment"), None)
    if a:
        factors = RiskFactors(
            tuple(DataCategory(c) for c in a["categories"]),
            PeopleRange(a["people"]),
            bool(a["identifiable"]),
            bool(a["encrypted"]),
            bool(a["recovered"]),
            bool(a["ongoing"]),
        )
        out["assessment"] = Assessment(
            factors,
            Proposal(Risk(a["proposed"]), tuple(a["reasons"])),
            Risk(a["decided"]),
            str(a["reason"]),
            datetime.fromisoformat(a["at"]),
            Person(**a["by"]),
        )
    n = _json(d.get("Notification"), None)
    if n:
        out["notification"] = ApNotification(
            datetime.fromisoformat(n["reportedAt"]),
            str(n["reference"]),
            str(n["lateReason"]),
            bool(n["late"]),
            datetime.fromisoformat(n["at"]),
            Person(**n["by"]),
        )
    out["ap_updates"] = tuple(
        ApUpdate(
            ApUpdateKind(u["kind"]), u["text"], datetime.fromisoformat(u["at"]), Person(**u["by"])
        )
        for u in _json(d.get("ApUpdates"), [])
    )
    questions = []
    for q in _json(d.get("Questions"), []):
        asked = _read_mark(json.dumps(q["asked"]))
        assert asked is not None
        answered = q.get("answeredAt") or ""
        questions.append(
            Question(
                int(q["number"]),
                str(q["text"]),
                asked,
                str(q.get("answer", "")),
                datetime.fromisoformat(answered) if answered else None,
            )
        )
    out["questions"] = tuple(questions)
    letter = _json(d.get("Letter"), None)
    if letter:
        out["letter"] = Letter(
            str(d.get("LetterNl") or ""),
            str(d.get("LetterEn") or ""),
            datetime.fromisoformat(letter["at"]),
            Person(**letter["by"]),
        )
    out["reporter_told"] = bool(d.get("ReporterTold", False))
    return out


def _read_mark(raw: object) -> Mark | None:
    if not raw:
        return None
    data = json.loads(str(raw))
    return Mark(datetime.fromisoformat(data["at"]), Person(**data["by"]))


def _read_decision(raw: object) -> Decision | None:
    if not raw:
        return None
    data = json.loads(str(raw))
    return Decision(
        yes=bool(data["yes"]),
        reason=str(data["reason"]),
        at=datetime.fromisoformat(data["at"]),
        by=Person(**data["by"]),
        late=bool(data.get("late", False)),
    )


def _read_facts(raw: object) -> LeakFacts:
    data: Mapping[str, Any] = json.loads(str(raw))
    return LeakFacts(
        description=str(data["description"]),
        occurred_at=datetime.fromisoformat(data["occurredAt"]),
        discovered_at=datetime.fromisoformat(data["discoveredAt"]),
        ongoing=Answer3(data["ongoing"]),
        kind=LeakKind(data["kind"]) if data.get("kind") else None,
        data_kinds=tuple(DataKind(k) for k in data.get("dataKinds", [])),
        people=PeopleRange(data["people"]) if data.get("people") else None,
        encrypted=Answer3(data["encrypted"]) if data.get("encrypted") else None,
        measures=str(data.get("measures", "")),
    )


def _breach(tenant_id: str, head: Row, trail: Sequence[Row]) -> Breach:
    d: Mapping[str, Any] = head.data
    claimed = str(d.get("ClaimedAt") or "")
    return Breach(
        id=head.row[2:],
        tenant_id=tenant_id,
        reporter=Person(str(d["ReporterId"]), str(d.get("ReporterName", ""))),
        reported_at=datetime.fromisoformat(str(d["ReportedAt"])),
        facts=_read_facts(d["Facts"]),
        status=BreachStatus(str(d["Status"])),
        acknowledged=_read_mark(d.get("Acknowledged")),
        ap=_read_decision(d.get("Ap")),
        subjects=_read_decision(d.get("Subjects")),
        closed=_read_mark(d.get("Closed")),
        additions=tuple(
            Addition(datetime.fromisoformat(a["at"]), str(a["text"]))
            for a in json.loads(str(d.get("Additions") or "[]"))
        ),
        reminders_sent=int(d.get("RemindersSent", 0)),
        alerts={
            str(k): tuple(str(m) for m in v)
            for k, v in json.loads(str(d.get("Alerts") or "{}")).items()
        },
        delivery=Delivery(str(d.get("Delivery", "pending"))),
        attempts=int(d.get("Attempts", 0)),
        claimed_at=datetime.fromisoformat(claimed) if claimed else None,
        audit=audit_entries(trail),
        **_read_dossier(d),
    )
