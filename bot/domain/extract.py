"""Facts in one typed sentence: what a form can be filled in with, Dutch and English.

"ik kreeg gisteren een fles wijn van 25 euro van Schildersbedrijf De Kwast" holds a gift's
description, value, giver, relation and day. `extract` finds them with plain patterns; what it
does not find stays empty (the person fills it in). Pure and stateless: nothing is cached or
logged, so a confidential turn leaves no trace here either. Every fact is a suggestion shown on
an editable form; nothing is sent without the person pressing the button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.money import InvalidAmount, parse_euros

MAX_SCANNED = 500  # a sentence, not an essay


@dataclass(frozen=True)
class Facts:
    """What a sentence says; empty / None where it says nothing."""

    amount_cents: int | None = None
    what: str = ""  # the thing: "Fles wijn", "Kerstpakket", "Diner"
    gift_kind: str = ""  # bot.domain.gifts.GiftKind value: goods, money, voucher, meal, other
    everyday: bool | None = None  # an everyday token (flowers, wine): inferred from `what`
    person: str = ""  # who gave or invited: "Jan de Vos"
    organisation: str = ""  # on whose behalf: "Schildersbedrijf De Kwast"
    relation: str = ""  # supplier, tenant, business
    relation_word: str = ""  # the word it came from: "schilder", "aannemer", "huurder"
    at_home: bool | None = None
    day: date | None = None
    event_kind: str = ""  # invitation kinds: dinner, excursion, event, other
    event: str = ""  # the word for it: "Voetbalwedstrijd", "Diner"
    role: str = ""  # a side job: "Penningmeester"
    hours: float | None = None  # a side job: hours per month
    paid: str = ""  # a side job: paid, unpaid
    place: str = ""  # a side job: where ("bij de voetbalclub" -> "voetbalclub")

    @property
    def empty(self) -> bool:
        return self == Facts()


# --- the thing given ------------------------------------------------------------------------

# (pattern, gift kind, everyday) in order: the first that matches names the thing. The matched
# text (with its "fles"/"bos"/"doos") becomes the description.
_THINGS: tuple[tuple[str, str, bool | None], ...] = (
    (r"(?:envelop(?:pe)? met )?(?:contant )?geld|cash|contanten|money|banknotes?", "money", False),
    (
        r"(?:cadeau|waarde|kado)bon(?:nen)?|cadeaukaart(?:je)?|giftcards?|gift cards?"
        r"|vouchers?|bol\.com[- ]bon|vvv[- ]bon",
        "voucher",
        None,
    ),
    (r"kerstpakket(?:ten)?|christmas (?:hamper|box|package)|hamper", "goods", None),
    (
        r"(?:(?:een|a) )?(?:fles(?:sen)?|bottles? of) (?:rode |witte )?(?:wijn|wine|champagne"
        r"|whisky|port|bubbels)|wijn|wine|champagne",
        "goods",
        True,
    ),
    (
        r"(?:(?:een|a) )?(?:bos(?:je)?|bouquet of|bunch of) (?:bloemen|flowers)|bloemen|flowers",
        "goods",
        True,
    ),
    (
        r"(?:(?:een|a) )?(?:doos|box of|bak) (?:bonbons|chocola(?:de)?|chocolates?|koekjes"
        r"|biscuits|cookies)|bonbons|chocola(?:de)?|chocolates?|taart|gebak|cake",
        "goods",
        True,
    ),
    (r"lunch|diner|etentje|dinner|meal|maaltijd", "meal", None),
    (
        r"(?:concert|theater|voetbal|festival|bioscoop)?kaart(?:je)?s|tickets?|(?:een )?"
        r"(?:weekend|reis|trip)(?:je)?",
        "other",
        False,
    ),
    (r"(?:een )?(?:pen|agenda|mok|paraplu|tas|usb-stick|umbrella|mug|notebook)", "goods", True),
)
_THING_RE = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), k, e) for p, k, e in _THINGS]

# --- who -------------------------------------------------------------------------------------

# Words for the giver's relation to Woongroen (§2: suppliers, contractors, tenants ...).
_RELATIONS: dict[str, str] = {
    **dict.fromkeys(
        """
        aannemer aannemers leverancier leveranciers schilder schilders schildersbedrijf
        installateur loodgieter elektricien hovenier klusbedrijf bouwbedrijf aannemersbedrijf
        onderaannemer installatiebedrijf dakdekker glazenzetter timmerman stukadoor
        schoonmaakbedrijf
        supplier suppliers contractor contractors painter plumber electrician builder vendor
        """.split(),
        "supplier",
    ),
    **dict.fromkeys(
        "huurder huurders bewoner bewoners tenant tenants resident residents".split(), "tenant"
    ),
    **dict.fromkeys(
        """
        adviseur adviesbureau makelaar gemeente consultant bank notaris accountant partner
        advisor adviser broker municipality council
        """.split(),
        "business",
    ),
}
_RELATION_RE = re.compile(
    r"\b(" + "|".join(sorted(_RELATIONS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# Parts of a name that say it is an organisation.
_ORGANISATION_MARK = re.compile(
    r"(bedrijf|bureau|groep|group|b\.?v\.?|n\.?v\.?|ltd|inc|bouw|installatie|techniek|service"
    r"|diensten|& ?zn|en zonen|makelaardij|vereniging|stichting|club|company|corporatie)\b",
    re.IGNORECASE,
)
# "van/from/door/by" + a capitalised name (Dutch particles allowed inside).
_NAME_RE = re.compile(
    r"\b(?:van|from|door|by|namens|on behalf of)\s+(?:de |het |the )?"
    r"((?:[A-Z][\w'&.-]*)(?:\s+(?:(?:de|der|den|van|het|'t|ter|te|en|&)\s+)*"
    r"[A-Z][\w'&.-]*)*)"
)
_CAPITALISED_RE = re.compile(
    r"\b[A-Z][\w'&.-]*(?:\s+(?:(?:de|der|den|van|het|'t|ter|te|en|&)\s+)*[A-Z][\w'&.-]*)*"
)
_SKIP_NAMES = frozenset(
    "Woongroen Ik I Mijn My Is Een A The De Het Euro Eur Kerst Christmas".split()
)

# --- where, when -----------------------------------------------------------------------------

_HOME_RE = re.compile(
    r"\b(thuis(?:adres|bezorgd)?|bij mij thuis|privéadres|prive-?adres|huisadres|aan huis"
    r"|at home|home address|to my home|my house)\b",
    re.IGNORECASE,
)
_WORK_RE = re.compile(
    r"\b(op kantoor|op het werk|op de zaak|op de bouwplaats|at the office|at work)\b", re.IGNORECASE
)

_WEEKDAYS = {
    **{
        d: n
        for n, d in enumerate("maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split())
    },
    **{
        d: n
        for n, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())
    },
}
_MONTHS = {
    **{
        m: n + 1
        for n, m in enumerate(
            (
                "januari februari maart april mei juni juli augustus september oktober"
                " november december"
            ).split()
        )
    },
    **{
        m: n + 1
        for n, m in enumerate(
            (
                "january february march april may june july august september october"
                " november december"
            ).split()
        )
    },
    **{m: n + 1 for n, m in enumerate("jan feb mrt apr mei jun jul aug sep okt nov dec".split())},
    "mar": 3,
    "oct": 10,
    "sept": 9,
}
_WEEKDAY = "|".join(_WEEKDAYS)
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_RELATIVE = {
    "vandaag": 0,
    "today": 0,
    "vanochtend": 0,
    "vanmiddag": 0,
    "this morning": 0,
    "gisteren": -1,
    "yesterday": -1,
    "gisteravond": -1,
    "eergisteren": -2,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
}
_RELATIVE_RE = re.compile(
    r"\b(" + "|".join(sorted(_RELATIVE, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_WEEK_RE = re.compile(
    rf"\b(vorige week|afgelopen week|last week|volgende week|komende week|next week)\s+"
    rf"(?:on\s+)?({_WEEKDAY})\b|\b(afgelopen|vorige|last|volgende|komende|next|this|deze|op|on)?"
    rf"\s*({_WEEKDAY})\b",
    re.IGNORECASE,
)
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?(?:\s+(\d{{4}}))?\b", re.IGNORECASE)
_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?\b")

# --- amounts ---------------------------------------------------------------------------------

_AMOUNT_RE = re.compile(
    r"(?:€|eur\b|euro\b)\s*(\d{1,7}(?:[.,]\d{3})*(?:[.,]\d{1,2})?)(?:\s*,-)?"
    r"|\b(\d{1,7}(?:[.,]\d{3})*(?:[.,]\d{1,2})?)\s*(?:,-\s*)?(?:€|euro's|euros?|eur)\b",
    re.IGNORECASE,
)

# --- invitations and side jobs ---------------------------------------------------------------

_EVENTS: tuple[tuple[str, str], ...] = (
    (r"diner|etentje|dinner|lunch|borrel|drinks", "dinner"),
    (
        r"uitje|excursie|rondleiding|dagje \w+|trip|tour|excursion|golf(?:dag)?|zeil\w*"
        r"|bedrijfsbezoek",
        "excursion",
    ),
    (
        r"\w*wedstrijd|concert|voorstelling|festival|congres|seminar|evenement|event|match|game"
        r"|conference|show|premi[eè]re|opening|beurs|skybox",
        "event",
    ),
)
_EVENT_RE = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), k) for p, k in _EVENTS]

_ROLES = (
    r"penningmeester|voorzitter|secretaris|bestuurslid|bestuurder|toezichthouder|commissaris"
    r"|trainer|coach|scheidsrechter|vrijwilliger|docent|adviseur|zzp'?er|eigenaar|raadslid"
    r"|treasurer|chair(?:man|woman|person)?|secretary|board member|trustee|volunteer"
    r"|referee|teacher|consultant|freelancer|owner|councillor"
)
_ROLE_RE = re.compile(rf"\b({_ROLES})\b", re.IGNORECASE)
_AT_ORG_RE = re.compile(
    r"\b(?:bij|at|for|with)\s+(?:de |het |the |een |a )?((?:[A-Z][\w'&.-]*)(?:\s+(?:(?:de|der"
    r"|den|van|het|'t|en|&)\s+)*[A-Z][\w'&.-]*)*|\w*(?:club|vereniging|stichting|school|kerk"
    r"|society|association|foundation|charity))",
)
_HOURS_RE = re.compile(
    r"\b(\d{1,3}(?:[.,]\d)?)\s*(?:uur|u|hours?|hrs?|h)\s*(?:per|in de|a|each|/)\s*"
    r"(week|wk|maand|month|dag|day)\b",
    re.IGNORECASE,
)
_UNPAID_RE = re.compile(
    r"\b(onbetaald|vrijwillig\w*|unpaid|voluntary|volunteer\w*|gratis|for free)\b", re.IGNORECASE
)
_PAID_RE = re.compile(r"\b(betaald|tegen betaling|paid|vergoeding|salaris|fee)\b", re.IGNORECASE)


def extract(text: str, today: date, future: bool = False) -> Facts:
    """The facts in `text`. `future`: a bare weekday ("vrijdag") means the coming one (an
    invitation), not the last one (a gift received)."""
    said = " ".join(text[:MAX_SCANNED].split())
    thing, gift_kind, everyday = _thing(said)
    person, organisation = _giver(said)
    relation, relation_word = _relation(said, organisation)
    event_kind, event = _event(said)
    return Facts(
        amount_cents=_amount(said),
        what=thing,
        gift_kind=gift_kind,
        everyday=everyday,
        person=person,
        organisation=organisation,
        relation=relation,
        relation_word=relation_word,
        at_home=_at_home(said),
        day=_day(said, today, future),
        event_kind=event_kind,
        event=event,
        role=_role(said),
        hours=_hours(said),
        paid=_paid(said),
        place=_place(said),
    )


def _amount(said: str) -> int | None:
    for match in _AMOUNT_RE.finditer(said):
        typed = match.group(1) or match.group(2)
        try:
            return parse_euros(typed)
        except InvalidAmount:
            continue
    return None


def _thing(said: str) -> tuple[str, str, bool | None]:
    for pattern, kind, everyday in _THING_RE:
        match = pattern.search(said)
        if match:
            words = match.group(0).split()
            if words[0].lower() in ("een", "a"):
                words = words[1:]
            shown = " ".join(words)
            return shown[:1].upper() + shown[1:], kind, everyday
    return "", "", None


def _giver(said: str) -> tuple[str, str]:
    """(person, organisation) named after "van"/"from"/"door"/"by"."""
    for match in _NAME_RE.finditer(said):
        name = match.group(1).strip(" .,'")
        first = name.split()[0]
        if first in _SKIP_NAMES or name.lower() in _MONTHS or first.lower() in _WEEKDAYS:
            continue
        if _ORGANISATION_MARK.search(name) or _RELATION_RE.search(name):
            return "", name
        return name, ""
    # No "van": a name that says it is a firm, anywhere ("Bouwbedrijf Vos nodigt me uit").
    for match in _CAPITALISED_RE.finditer(said):
        name = match.group(0).strip(" .,'")
        if _ORGANISATION_MARK.search(name) and name.split()[0] not in _SKIP_NAMES:
            return "", name
    return "", ""


def _relation(said: str, organisation: str) -> tuple[str, str]:
    match = _RELATION_RE.search(said) or _RELATION_RE.search(organisation)
    if match is None:
        # "Schildersbedrijf": a relation word inside a longer one.
        lowered = organisation.lower()
        for word, relation in _RELATIONS.items():
            if len(word) > 5 and word in lowered:
                return relation, word
        return "", ""
    word = match.group(1).lower()
    return _RELATIONS[word], word


def _at_home(said: str) -> bool | None:
    if _HOME_RE.search(said):
        return True
    if _WORK_RE.search(said):
        return False
    return None


def _day(said: str, today: date, future: bool) -> date | None:
    relative = _RELATIVE_RE.search(said)
    if relative:
        return today + timedelta(days=_RELATIVE[relative.group(1).lower()])
    week = _WEEK_RE.search(said)
    if week:
        if week.group(1):
            which, weekday = week.group(1).lower(), _WEEKDAYS[week.group(2).lower()]
            monday = today - timedelta(days=today.weekday())
            shift = -7 if which in ("vorige week", "afgelopen week", "last week") else 7
            return monday + timedelta(days=shift + weekday)
        which = (week.group(3) or "").lower()
        weekday = _WEEKDAYS[week.group(4).lower()]
        ahead = which in ("volgende", "komende", "next") or (
            future and which not in ("afgelopen", "vorige", "last")
        )
        if ahead:
            return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    named = _DAY_MONTH_RE.search(said)
    if named:
        return _dated(
            today, int(named.group(1)), _MONTHS[named.group(2).lower()], named.group(3), future
        )
    numeric = _NUMERIC_DATE_RE.search(said)
    if numeric and not _AMOUNT_RE.search(numeric.group(0)):
        return _dated(today, int(numeric.group(1)), int(numeric.group(2)), numeric.group(3), future)
    return None


def _dated(today: date, day: int, month: int, year: str | None, future: bool) -> date | None:
    """A day and month (and perhaps a year); without a year, the nearest such day on the right
    side of today."""
    try:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, month, day)
        found = date(today.year, month, day)
    except ValueError:
        return None
    if not future and found > today:
        found = found.replace(year=today.year - 1)
    elif future and found < today:
        found = found.replace(year=today.year + 1)
    return found


def _event(said: str) -> tuple[str, str]:
    for pattern, kind in _EVENT_RE:
        match = pattern.search(said)
        if match:
            word = match.group(0)
            return kind, word[:1].upper() + word[1:].lower()
    return "", ""


def _role(said: str) -> str:
    match = _ROLE_RE.search(said)
    if match is None:
        return ""
    role = match.group(1)
    return role[:1].upper() + role[1:].lower()


def _place(said: str) -> str:
    """Where a side job is: "penningmeester bij de voetbalclub" -> "voetbalclub"."""
    for match in _AT_ORG_RE.finditer(said):
        name = match.group(1).strip(" .,'")
        first = name.split()[0]
        if first in _SKIP_NAMES or _ROLE_RE.fullmatch(name):
            continue
        return name
    return ""


def _hours(said: str) -> float | None:
    match = _HOURS_RE.search(said)
    if match is None:
        return None
    number = float(match.group(1).replace(",", "."))
    per = match.group(2).lower()
    if per in ("week", "wk"):
        number *= 4.33  # a month has about 4.33 weeks
    elif per in ("dag", "day"):
        number *= 21  # working days in a month
    return round(number, 1)


def _paid(said: str) -> str:
    if _UNPAID_RE.search(said):
        return "unpaid"
    if _PAID_RE.search(said):
        return "paid"
    return ""
