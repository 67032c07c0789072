"""The parties Woongroen negotiates with or runs a tender with (§2: no gifts, lunches or dinners
from a party one is negotiating with), as procurement or the integrity officer keeps them, and
how a giver's name is matched against that list (pure).

Matching rule (documented in docs/negotiations.md): two names are the same party when their
*match keys* are equal. The key is the name in lower case, accents removed, "&" read as "en",
dots dropped ("B.V." is "bv"), every other punctuation mark a space, runs of single letters
joined ("b v" is "bv"), and legal forms at the start or end removed (B.V., N.V., V.O.F., C.V.,
Holding is NOT a legal form). Words that describe the business ("Bouwbedrijf", "Installatie")
are part of the name and stay: "Bouwbedrijf Vos" and "Vos B.V." are different parties, so the
list must name a party as it calls itself. A match needs equal keys: no partial or fuzzy match,
so a false "in negotiation" (which refuses a gift) only follows from the list itself.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.scripts import latin_skeleton

# Legal forms removed from either end of a name (after dots are dropped and letters joined).
LEGAL_FORMS: frozenset[str] = frozenset(
    {"bv", "nv", "vof", "cv", "bvba", "ltd", "gmbh", "inc", "llc", "plc", "sa", "ag"}
)
MAX_NAME = 160
MAX_LINES = 500  # one import; a bigger list is imported in parts
KVK = re.compile(r"^\d{8}$")  # a Kamer van Koophandel number: eight digits

_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)  # pure; the same givers' names come back all year
def match_key(name: str) -> str:
    """The key two names of one party share (see the module's matching rule); "" for a name
    that has no letters or digits, or only a legal form."""
    decomposed = unicodedata.normalize("NFKD", latin_skeleton(name).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("&", " en ").replace(".", "").replace("'", "").replace("’", "")
    words = _SPACES.sub(" ", _PUNCTUATION.sub(" ", plain)).split()
    joined: list[str] = []
    run = ""
    for word in words:
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            joined.append(run)
            run = ""
        joined.append(word)
    if run:
        joined.append(run)
    while joined and joined[-1] in LEGAL_FORMS:
        joined.pop()
    while joined and joined[0] in LEGAL_FORMS:
        joined.pop(0)
    return " ".join(joined)


@dataclass(frozen=True)
class Party:
    """One party on the list: in talks or a tender with Woongroen from `start` to `end`."""

    tenant_id: str
    name: str  # as procurement typed it
    start: date
    end: date
    kvk: str = ""  # KvK number, when known (reference only: the gift form does not ask it)
    added_by: str = ""  # the name of who put it on the list or changed it last
    changed_at: datetime | None = None

    @property
    def key(self) -> str:
        return match_key(self.name)

    def on(self, day: date) -> bool:
        """In negotiation on that day (start and end included)."""
        return self.start <= day <= self.end


def listed_on(parties: dict[str, Party], giver: str, day: date) -> Party | None:
    """The party `giver` is, if it is on the list and in negotiation on `day` (pure)."""
    key = match_key(giver)
    party = parties.get(key) if key else None
    return party if party is not None and party.on(day) else None


@dataclass(frozen=True)
class PartyInput:
    """One party as typed (on the card or a CSV line), checked; `errors` are stable codes."""

    name: str
    kvk: str
    start: date | None
    end: date | None
    errors: tuple[str, ...] = ()


def read_party(name: str, kvk: str, start: str, end: str) -> PartyInput:
    """Check one party's fields: a name with letters, an eight-digit KvK number or none, two
    dates (2026-03-01 or 01-03-2026), the end not before the start."""
    errors: list[str] = []
    name = " ".join(name.split())
    kvk = "".join(kvk.split()).replace(".", "")
    if not name:
        errors.append("name_required")
    elif len(name) > MAX_NAME:
        errors.append("name_too_long")
    elif not match_key(name):
        errors.append("name_only_legal_form")
    if kvk and not KVK.match(kvk):
        errors.append("kvk_invalid")
    first = _date(start)
    last = _date(end)
    if not start.strip():
        errors.append("start_required")
    elif first is None:
        errors.append("start_invalid")
    if not end.strip():
        errors.append("end_required")
    elif last is None:
        errors.append("end_invalid")
    if first is not None and last is not None and last < first:
        errors.append("end_before_start")
    return PartyInput(name, kvk, first, last, tuple(errors))


def _date(text: str) -> date | None:
    text = text.strip()
    for form in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            found = datetime.strptime(text, form).date()
        except ValueError:
            continue
        return found if 2000 <= found.year <= 2100 else None
    return None


@dataclass(frozen=True)
class LineError:
    """What is wrong with one line of an import: its number (1 = the first line) and codes."""

    line: int
    codes: tuple[str, ...]
    text: str  # the line as typed (at most 80 characters), to find it again


@dataclass(frozen=True)
class Import:
    """A CSV import read: the parties on it, or the errors (then nothing is imported)."""

    parties: tuple[PartyInput, ...]
    errors: tuple[LineError, ...]


_HEADER_WORDS = frozenset({"naam", "name", "kvk", "start", "begin", "eind", "end", "einde"})


def read_csv(text: str) -> Import:
    """Lines of `name, KvK number (may be empty), start date, end date`, separated by ";", ","
    or a tab (the first line may be a header). Every line is checked; any error and nothing is
    imported. The same party twice (same match key) is an error on the later line."""
    lines = [line for line in text.splitlines()]
    if not any(line.strip() for line in lines):
        return Import((), (LineError(0, ("empty",), ""),))
    sample = next(line for line in lines if line.strip())
    delimiter = max((";", "\t", ","), key=sample.count)
    parties: list[PartyInput] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    content = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if len(content) > MAX_LINES + 1:
        return Import((), (LineError(0, ("too_many_lines",), ""),))
    for index, (number, line) in enumerate(content):
        cells = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
        cells = [c.strip() for c in cells]
        if index == 0 and cells and cells[0].casefold() in _HEADER_WORDS:
            continue
        shown = line.strip()[:80]
        if len(cells) == 3:  # no KvK column at all: name, start, end
            cells = [cells[0], "", cells[1], cells[2]]
        if len(cells) != 4:
            errors.append(LineError(number, ("columns",), shown))
            continue
        party = read_party(*cells)
        codes = list(party.errors)
        key = match_key(party.name)
        if key and key in seen:
            codes.append("duplicate")
        if codes:
            errors.append(LineError(number, tuple(codes), shown))
            continue
        seen[key] = number
        parties.append(party)
    if errors:
        return Import((), tuple(errors))
    if not parties:
        return Import((), (LineError(0, ("empty",), ""),))
    return Import(tuple(parties), ())
