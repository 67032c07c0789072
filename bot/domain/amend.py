"""Adding information to one's own pending request: a dated note, and an audit entry.

The approver sees the notes on the request card; the original facts are never rewritten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.requests import ApprovalRequest, AuditEntry, DecisionRefused, Note
from bot.domain.text import clean_typed

MAX_NOTE = 1000
MAX_NOTES = 20  # per request: keeps a request far inside Azure's 1 MiB per entity
NOTES = "notes"  # stored beside the facts: a list of {"at": ISO 8601, "text": ...}


class InvalidNote(ValueError):
    """The note is empty or too long; `code` names the text to show."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_note(raw: object) -> str:
    """The typed note without control characters; InvalidNote when empty or too long."""
    cleaned = clean_typed(raw if isinstance(raw, str) else "")
    if not cleaned:
        raise InvalidNote("note_empty")
    if len(cleaned) > MAX_NOTE:
        raise InvalidNote("note_too_long")
    return cleaned


def add_information(
    request: ApprovalRequest, actor_id: str, note: str, now: datetime
) -> ApprovalRequest:
    """Only the requester, and only while the request waits for a decision."""
    if actor_id != request.requester.id:
        raise DecisionRefused("not_requester")
    if not request.pending:
        raise DecisionRefused("already_decided")
    if len(request.notes) >= MAX_NOTES:
        raise DecisionRefused("too_many_notes")
    entry = AuditEntry(now, actor_id, "information_added", note[:200])
    notes = (*request.notes, Note(now, note))
    return replace(request, notes=notes, audit=(*request.audit, entry))


def notes_of(request: ApprovalRequest) -> list[tuple[datetime, str]]:
    """The notes added so far, oldest first."""
    return [(n.at, n.text) for n in request.notes]


def notes_record(notes: tuple[Note, ...]) -> list[dict[str, str]]:
    """The notes as stored (beside the facts, under `NOTES`)."""
    return [{"at": n.at.isoformat(), "text": n.text} for n in notes]


def notes_from_record(raw: object) -> tuple[Note, ...]:
    """Stored notes back; anything malformed is skipped."""
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("text"), str):
            try:
                out.append(Note(datetime.fromisoformat(str(item.get("at"))), item["text"]))
            except ValueError:
                continue
    return tuple(out)
