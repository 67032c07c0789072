"""Ask consent for private business with a supplier (§2 "Leveranciers"): the reason, the
supplier's price and at least two other quotes; the card shows where the price sits."""

from __future__ import annotations

from datetime import date

from bot.domain.suppliers import MIN_QUOTES, SECTION, assess_supplier_business
from cards import text
from dialogs.flow import Outcome, RequestFlow
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KindView, fact_rows

SUPPLIER = Field("supplier", "text", "supplier.supplier", max_length=160, required=True)
WHAT = Field("what", "text", "supplier.what", max_length=300, required=True)
REASON = Field(
    "reason",
    "multiline",
    "supplier.reason",
    placeholder="supplier.reason_placeholder",
    max_length=1000,
    required=True,
)
AMOUNT = Field(
    "amount",
    "text",
    "supplier.amount",
    placeholder="gift.value_placeholder",
    max_length=30,
    required=True,
)
QUOTES = tuple(
    (
        Field(
            f"quote{n}Provider",
            "text",
            f"supplier.quote{n}_provider",
            max_length=160,
            required=n <= MIN_QUOTES,
        ),
        Field(
            f"quote{n}Amount",
            "text",
            f"supplier.quote{n}_amount",
            max_length=30,
            required=n <= MIN_QUOTES,
        ),
    )
    for n in (1, 2, 3)
)

FORM = Form(
    title="supplier.title",
    intro="supplier.intro",
    fields=(SUPPLIER, WHAT, REASON, AMOUNT, *(f for pair in QUOTES for f in pair)),
    submit_verb="supplier.submit",
    submit_title="supplier.submit",
)


def read(form: Reader, today: date) -> Outcome | None:
    supplier = form.text(SUPPLIER)
    what = form.text(WHAT)
    reason = form.text(REASON)
    amount = form.euros(AMOUNT)
    quotes: list[tuple[str, int]] = []
    for provider_field, amount_field in QUOTES:
        provider = form.text(provider_field)
        quote = form.euros(amount_field)
        if provider and quote is not None:
            quotes.append((provider, quote))
        elif (provider or quote is not None) and not form.errors.get(amount_field.id):
            missing = amount_field if provider else provider_field
            form.errors.setdefault(missing.id, text(form.locale, "supplier.quote_incomplete"))
    if form.errors or amount is None or len(quotes) < MIN_QUOTES:
        return None
    assessment = assess_supplier_business(amount, [q for _, q in quotes])
    facts = {
        "summary": f"{what} ({supplier})",
        "supplier": supplier,
        "what": what,
        "reason": reason,
        "amountCents": amount,
        "quotes": [{"provider": p, "amountCents": q} for p, q in quotes],
        "pricePosition": assessment.position.value,
    }
    return Outcome(facts, assessment.verdict, assessment.reasons)


FLOW = RequestFlow(
    kind="supplier",
    prefix="LEV",
    form=FORM,
    read=read,
    view=KindView(
        title="supplier.title",
        facts=fact_rows(
            (
                ("supplier.facts.supplier", "supplier", "text"),
                ("supplier.facts.what", "what", "text"),
                ("supplier.facts.reason", "reason", "text"),
                ("supplier.facts.amount", "amountCents", "euros"),
                ("supplier.facts.quotes", "quotes", "quotes"),
            )
        ),
        verdicts="supplier.verdicts",
        reasons="supplier.reasons",
        section=SECTION,
        approve="supplier.approve",
        decline="supplier.decline",
        statuses="supplier.statuses",
    ),
)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
