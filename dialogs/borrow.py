"""Borrowing company property (§3): the form asks what and its rough value; the rule refuses
what is worth a lot and answers printer use, material for work and devices on the spot; what
is left goes to the manager. The rules are in `bot.domain.property`."""

from __future__ import annotations

from datetime import date

from bot.domain.choices import APPROVE, DECLINE, Choices
from bot.domain.property import (
    ANSWERED,
    CATEGORIES,
    MANAGER_DECIDES,
    SECTION,
    TRAILER,
    Borrowing,
    borrowing_rule,
    needs_value,
)
from cards import text
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

ITEM = Field("item", "text", "borrow.item", max_length=160, required=True)
CATEGORY = Field("category", "choice", "borrow.category", "borrow.categories", required=True)
VALUE = Field("value", "text", "borrow.value", placeholder="borrow.value_hint", max_length=30)

FORM = Form(
    title="borrow.title",
    intro="borrow.intro",
    fields=(ITEM, CATEGORY, VALUE),
    submit_verb="borrow.submit",
    submit_title="borrow.submit",
)


def read(form: Reader, today: date) -> Borrowing | None:
    item = form.text(ITEM)
    category = form.choice(CATEGORY, CATEGORIES)
    value = form.euros(VALUE)
    if needs_value(category) and value is None and VALUE.id not in form.errors:
        form.errors[VALUE.id] = text(form.locale, "borrow.errors.value_needed")
    if form.errors:
        return None
    return Borrowing(item=item, category=category, value_cents=value)


KIND = RequestKind(
    name="borrow",
    prefix="BDM",
    facts_type=Borrowing,
    from_record=Borrowing.from_record,
    rule=borrowing_rule,
    value_cents=lambda b: b.value_cents,
    valued=True,
    register_amount=lambda b: b.value_cents,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        Borrowing,
        (
            ("borrow.facts.item", lambda b: b.item, "text"),
            ("borrow.facts.category", lambda b: b.category, "choice:borrow.categories"),
            ("borrow.facts.value", lambda b: b.value_cents, "euros"),
        ),
    ),
    columns=(
        RegisterColumn("item", lambda b: b.item, header="borrow.names.item"),
        RegisterColumn("value", lambda b: b.value_cents, "euros"),
    ),
    verdicts="borrow.verdicts",
    reasons="borrow.reasons",
    section=SECTION,
    choices=Choices({MANAGER_DECIDES: (APPROVE, DECLINE)}),
    answered=ANSWERED,
    answer_next={TRAILER: ("borrow.to_trailer", "trailer.open")},
)
