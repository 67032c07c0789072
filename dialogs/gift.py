"""Declare a gift: form -> the code's verdict -> recorded -> before the manager."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from operator import attrgetter
from typing import Any

from bot.domain.extract import Facts
from bot.domain.gifts import (
    CHOICES,
    LIMIT_CENTS,
    SECTION,
    STEPS,
    Gift,
    GiftKind,
    GiverYear,
    Relation,
    filed_on,
    gift_rule,
    likely_assessment,
)
from bot.domain.money import InvalidAmount, format_euros, parse_euros
from bot.domain.people import Actor
from bot.domain.requests import ApprovalRequest
from bot.services.context import Services
from bot.services.negotiations import giver_key, giver_years, with_list_and_totals
from cards import language_of, text
from cards.dates import day_text
from dialogs.base import Card
from dialogs.flow import blank
from dialogs.forms import Field, Form, Prefill, Reader
from dialogs.kinds import RegisterColumn, RequestKind, named, yes_no
from dialogs.negotiations import listed_line

NAME = "gift"
PREFIX = "CAD"
EARLIER_SHOWN = 10  # earlier gifts from the same giver shown beside a new one (newest first)

# One of person and organisation is required: the heading says so, the fields are optional each.
GIVER = Field("giverHeading", "heading", "gift.giver_heading")
GIVER_NAME = Field("giverName", "text", "gift.giver_name", max_length=120)
GIVER_ORG = Field("giverOrganisation", "text", "gift.giver_organisation", max_length=120)
RELATION = Field("relation", "choice", "gift.relation", "gift.relations", required=True)
NEGOTIATING = Field("negotiating", "yesno", "gift.negotiating", required=True)
DESCRIPTION = Field(
    "description",
    "text",
    "gift.description",
    placeholder="gift.description_placeholder",
    max_length=300,
    required=True,
)
GIFT_KIND = Field("kind", "choice", "gift.kind", "gift.kinds", required=True)
EVERYDAY = Field("everyday", "yesno", "gift.everyday", required=True)
VALUE = Field(
    "value",
    "text",
    "gift.value",
    placeholder="gift.value_placeholder",
    max_length=30,
    required=True,
)
RECEIVED_ON = Field("receivedOn", "date", "gift.received_on", required=True)
AT_HOME = Field("atHome", "yesno", "gift.at_home", required=True)
REMARKS = Field("remarks", "multiline", "gift.remarks", max_length=1000)

FORM = Form(
    title="gift.title",
    intro="gift.intro",
    fields=(
        GIVER,
        GIVER_NAME,
        GIVER_ORG,
        RELATION,
        NEGOTIATING,
        DESCRIPTION,
        GIFT_KIND,
        EVERYDAY,
        VALUE,
        RECEIVED_ON,
        AT_HOME,
        REMARKS,
    ),
    submit_verb="gift.submit",
    submit_title="gift.submit",
)


def read_gift(form: Reader, today: date) -> Gift | None:
    """The gift on the form, or None when the reader collected errors."""
    name = form.text(GIVER_NAME)
    organisation = form.text(GIVER_ORG)
    if not name and not organisation and GIVER_NAME.id not in form.errors:
        form.error(GIVER_NAME.id, "giver_required")
    relation = form.choice(RELATION, [r.value for r in Relation])
    negotiating = form.answer(NEGOTIATING)
    description = form.text(DESCRIPTION)
    kind = form.choice(GIFT_KIND, [k.value for k in GiftKind])
    everyday = form.answer(EVERYDAY)
    cents = form.euros(VALUE)
    received = form.day(RECEIVED_ON, today)
    at_home = form.answer(AT_HOME)
    remarks = form.text(REMARKS)
    if form.errors or received is None or cents is None:
        return None
    return Gift(
        giver_name=name,
        giver_organisation=organisation,
        relation=Relation(relation),
        negotiating=negotiating,
        description=description,
        kind=GiftKind(kind),
        everyday=everyday,
        value_cents=cents,
        received_on=received,
        at_home=at_home,
        remarks=remarks,
    )


def prefill(facts: Facts, sentence: str, today: date) -> Prefill:
    """A gift's form values from a typed sentence (bot.domain.extract). Never "negotiating":
    only the employee knows that. "everyday" is inferred from the thing (wine, flowers) and
    marked so, and so is the relation when it came from a word like "schilder"."""
    values: dict[str, str] = {}
    inferred: list[str] = []
    if facts.what:
        values[DESCRIPTION.id] = facts.what
    if facts.gift_kind:
        values[GIFT_KIND.id] = facts.gift_kind
    if facts.amount_cents is not None:
        values[VALUE.id] = _plain_euros(facts.amount_cents)
    under_limit = facts.amount_cents is None or facts.amount_cents < LIMIT_CENTS
    if facts.everyday is False or (facts.everyday and under_limit):
        values[EVERYDAY.id] = "true" if facts.everyday else "false"
        inferred.append(EVERYDAY.id)
    if facts.person:
        values[GIVER_NAME.id] = facts.person
    if facts.organisation:
        values[GIVER_ORG.id] = facts.organisation
    if facts.relation:
        values[RELATION.id] = facts.relation
        inferred.append(RELATION.id)
    if facts.at_home is not None:
        values[AT_HOME.id] = "true" if facts.at_home else "false"
    if facts.day is not None and facts.day <= today:
        values[RECEIVED_ON.id] = facts.day.isoformat()
    return Prefill(values, tuple(inferred))


def _plain_euros(cents: int) -> str:
    """As people type it: "25", "12,50"."""
    whole, rest = divmod(cents, 100)
    return f"{whole},{rest:02d}" if rest else str(whole)


def _answer(values: Mapping[str, str], key: str) -> bool | None:
    value = values.get(key, "")
    return True if value == "true" else False if value == "false" else None


def preview(values: Mapping[str, str], inferred: tuple[str, ...], locale: str) -> list[str]:
    """What the code says about the gift as far as the values go, then what was inferred."""
    try:
        cents: int | None = parse_euros(values[VALUE.id]) if values.get(VALUE.id) else None
    except InvalidAmount:
        cents = None
    raw_kind = values.get(GIFT_KIND.id, "")
    kind = GiftKind(raw_kind) if raw_kind in {k.value for k in GiftKind} else None
    negotiating = _answer(values, NEGOTIATING.id)
    assessment = likely_assessment(
        kind, cents, _answer(values, EVERYDAY.id), _answer(values, AT_HOME.id), negotiating
    )
    if assessment is None:
        lines = [text(locale, "gift.preview.undecided")]
    else:
        key = f"{assessment.verdict.value}_{assessment.reasons[0].value}"
        lines = [text(locale, f"gift.preview.{key}")]
        if negotiating is None and assessment.verdict.value != "refuse":
            lines.append(text(locale, "gift.preview.if_not_negotiating"))
    if EVERYDAY.id in inferred:
        what = values.get(DESCRIPTION.id, "")
        yes = values.get(EVERYDAY.id) == "true"
        lines.append(
            text(locale, f"gift.preview.everyday_inferred_{'yes' if yes else 'no'}", what=what)
        )
    if RELATION.id in inferred and values.get(RELATION.id) in {r.value for r in Relation}:
        relation = text(locale, f"gift.relations.{values[RELATION.id]}")
        lines.append(text(locale, "gift.preview.relation_inferred", relation=relation))
    return lines


async def _enrich(services: Services, actor: Actor, gift: Gift) -> Gift:
    """What the bot adds at submission: the employee's earlier gifts from the same giver, and
    whether procurement's list has the giver in negotiation on the day, and what the same
    organisation gave across all staff this year."""
    # The three reads are independent: the employee's own partition, one point read of the list
    # and one partition of the gift register.
    mine, completed = await asyncio.gather(
        _with_earlier_gifts(services, actor, gift),
        with_list_and_totals(services, actor, KIND, gift),
    )
    return replace(completed, earlier=mine.earlier)


def _by_requester_and_giver(copy: ApprovalRequest) -> tuple[str, str]:
    """The grouping the earlier gifts ask of the register: whose gift a copy is, and from
    which giver (so a submission goes through that giver's gifts only, not all of the year's)."""
    gift = copy.facts
    giver = _giver_key(gift.giver_name, gift.giver_organisation) if isinstance(gift, Gift) else ""
    return copy.requester.id, giver


async def _with_earlier_gifts(services: Services, actor: Actor, gift: Gift) -> Gift:
    """Earlier gifts this year from the same giver, for the manager's judgement.

    A gift is filed under the day it was received, so the employee's gifts received this year
    are their copies in this year's gift register partition: the read the organisation's year
    makes anyway (`Requests.recent_register`, at most a minute old plus this instance's own
    changes), so this costs no storage request of its own. Without a day of receipt, their
    own partition is read as before."""
    year = gift.received_on.year
    giver = _giver_key(gift.giver_name, gift.giver_organisation)
    mine: list[Any]
    if gift.received_on == date.min:
        mine = await services.requests.summaries(actor.tenant_id, actor.user_id)
    else:
        copies = await services.requests.recent_group(
            actor.tenant_id, NAME, year, _by_requester_and_giver, (actor.user_id, giver)
        )
        mine = sorted(copies, key=attrgetter("created_at"), reverse=True)
    lines = []
    for request in mine:
        earlier = request.facts
        if request.kind != NAME or not isinstance(earlier, Gift):
            continue
        if earlier.received_on.year != year:
            continue
        if _giver_key(earlier.giver_name, earlier.giver_organisation) != giver:
            continue
        value = format_euros(earlier.value_cents, language_of(actor.locale))
        day = day_text(earlier.received_on, actor.locale)
        lines.append(f"{day}: {earlier.description} ({value})")
        if len(lines) == EARLIER_SHOWN:  # older ones are not even formatted
            break
    return replace(gift, earlier=tuple(lines))


def _giver_messages(request: ApprovalRequest) -> list[dict[str, str]]:
    """A short, polite message to send the giver with a gift that goes back (both languages:
    the giver's may not be the employee's)."""
    gift = KIND.facts_of(request)
    giver = gift.giver_name or gift.giver_organisation
    requester = request.requester.name
    return [
        {
            "title": text(lang, f"gift.return_message.title_{lang}"),
            "text": text(lang, f"gift.return_message.{lang}", giver=giver, requester=requester),
        }
        for lang in ("nl", "en")
    ]


def _giver_key(name: str, organisation: str) -> str:
    return (organisation or name).strip().casefold()


def gift_rows(gift: Gift, locale: str) -> list[dict[str, str]]:
    rows = [
        ("gift.facts.giver", named(gift.giver, locale)),
        ("gift.facts.relation", text(locale, f"gift.relations.{gift.relation.value}")),
        ("gift.facts.negotiating", yes_no(gift.negotiating, locale)),
        *_listed_row(gift.listed_party, gift.listed_period, locale),
        ("gift.facts.description", gift.description),
        ("gift.facts.kind", text(locale, f"gift.kinds.{gift.kind.value}")),
        ("gift.facts.everyday", yes_no(gift.everyday, locale)),
        ("gift.facts.value", format_euros(gift.value_cents, language_of(locale))),
        ("gift.facts.received_on", day_text(gift.received_on, locale)),
        ("gift.facts.at_home", yes_no(gift.at_home, locale)),
    ]
    if gift.remarks:
        rows.append(("gift.facts.remarks", gift.remarks))
    if gift.giver_year is not None:
        rows.append(("gift.facts.giver_year", giver_year_text(gift.giver_year, locale)))
    return [{"title": text(locale, key), "value": value} for key, value in rows]


def _listed_row(party: str, period: str, locale: str) -> list[tuple[str, str]]:
    """The row that says the bot found the giver on procurement's list (none when it did not)."""
    return [("gift.facts.negotiating_listed", listed_line(party, period, locale))] if party else []


def giver_year_text(year: GiverYear, locale: str) -> str:
    """ "7 cadeaus, € 180,00 in totaal, aan 5 collega's"."""
    gifts = text(
        locale,
        "gift.giver_year.gifts_one" if year.gifts == 1 else "gift.giver_year.gifts",
        count=year.gifts,
    )
    people = text(
        locale,
        "gift.giver_year.colleagues_one" if year.colleagues == 1 else "gift.giver_year.colleagues",
        count=year.colleagues,
    )
    total = format_euros(year.cents, language_of(locale))
    return text(locale, "gift.giver_year.line", gifts=gifts, total=total, colleagues=people)


def _giver_year_column(
    requests: Sequence[ApprovalRequest], locale: str
) -> Callable[[Gift], object]:
    """The register column: per gift, what its organisation gave that year across all staff,
    counted over the register entries read for the screen (no extra read)."""
    tallies = giver_years(KIND, requests)

    def value(gift: Gift) -> object:
        found = tallies.get((gift.received_on.year, giver_key(gift)))
        return giver_year_text(found, locale) if found is not None else ""

    return value


KIND = RequestKind(
    name=NAME,
    prefix=PREFIX,
    facts_type=Gift,
    from_record=Gift.from_record,
    rule=gift_rule,
    filed_on=filed_on,
    value_cents=lambda gift: gift.value_cents,
    valued=True,
    register_amount=lambda gift: gift.value_cents,
    judged=True,
    form=FORM,
    read=read_gift,
    card_rows=gift_rows,
    columns=(
        RegisterColumn("giver", lambda g: g.giver_name),
        RegisterColumn("organisation", lambda g: g.giver_organisation),
        RegisterColumn("relation", lambda g: g.relation.value, "choice:gift.relations"),
        RegisterColumn("description", lambda g: g.description),
        RegisterColumn("gift_kind", lambda g: g.kind.value, "choice:gift.kinds"),
        RegisterColumn("value", lambda g: g.value_cents, "euros"),
        RegisterColumn("verdict", fmt="verdict"),
        RegisterColumn("giver_year", across=_giver_year_column, on_card=True),
    ),
    verdicts="gift.verdicts",
    reasons="gift.reasons",
    section=SECTION,
    history_title="gift.earlier",
    history=lambda gift: gift.earlier,
    initial=lambda today: {RECEIVED_ON.id: today.isoformat()},
    enrich=_enrich,
    choices=CHOICES,
    steps=STEPS,
    collect_as=lambda gift: (gift.description, gift.value_cents),
    giver_messages=_giver_messages,
    prefill=prefill,
    preview=preview,
)


def form_card(locale: str, today: date) -> Card:
    return blank(KIND, locale, today)
