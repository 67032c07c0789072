"""Submit an invitation (§2 "Uitnodigingen"): always decided together with the manager; the bot
warns, but does not block, when the inviter is negotiating with Woongroen."""

from __future__ import annotations

from datetime import date

from bot.domain.invitations import SECTION, assess_invitation
from dialogs.flow import Outcome, RequestFlow
from dialogs.forms import Field, Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KindView, fact_rows

INVITER = Field("inviter", "text", "invitation.inviter", max_length=160, required=True)
RELATION = Field("relation", "choice", "invitation.relation", "gift.relations", required=True)
KIND = Field("kind", "choice", "invitation.kind", "invitation.kinds", required=True)
DESCRIPTION = Field(
    "description",
    "text",
    "invitation.description",
    placeholder="invitation.description_placeholder",
    max_length=300,
    required=True,
)
EVENT_DATE = Field("eventDate", "date", "invitation.event_date", required=True)
VALUE = Field(
    "value", "text", "invitation.value", placeholder="gift.value_placeholder", max_length=30
)
NEGOTIATING = Field("negotiating", "toggle", "invitation.negotiating")
ADDED_VALUE = Field(
    "addedValue", "multiline", "invitation.added_value", max_length=1000, required=True
)

FORM = Form(
    title="invitation.title",
    intro="invitation.intro",
    fields=(INVITER, RELATION, KIND, DESCRIPTION, EVENT_DATE, VALUE, NEGOTIATING, ADDED_VALUE),
    submit_verb="invitation.submit",
    submit_title="invitation.submit",
)


def read(form: Reader, today: date) -> Outcome | None:
    inviter = form.text(INVITER)
    relation = form.choice(RELATION, ["supplier", "tenant", "business", "other"])
    kind = form.choice(KIND, ["dinner", "excursion", "event", "other"])
    description = form.text(DESCRIPTION)
    when = form.day(EVENT_DATE, today, allow_future=True)
    cents = form.euros(VALUE)
    negotiating = form.flag(NEGOTIATING)
    added_value = form.text(ADDED_VALUE)
    if form.errors or when is None:
        return None
    assessment = assess_invitation(negotiating)
    facts = {
        "summary": f"{description} ({inviter})",
        "inviter": inviter,
        "relation": relation,
        "kind": kind,
        "description": description,
        "eventDate": when.isoformat(),
        "valueCents": cents,
        "negotiating": negotiating,
        "addedValue": added_value,
    }
    return Outcome(facts, assessment.verdict, assessment.reasons)


FLOW = RequestFlow(
    kind="invitation",
    prefix="UIT",
    form=FORM,
    read=read,
    view=KindView(
        title="invitation.title",
        facts=fact_rows(
            (
                ("invitation.facts.inviter", "inviter", "text"),
                ("invitation.facts.relation", "relation", "choice:gift.relations"),
                ("invitation.facts.kind", "kind", "choice:invitation.kinds"),
                ("invitation.facts.description", "description", "text"),
                ("invitation.facts.event_date", "eventDate", "text"),
                ("invitation.facts.value", "valueCents", "euros"),
                ("invitation.facts.negotiating", "negotiating", "yesno"),
                ("invitation.facts.added_value", "addedValue", "text"),
            )
        ),
        verdicts="invitation.verdicts",
        reasons="invitation.reasons",
        section=SECTION,
        approve="invitation.approve",
        decline="invitation.decline",
        statuses="invitation.statuses",
    ),
)


def register(registry: VerbRegistry) -> None:
    FLOW.register(registry)
