"""Suppliers and contractors confirm they know the code (its introduction: the code is for
everyone who works for or with Woongroen). Pure: the list's rules, the CSV import's checks and
the confirmation link's token.

The integrity officer imports the supplier contacts (name, organisation, e-mail) as CSV, sends
each the code's summary with a link of their own, and follows who confirmed. The link carries a
signed, expiring token (itsdangerous) naming the tenant and the contact; it needs no login, and
confirming twice is confirming once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

MAX_LINES = 2000  # one import; a longer list is imported in parts
MAX_FIELD = 200
SALT = "supplier-code-confirmation"
HEADER_WORDS = frozenset({"naam", "name", "organisatie", "organisation", "organization"})
# The optional fourth field: the language the contact is mailed in ("" = the default).
LANGUAGES = {"nl": "nl-NL", "nederlands": "nl-NL", "dutch": "nl-NL", "en": "en-US"}
LANGUAGES |= {"engels": "en-US", "english": "en-US"}


@dataclass(frozen=True)
class SupplierContact:
    tenant_id: str
    id: str  # contact_key(email): one contact per e-mail address
    name: str
    organisation: str
    email: str
    imported_at: datetime
    imported_by: str = ""
    sent_at: datetime | None = None  # the last mail that went out (the summary or a reminder)
    sends: int = 0  # how many mails went out
    send_error: str = ""  # why the last send failed ("" when it went out)
    confirmed_at: datetime | None = None
    locale: str = ""  # the language the mail goes out in ("": the deployment's default)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def last_activity(self) -> datetime:
        """For retention: the confirmation, else the last mail, else the import."""
        return self.confirmed_at or self.sent_at or self.imported_at


@dataclass(frozen=True)
class ContactLine:
    """One good line of an import."""

    line: int
    name: str
    organisation: str
    email: str
    locale: str = ""  # from the optional fourth field (LANGUAGES)


@dataclass(frozen=True)
class LineError:
    """One bad line: its number (1-based, as an editor shows it), why (a text key under
    `supplier_code.errors`) and the line as typed, so it can be corrected."""

    line: int
    code: str  # columns, name_missing, organisation_missing, email_invalid, duplicate,
    # too_long, language_unknown
    text: str


@dataclass(frozen=True)
class Parsed:
    contacts: tuple[ContactLine, ...]
    errors: tuple[LineError, ...]
    too_many: bool = False  # more than MAX_LINES lines: nothing was read past them


def contact_key(email: str) -> str:
    """The row key of a contact: the address, case-folded, hashed (no address in a key)."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


def _delimiter(sample: str) -> str:
    counts = {d: sample.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def parse_contacts(text: str) -> Parsed:
    """The lines of a pasted or uploaded CSV: `naam;organisatie;e-mail`, optionally `;taal`
    (nl or en; or with commas or tabs; a header line is allowed). Every line is either a
    contact or an error; none is dropped without saying so."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    too_many = len([line for line in lines if line.strip()]) > MAX_LINES
    first = next((line for line in lines if line.strip()), "")
    delimiter = _delimiter(first)
    contacts: list[ContactLine] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    counted = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        counted += 1
        if counted > MAX_LINES:
            break
        fields = [f.strip() for f in next(csv.reader(io.StringIO(raw), delimiter=delimiter), [])]
        while fields and not fields[-1]:
            fields.pop()
        if counted == 1 and fields and fields[0].casefold() in HEADER_WORDS:
            continue  # the header
        error = _check(fields)
        if error is not None:
            errors.append(LineError(number, error, raw))
            continue
        name, organisation, email = fields[:3]
        locale = LANGUAGES[fields[3].casefold()] if len(fields) > 3 else ""
        address = validate_email(email, check_deliverability=False).normalized
        key = contact_key(address)
        if key in seen:
            errors.append(LineError(number, "duplicate", raw))
            continue
        seen.add(key)
        contacts.append(ContactLine(number, name, organisation, address, locale))
    return Parsed(tuple(contacts), tuple(errors), too_many)


def _check(fields: list[str]) -> str | None:
    if len(fields) not in (3, 4):
        return "columns"
    name, organisation, email = fields[:3]
    if any(len(f) > MAX_FIELD for f in fields):
        return "too_long"
    if not name:
        return "name_missing"
    if not organisation:
        return "organisation_missing"
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "email_invalid"
    if len(fields) == 4 and fields[3].casefold() not in LANGUAGES:
        return "language_unknown"
    return None


def imported(
    current: SupplierContact | None,
    line: ContactLine,
    tenant_id: str,
    by: str,
    at: datetime,
) -> SupplierContact:
    """A contact as an import leaves it: new, or the listed one with its name, organisation and
    language as now given (whether it was sent and confirmed stays)."""
    if current is None:
        return SupplierContact(
            tenant_id,
            contact_key(line.email),
            line.name,
            line.organisation,
            line.email,
            at,
            by,
            locale=line.locale,
        )
    return replace(current, name=line.name, organisation=line.organisation, locale=line.locale)


def due_for(contacts: list[SupplierContact], reminder: bool) -> list[SupplierContact]:
    """Who gets the next mail: the summary goes to whoever never had it (or whose send
    failed); a reminder to whoever had it and has not confirmed."""
    if reminder:
        return [c for c in contacts if not c.confirmed and c.sends > 0]
    return [c for c in contacts if not c.confirmed and (c.sends == 0 or c.send_error)]


# --- The confirmation link ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRefused:
    reason: str  # invalid, expired


class _Clocked(URLSafeTimedSerializer):
    """itsdangerous's timed serializer, dated by the caller's clock instead of time.time()."""

    def __init__(self, secret: str, now: datetime) -> None:
        super().__init__(secret, salt=SALT)
        self._now = now

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signer = super().make_signer(salt)
        signer.get_timestamp = lambda: int(self._now.timestamp())  # type: ignore[attr-defined]
        return signer


def link_token(secret: str, tenant_id: str, contact_id: str, now: datetime) -> str:
    """A token naming the tenant and the contact, signed with `secret` and dated `now`."""
    return str(_Clocked(secret, now).dumps([tenant_id, contact_id]))


def read_link(
    secret: str, token: str, max_age: timedelta, now: datetime
) -> tuple[str, str] | LinkRefused:
    """(tenant, contact id) of a token this app signed within `max_age` before `now`; else
    why not (`expired`, `invalid`)."""
    if not secret or not token or len(token) > 400:
        return LinkRefused("invalid")
    try:
        value = _Clocked(secret, now).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        return LinkRefused("expired")
    except BadSignature:
        return LinkRefused("invalid")
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, str) and v for v in value)
    ):
        return LinkRefused("invalid")
    return str(value[0]), str(value[1])
