"""A request kind as the bot shows it: the domain kind (bot.domain.kinds) plus its form, its card
rows, its register columns and its menu entry. One module per kind builds one `RequestKind`;
the app factory passes the tuple of them in (`Services.kinds`), and every screen reads it there.

A kind's texts are in its own locale files, `cards/locales/{nl,en}/<name>.json`: `title` (its
cards' heading), the keys its form, rows and verdicts name, and `names`: its menu entry, its
register's name, intro, file name and date column, and its line in the yearly overview.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic

from bot.domain.extract import Facts
from bot.domain.kinds import F, Kind, Kinds
from bot.domain.money import format_euros
from bot.domain.people import Actor, Role
from bot.domain.requests import ApprovalRequest
from bot.domain.scripts import foreign_letters
from bot.domain.suppliers import quotes_text
from cards import language_of, text
from cards.dates import day_text
from cards.texts import text_if_any, texts_for
from dialogs.forms import Form, Prefill, Reader

if TYPE_CHECKING:
    from bot.services.approvals import Submitted
    from bot.services.context import Services
    from dialogs.base import Card, CardAction

Rows = list[dict[str, str]]  # a card's FactSet facts: {"title", "value"}
# (label text key, the value, format: text|name|yesno|euros|quotes|date|choice:<text key prefix>)
FactRow = tuple[str, Callable[[F], object], str]


def _no_history(facts: Any) -> tuple[str, ...]:
    return ()


def _no_initial(today: date) -> Mapping[str, str]:
    return {}


async def _unchanged(services: Services, actor: Actor, facts: Any) -> Any:
    return facts


# What a kind's `after` hook adds to the requester's receipt: a text key and its values.
ReceiptNote = tuple[str, Mapping[str, object]]


async def _nothing(services: Services, submitted: Submitted, facts: Any) -> ReceiptNote | None:
    return None


def _no_role(facts: Any) -> Role | None:
    return None


def _no_prefill(facts: Facts, sentence: str, today: date) -> Prefill:
    return Prefill()


def _no_preview(values: Mapping[str, str], inferred: tuple[str, ...], locale: str) -> list[str]:
    return []


def _no_messages(request: ApprovalRequest) -> list[dict[str, str]]:
    return []


def _refusal_text(request: ApprovalRequest, code: str, locale: str) -> str:
    return text(locale, f"requests.refused.{code}")


def _withheld_text(request: ApprovalRequest, code: str, locale: str) -> str:
    advisor = (request.advisor.name if request.advisor else "") or "?"
    return text(locale, f"{request.kind}.withheld.{code}", advisor=advisor, advice=request.advice)


def _always_needed(facts: Any) -> str | None:
    return None


def _no_value(facts: Any) -> object:
    return None


def _no_amount(facts: Any) -> int | None:
    return None


# A register column whose value depends on the other entries read for the screen (e.g. what the
# same organisation gave this year across all staff): given every entry read (not only those the
# filters show) and the locale, it returns the column's value per entry's facts.
Across = Callable[[Sequence[ApprovalRequest], str], Callable[[Any], object]]


@dataclass(frozen=True)
class RegisterColumn(Generic[F]):
    """One column of the kind's register, between the common head and tail.

    Its header is the text `header`, or the shared `registers.columns.<key>`. Formats: text,
    euros, number, yesno, quotes, choice:<text key prefix>; `verdict` and `advice` show the
    request's own."""

    key: str
    value: Callable[[F], object] = _no_value
    fmt: str = "text"
    header: str = ""
    across: Across | None = None  # instead of `value`: computed over all entries read
    on_card: bool = False  # also shown under the entry on the register card (text columns)

    @property
    def header_key(self) -> str:
        return self.header or f"registers.columns.{self.key}"


@dataclass(frozen=True, kw_only=True)
class RequestKind(Kind[F]):
    """Everything one request kind is, from its menu button to its register columns."""

    form: Form
    read: Callable[[Reader, date], F | None]  # None when the reader collected errors
    card_rows: Callable[[F, str], Rows]
    columns: tuple[RegisterColumn[F], ...]
    register_amount: Callable[[F], int | None] = _no_amount  # on its register's lines
    verdicts: str | None = None  # text key prefix of verdict headlines, e.g. "gift.verdicts"
    reasons: str | None = None  # text key prefix of reason texts, e.g. "gift.reasons"
    section: str = ""  # the code's section, e.g. "§2 Relatiegeschenken"
    history_title: str | None = None  # text key; `history` gives the lines
    history: Callable[[F], tuple[str, ...]] = _no_history
    approve: str = "requests.approve"  # text keys of the decision buttons
    decline: str = "requests.decline"
    statuses: str = "requests.statuses"  # text key prefix of the status lines
    initial: Callable[[date], Mapping[str, str]] = _no_initial  # the blank form's values
    enrich: Callable[[Services, Actor, F], Awaitable[F]] = _unchanged  # e.g. earlier gifts
    # Idempotent; what it returns is added to the requester's receipt (e.g. who was told).
    after: Callable[[Services, Submitted, F], Awaitable[ReceiptNote | None]] = _nothing
    advisor_role: Role | None = None  # e.g. HR advises on side jobs
    # Per request, instead of the above: the role that advises (Communicatie on an interview).
    advisor_for: Callable[[F], Role | None] | None = None
    # The role that decides instead of the manager (Communicatie, the director); None: manager.
    decider: Callable[[F], Role | None] = _no_role
    extra_verbs: Mapping[str, Callable[[CardAction, Services], Awaitable[Card]]] = field(
        default_factory=dict
    )
    # Why what the form describes need not be reported at all (a reason code, texts under
    # `<name>.not_needed.<code>`), so nothing is filed; None: it is filed.
    not_needed: Callable[[F], str | None] = _always_needed
    # The approver's line while `blocked` says they cannot decide yet (e.g. until when HR has
    # to advise); by default the refusal text of its code.
    blocked_text: Callable[[ApprovalRequest, str, str], str] = _refusal_text
    # The approver's line when `choices.withheld` keeps some choices from a request (why only
    # "geen toestemming" is left); by default `<name>.withheld.<code>`, given the advisor's
    # name (`advisor`) and advice (`advice`).
    withheld_text: Callable[[ApprovalRequest, str, str], str] = _withheld_text
    # Texts the requester can send on (e.g. to a giver, when a gift goes back): {title, text}.
    giver_messages: Callable[[ApprovalRequest], list[dict[str, str]]] = _no_messages
    # Verdicts the rule settles on the spot: the answer card shows the verdict and its reasons,
    # nothing is filed and nobody is asked (e.g. a copy on the office printer is fine).
    answered: frozenset[str] = frozenset()
    # Per answered verdict, a flow the answer card offers next: (text key of the button, verb).
    answer_next: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # A typed sentence's facts (bot.domain.extract) as form values, and what the code says
    # about the values on a form filled in that way (lines shown above the fields).
    prefill: Callable[[Facts, str, date], Prefill] = _no_prefill
    preview: Callable[[Mapping[str, str], tuple[str, ...], str], list[str]] = _no_preview
    future_days: bool = False  # a bare weekday in its sentences is the coming one (events)

    @property
    def title(self) -> str:
        return f"{self.name}.title"

    @property
    def menu_title(self) -> str:
        return f"{self.name}.names.menu"

    @property
    def register_title(self) -> str:
        return f"{self.name}.names.register"

    @property
    def register_intro(self) -> str:
        return f"{self.name}.names.register_intro"

    @property
    def register_date(self) -> str:
        return f"{self.name}.names.register_date"

    @property
    def overview_title(self) -> str:
        return f"{self.name}.names.overview"

    @property
    def open_verb(self) -> str:
        return f"{self.name}.open"

    def advisor_of(self, facts: F) -> Role | None:
        return self.advisor_for(facts) if self.advisor_for is not None else self.advisor_role

    def position_text(self, position: str, locale: str) -> str:
        """An advisor's position in words ("Akkoord", "Niet akkoord"); "" for none: the kind's
        own `<name>.positions.<code>`, else the shared `requests.positions.<code>`."""
        if not position:
            return ""
        own = text_if_any(locale, f"{self.name}.positions.{position}")
        return own if own is not None else text(locale, f"requests.positions.{position}")

    def advice_text(self, request: ApprovalRequest, locale: str) -> str:
        """The advice as one line (the register's `advice` column): its position in words
        first, when it has one ("Niet akkoord: niet in deze periode"), else the text as given."""
        words = self.position_text(request.advice_position, locale)
        if not words:
            return request.advice
        return f"{words}: {request.advice}" if request.advice else words

    def rows_of(self, request: ApprovalRequest, locale: str) -> Rows:
        return self.card_rows(self.facts_of(request), locale)

    def history_of(self, request: ApprovalRequest) -> tuple[str, ...]:
        return self.history(self.facts_of(request))

    def amount_of(self, request: ApprovalRequest) -> int | None:
        return self.register_amount(self.facts_of(request))


def request_kinds(kinds: Kinds) -> dict[str, RequestKind[Any]]:
    """The app's kinds that the dialogs can show (all of them, in a running app)."""
    return {k.name: k for k in kinds if isinstance(k, RequestKind)}


def request_kind(kinds: Kinds, name: str) -> RequestKind[Any] | None:
    found = kinds.get(name)
    return found if isinstance(found, RequestKind) else None


def flow_title(locale: str, flow: str) -> str:
    """The menu entry of a flow: a request kind's own, or one of `menu.flows`."""
    try:
        return text(locale, f"{flow}.names.menu")
    except KeyError:
        return text(locale, f"menu.flows.{flow}")


def register_file(locale: str, name: str) -> str:
    """The start of a register's file name (`register-cadeaus`)."""
    return text(locale, f"{name}.names.register_file")


def named(value: str, locale: str) -> str:
    """A name as typed, with a warning when it mixes writing systems (a look-alike name)."""
    foreign = foreign_letters(value)
    if not foreign:
        return value
    scripts = texts_for(locale)["common"]["foreign_letters"]["scripts"]
    letters = ", ".join(
        text(
            locale,
            "common.foreign_letters.letter"
            if f.resembles
            else "common.foreign_letters.letter_plain",
            character=f.character,
            script=scripts.get(f.script, f.script.title()),
            resembles=f.resembles,
        )
        for f in foreign
    )
    return text(locale, "common.foreign_letters.name", name=value, letters=letters)


def yes_no(value: object, locale: str) -> str:
    return text(locale, "common.yes" if value else "common.no")


def fact_rows(facts_type: type[F], rows: tuple[FactRow[F], ...]) -> Callable[[F, str], Rows]:
    """A card-rows builder from a declarative list; empty optional values are left out."""

    def build(facts: F, locale: str) -> Rows:
        out: Rows = []
        for label, value_of, fmt in rows:
            value = value_of(facts)
            if fmt == "yesno":
                shown = yes_no(value, locale)
            elif value in (None, "", ()):
                continue
            elif fmt == "euros":
                shown = format_euros(int(str(value)), language_of(locale))
            elif fmt == "quotes":
                shown = quotes_text(value, language_of(locale))
            elif fmt == "name":
                shown = named(str(value), locale)
            elif fmt == "date":
                shown = day_text(value, locale) if isinstance(value, date) else str(value)
            elif fmt.startswith("choice:"):
                shown = text(locale, f"{fmt[7:]}.{value}")
            else:
                shown = str(value)
            out.append({"title": text(locale, label), "value": shown})
        return out

    return build
