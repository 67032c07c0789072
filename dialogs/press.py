"""A journalist calls (§5 Communicatie): the request goes to Communicatie with the journalist's
question; an interview also needs Communicatie's agreement (its position on the card: akkoord,
or niet akkoord with the reason) and the director's consent (the director decides, only after
Communicatie, and can only refuse what Communicatie did not agree to). The employee is told
what to say meanwhile."""

from __future__ import annotations

from datetime import date

from bot.domain.people import Actor
from bot.domain.press import (
    ASKS,
    CHOICES,
    POSITIONS,
    SECTION,
    PressRequest,
    advisor,
    decider,
    press_rule,
    waiting_for_communications,
)
from bot.services.approvers import role_holder
from bot.services.context import Services
from dialogs.forms import Field, Form, Reader
from dialogs.kinds import RegisterColumn, RequestKind, fact_rows

ASKS_FIELD = Field(
    "asks", "choice", "press.asks", "press.asks_choices", required=True, expanded=True
)
JOURNALIST = Field("journalist", "text", "press.journalist", max_length=120, required=True)
MEDIUM = Field(
    "medium", "text", "press.medium", placeholder="press.medium_placeholder", max_length=120
)
CONTACT = Field("contact", "text", "press.contact", max_length=200)
QUESTION = Field("question", "multiline", "press.question", max_length=2000, required=True)
DEADLINE = Field(
    "deadline", "text", "press.deadline", placeholder="press.deadline_placeholder", max_length=80
)

FORM = Form(
    title="press.title",
    intro="press.intro",
    fields=(ASKS_FIELD, JOURNALIST, MEDIUM, CONTACT, QUESTION, DEADLINE),
    submit_verb="press.submit",
    submit_title="press.submit",
)


async def _communications_first(
    services: Services, actor: Actor, press: PressRequest
) -> PressRequest:
    """An interview needs Communicatie's agreement: with nobody holding that role it could never
    be decided, so it is refused at once (RoleNotConfigured: the form says whom to contact)."""
    role = advisor(press)
    if role is not None:
        await role_holder(actor.tenant_id, role, actor.user_id, services.directory)
    return press


def read(form: Reader, today: date) -> PressRequest | None:
    asks = form.choice(ASKS_FIELD, ASKS)
    journalist = form.text(JOURNALIST)
    medium = form.text(MEDIUM)
    contact = form.text(CONTACT)
    question = form.text(QUESTION)
    deadline = form.text(DEADLINE)
    if form.errors:
        return None
    return PressRequest(journalist, medium, contact, asks, question, deadline)


KIND = RequestKind(
    name="press",
    prefix="PER",
    facts_type=PressRequest,
    from_record=PressRequest.from_record,
    rule=press_rule,
    form=FORM,
    read=read,
    card_rows=fact_rows(
        PressRequest,
        (
            ("press.facts.asks", lambda p: p.asks, "choice:press.asks_choices"),
            ("press.facts.journalist", lambda p: p.journalist, "name"),
            ("press.facts.medium", lambda p: p.medium, "text"),
            ("press.facts.contact", lambda p: p.contact, "text"),
            ("press.facts.question", lambda p: p.question, "text"),
            ("press.facts.deadline", lambda p: p.deadline, "text"),
        ),
    ),
    columns=(
        RegisterColumn(
            "asks", lambda p: p.asks, "choice:press.asks_choices", header="press.facts.asks"
        ),
        RegisterColumn("journalist", lambda p: p.journalist, header="press.facts.journalist"),
        RegisterColumn("medium", lambda p: p.medium, header="press.facts.medium"),
        RegisterColumn("question", lambda p: p.question, header="press.facts.question"),
        RegisterColumn("advice", fmt="advice", header="press.facts.advice"),
    ),
    verdicts="press.verdicts",
    reasons="press.reasons",
    section=SECTION,
    statuses="press.statuses",
    choices=CHOICES,
    decider=decider,
    advisor_for=advisor,
    blocked=waiting_for_communications,
    advice_positions=POSITIONS,
    enrich=_communications_first,
)
