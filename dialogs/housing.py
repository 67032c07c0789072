"""Declare that a relative or friend looks for, is offered or buys a Woongroen home or business
space (§1): recorded, the manager takes note, letting and sales is told so the employee is kept
out of the case, and the card says the same rules apply as for everyone."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.housing import (
    CHOICES,
    PROPERTIES,
    SECTION,
    STAGES,
    TIES,
    Housing,
    housing_rule,
)
from bot.domain.people import Role
from bot.domain.requests import ApprovalRequest
from bot.services.approvals import Submitted
from bot.services.context import Services
from bot.services.inform import inform
from cards import text
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import ReceiptNote, RegisterColumn, RequestKind, fact_rows
from dialogs.requests_view import request_card

PERSON = Field(
    "person",
    "text",
    "housing.person",
    placeholder="housing.person_placeholder",
    max_length=120,
    required=True,
)
TIE = Field("tie", "choice", "housing.tie", "housing.ties", required=True, expanded=True)
STAGE = Field("stage", "choice", "housing.stage", "housing.stages", required=True)
PROPERTY = Field(
    "property", "choice", "housing.property", "housing.properties", required=True, expanded=True
)
ADDRESS = Field("address", "text", "housing.address", max_length=200)
REMARKS = Field("remarks", "multiline", "housing.remarks", max_length=1000)

FORM = Form(
    title="housing.title",
    intro="housing.intro",
    fields=(PERSON, TIE, STAGE, PROPERTY, ADDRESS, REMARKS),
    submit_verb="housing.submit",
    submit_title="housing.submit",
)


def read(form: Reader, today: date) -> Housing | None:
    person = form.text(PERSON)
    tie = form.choice(TIE, TIES)
    stage = form.choice(STAGE, STAGES)
    kind = form.choice(PROPERTY, PROPERTIES)
    address = form.text(ADDRESS)
    remarks = form.text(REMARKS)
    if form.errors:
        return None
    return Housing(person, tie, stage, kind, address, remarks)


def letting_card(services: Services) -> Any:
    """The card letting and sales gets: the case, and that the employee stays out of it."""

    def card(request: ApprovalRequest, locale: str, viewer: str) -> dict[str, Any]:
        # Shown as to no one in particular, and never refreshed into someone's own view: even
        # when the same person is the approver, this copy is for information only.
        shown = request_card(
            services.kinds,
            request,
            locale,
            "",
            heading=text(locale, "housing.inform.heading", requester=request.requester.name),
            note=text(locale, "housing.inform.note", requester=request.requester.name),
        )
        shown.pop("refresh", None)
        return shown

    return card


async def tell_letting_and_sales(
    services: Services, submitted: Submitted, facts: Housing
) -> ReceiptNote:
    """Letting and sales gets the case once; the receipt says whether it did, or whom to tell."""
    told = await inform(services, submitted.request, Role.LETTING_SALES, letting_card(services))
    if told.person is None:
        return "housing.told.missing", {}
    key = "housing.told.delivered" if told.delivered else "housing.told.undelivered"
    return key, {"name": told.person.name}


KIND = RequestKind(
    name="housing",
    prefix="WON",
    facts_type=Housing,
    from_record=Housing.from_record,
    rule=housing_rule,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        Housing,
        (
            ("housing.facts.person", lambda h: h.person, "text"),
            ("housing.facts.tie", lambda h: h.tie, "choice:housing.ties"),
            ("housing.facts.stage", lambda h: h.stage, "choice:housing.stages"),
            ("housing.facts.property", lambda h: h.space, "choice:housing.properties"),
            ("housing.facts.address", lambda h: h.address, "text"),
            ("housing.facts.remarks", lambda h: h.remarks, "text"),
        ),
    ),
    columns=(
        RegisterColumn("person", lambda h: h.person, header="housing.facts.person"),
        RegisterColumn("tie", lambda h: h.tie, "choice:housing.ties", header="housing.facts.tie"),
        RegisterColumn(
            "stage", lambda h: h.stage, "choice:housing.stages", header="housing.facts.stage"
        ),
        RegisterColumn(
            "property",
            lambda h: h.space,
            "choice:housing.properties",
            header="housing.facts.property",
        ),
        RegisterColumn("address", lambda h: h.address, header="housing.facts.address"),
    ),
    verdicts="housing.verdicts",
    reasons="housing.reasons",
    section=SECTION,
    statuses="housing.statuses",
    choices=CHOICES,
    after=tell_letting_and_sales,
)
