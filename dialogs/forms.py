"""Forms for every flow, from one field list: render with values and errors, read back safely.

Input arrives as untrusted card data: anything may be missing, of the wrong type or huge. Reading
never raises; it collects one clear error per field, and the values typed are echoed back as they
were, so nothing is lost when the form returns with errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal, TypeVar

from bot.domain.money import InvalidAmount, parse_euros
from bot.domain.text import clean_typed
from cards import render, text, texts_for

FieldKind = Literal[
    "text", "multiline", "choice", "multichoice", "toggle", "yesno", "date", "time", "heading"
]
# A question whose answer decides a verdict is a "yesno": two choices ("Ja"/"Nee"), none picked
# until the person answers. It submits "true"/"false", the values the old checkbox sent, so
# stored facts keep their keys and meaning.
YES_NO_VALUES = ("true", "false")
T = TypeVar("T")
MAX_ECHO = 4000  # what we echo back of an over-long value (the error says it is too long)

# No declaration of this code is about a day before this (a side job may have started earlier:
# it passes its own).
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Field:
    id: str
    kind: FieldKind
    label: str  # text key, e.g. "gift.giver_name"
    choices: str | None = None  # text key of a {value: title} mapping
    placeholder: str | None = None
    max_length: int = 200
    required: bool = False
    expanded: bool = False  # show choices as radio buttons instead of a drop-down


@dataclass(frozen=True)
class Prefill:
    """Form values suggested from what the person typed, and which of them were inferred (not
    said outright): shown on the form, all editable, nothing sent without the button."""

    values: Mapping[str, str] = field(default_factory=dict)
    inferred: tuple[str, ...] = ()

    def data(self) -> dict[str, Any]:
        """As `Action.Execute` data for the kind's open verb (empty when nothing was found)."""
        if not self.values:
            return {}
        return {"prefill": {"values": dict(self.values), "inferred": list(self.inferred)}}


@dataclass(frozen=True)
class Form:
    """A flow's form: its fields, texts and submit verb."""

    title: str  # text key
    intro: str  # text key
    fields: tuple[Field, ...]
    submit_verb: str
    submit_title: str  # text key

    def card(
        self,
        locale: str,
        form_id: str,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        banner: str = "",
        notes: Sequence[str] = (),
        prefilled: bool = False,
    ) -> dict[str, Any]:
        values = values or {}
        errors = errors or {}
        return render(
            "form",
            locale,
            {
                "title": text(locale, self.title),
                "intro": text(locale, self.intro),
                "banner": banner,
                "prefilled": prefilled,
                "notes": list(notes),
                "fields": [self._field(f, locale, values, errors) for f in self.fields],
                "submitTitle": text(locale, self.submit_title),
                "submitVerb": self.submit_verb,
                "submitData": {"formId": form_id},
            },
        )

    def prefill(self, data: Mapping[str, Any]) -> Prefill:
        """The suggested values in card data (untrusted: only this form's fields, only strings,
        cut to the field's length); an empty Prefill when there are none."""
        raw = data.get("prefill")
        if not isinstance(raw, dict):
            return Prefill()
        values = raw.get("values")
        inferred = raw.get("inferred")
        known = {f.id: f for f in self.fields if f.kind != "heading"}
        shown = {
            key: value[: known[key].max_length]
            for key, value in (values.items() if isinstance(values, dict) else ())
            if key in known and isinstance(value, str)
        }
        marked = tuple(
            key for key in (inferred if isinstance(inferred, list) else ()) if key in shown
        )
        return Prefill(shown, marked)

    def _field(
        self, field: Field, locale: str, values: Mapping[str, str], errors: Mapping[str, str]
    ) -> dict[str, Any]:
        choices: list[dict[str, str]] = []
        if field.choices:
            node: Any = texts_for(locale)
            for part in field.choices.split("."):
                node = node[part]
            choices = [{"title": str(title), "value": key} for key, title in node.items()]
        elif field.kind == "yesno":
            choices = [
                {"title": text(locale, "common.yes"), "value": "true"},
                {"title": text(locale, "common.no"), "value": "false"},
            ]
        return {
            "id": field.id,
            "label": text(locale, field.label) + (" *" if field.required else ""),
            "placeholder": text(locale, field.placeholder) if field.placeholder else "",
            "value": values.get(field.id, ""),
            "multiline": field.kind == "multiline",
            "maxLength": field.max_length,
            "isText": field.kind in ("text", "multiline"),
            "isChoice": field.kind in ("choice", "multichoice", "yesno"),
            "multiSelect": field.kind == "multichoice",
            "choiceStyle": "expanded" if field.expanded or field.kind == "yesno" else "compact",
            "choices": choices,
            "isToggle": field.kind == "toggle",
            "isDate": field.kind == "date",
            "isTime": field.kind == "time",
            "isHeading": field.kind == "heading",  # a sub-heading between groups of fields
            "error": errors.get(field.id, ""),
        }


class Reader:
    """Reads one submitted form; collects errors instead of raising."""

    def __init__(self, data: Mapping[str, Any], locale: str) -> None:
        self._data = data
        self.locale = locale
        self.values: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def _raw(self, field: Field) -> str:
        raw = self._data.get(field.id)
        if raw is None or isinstance(raw, dict | list):
            value = ""
        elif isinstance(raw, bool):
            value = "true" if raw else "false"
        else:
            value = str(raw)
        self.values[field.id] = value[:MAX_ECHO]
        return value

    def error(self, field_id: str, key: str, **values: object) -> None:
        self.errors.setdefault(field_id, text(self.locale, f"requests.errors.{key}", **values))

    def text(self, field: Field) -> str:
        value = clean_text(self._raw(field))
        if len(value) > field.max_length:
            self.error(field.id, "too_long", max=field.max_length)
        elif field.required and not value:
            self.error(field.id, "required")
        return value

    def choice(self, field: Field, allowed: Sequence[str]) -> str:
        value = self._raw(field).strip()
        if not value and not field.required:
            return ""
        if value not in allowed:
            self.error(field.id, "choice")
        return value

    def choices(self, field: Field, allowed: Sequence[str]) -> tuple[str, ...]:
        picked = tuple(v for v in self._raw(field).split(",") if v.strip())
        if any(v not in allowed for v in picked):
            self.error(field.id, "choice")
        if field.required and not picked:
            self.error(field.id, "required")
        return picked

    def answer(self, field: Field) -> bool:
        """A yes/no question's answer; a required one left unanswered is an error (never a
        silent "no")."""
        value = self._raw(field).strip().lower()
        if not value:
            if field.required:
                self.error(field.id, "yes_no")
            return False
        if value not in YES_NO_VALUES:
            self.error(field.id, "yes_no")
        return value == "true"

    def flag(self, field: Field) -> bool:
        value = self._raw(field).strip().lower()
        if value not in ("true", "false", ""):
            self.error(field.id, "yes_no")
        return value == "true"

    def _parsed(self, field: Field, parse: Callable[[str], T], error: str) -> T | None:
        """A required-or-empty value parsed by `parse`, or None with the error named."""
        value = self._raw(field).strip()
        if not value:
            if field.required:
                self.error(field.id, "required")
            return None
        try:
            return parse(value)
        except ValueError:
            self.error(field.id, error)
            return None

    def day(
        self,
        field: Field,
        today: date,
        allow_future: bool = False,
        earliest: date = EARLIEST,
    ) -> date | None:
        parsed = self._parsed(field, date.fromisoformat, "date_invalid")
        if parsed is not None and not allow_future and parsed > today:
            self.error(field.id, "date_future")
        elif parsed is not None and parsed < earliest:
            self.error(field.id, "date_too_early")
        elif parsed is not None and parsed > today.replace(year=today.year + 10):
            self.error(field.id, "date_too_late")
        return parsed

    def time_of_day(self, field: Field) -> time | None:
        """An `Input.Time` value (HH:MM, seconds tolerated), or None with the error named."""
        parsed = self._parsed(field, time.fromisoformat, "time_invalid")
        return parsed.replace(second=0, microsecond=0, tzinfo=None) if parsed else parsed

    def raw(self, field: Field) -> str:
        return self._raw(field)

    def euros(self, field: Field) -> int | None:
        """An amount in cents as people type it; None when empty-and-optional or invalid."""
        value = self._raw(field)
        if not value.strip() and not field.required:
            return None
        try:
            return parse_euros(value[:40])
        except InvalidAmount as error:
            self.error(field.id, f"amount_{error.code}")
            return None

    def number(self, field: Field, low: float, high: float) -> float | None:
        """A plain number within [low, high] (comma or dot decimals)."""
        value = self._raw(field).strip().replace(",", ".")
        if not value:
            if field.required:
                self.error(field.id, "required")
            return None
        try:
            number = float(value)
        except ValueError:
            self.error(field.id, "not_a_number")
            return None
        if number != number or not low <= number <= high:  # NaN is not in range either
            self.error(field.id, "out_of_range", low=_plain(low), high=_plain(high))
            return None
        return number


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def clean_text(value: str) -> str:
    """What a person typed, safe to store and show (see `bot.domain.text.clean_typed`)."""
    return clean_typed(value)
