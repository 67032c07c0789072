"""Ask consent for private business with a supplier (§2 "Leveranciers"): the reason, the
supplier's price and at least two other quotes; the card shows where the price sits."""

from __future__ import annotations

from datetime import date

from bot.domain.suppliers import MIN_QUOTES, SECTION, Quote, SupplierBusiness, supplier_rule
from cards import text
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

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


def read(form: Reader, today: date) -> SupplierBusiness | None:
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
    return SupplierBusiness(
        supplier=supplier,
        what=what,
        reason=reason,
        amount_cents=amount,
        quotes=tuple(Quote(p, q) for p, q in quotes),
    )


KIND = RequestKind(
    name="supplier",
    prefix="LEV",
    facts_type=SupplierBusiness,
    from_record=SupplierBusiness.from_record,
    rule=supplier_rule,
    register_amount=lambda business: business.amount_cents,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        SupplierBusiness,
        (
            ("supplier.facts.supplier", lambda b: b.supplier, "name"),
            ("supplier.facts.what", lambda b: b.what, "text"),
            ("supplier.facts.reason", lambda b: b.reason, "text"),
            ("supplier.facts.amount", lambda b: b.amount_cents, "euros"),
            ("supplier.facts.quotes", lambda b: b.quotes, "quotes"),
        ),
    ),
    columns=(
        RegisterColumn("supplier", lambda b: b.supplier),
        RegisterColumn("what", lambda b: b.what),
        RegisterColumn("reason", lambda b: b.reason),
        RegisterColumn("amount", lambda b: b.amount_cents, "euros"),
        RegisterColumn("quotes", lambda b: b.quotes, "quotes"),
        RegisterColumn(
            "price_position",
            lambda b: b.position.value if b.position else "",
            "choice:registers.positions",
        ),
    ),
    verdicts="supplier.verdicts",
    reasons="supplier.reasons",
    section=SECTION,
    approve="supplier.approve",
    decline="supplier.decline",
    statuses="supplier.statuses",
)
