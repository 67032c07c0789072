"""Opening, validating and submitting a request work the same for every kind: the form card ->
the kind's typed facts -> its rule -> the approval engine -> the request card."""

from __future__ import annotations

import logging
import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.kinds import Outcome
from bot.domain.people import Role
from bot.domain.requests import request_id
from bot.services.approvals import Draft, Submitted, submit
from bot.services.approvers import ROLE_APPROVERS, NoApprover, RoleNotConfigured, deciding_role
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text
from cards.texts import text_if_any
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.forms import MAX_ECHO, Reader
from dialogs.kinds import RequestKind
from dialogs.registry import VerbRegistry
from dialogs.requests_view import CardPresenter, request_card

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
log = logging.getLogger(__name__)


def blank(kind: RequestKind[Any], locale: str, today: date) -> Card:
    """The kind's empty form (with its initial values, e.g. today's date)."""
    return kind.form.card(locale, uuid.uuid4().hex, kind.initial(today))


def role_missing(locale: str, kind: str, role: Role) -> str:
    """Whom to contact when the role a request goes to is not in the directory: the kind's own
    text, else the general one for that role (the RvC's roles)."""
    try:
        return text(locale, f"{kind}.role_missing.{role.value}")
    except KeyError:
        return text(locale, f"requests.role_missing.{role.value}")


def unreachable_role(locale: str, kind: str, role: Role, approver: str) -> str:
    """The receipt when nobody holding the deciding role could be reached: who, that it is
    recorded and stays with them, and whom to contact meanwhile (the kind's own text, else the
    general one)."""
    found = text_if_any(locale, f"{kind}.undelivered.{role.value}")
    if found is not None:
        return found.format(approver=approver)
    role_name = text(locale, f"requests.approver_roles.{ROLE_APPROVERS[role].value}")
    return text(locale, "requests.receipt_undelivered_role", approver=approver, role=role_name)


class RequestFlow:
    """The verbs of one kind: `<kind>.open`, its form's submit verb and any extra verbs."""

    def __init__(self, kind: RequestKind[Any]) -> None:
        self.kind = kind

    async def open(self, action: CardAction, services: Services) -> Card:
        """The form; with `prefill` data (from a typed sentence) filled in and previewed."""
        kind = self.kind
        locale = action.actor.locale
        suggested = kind.form.prefill(action.data)
        if not suggested.values:
            return blank(kind, locale, _today(services))
        values = {**kind.initial(_today(services)), **suggested.values}
        notes = kind.preview(values, suggested.inferred, locale)
        return kind.form.card(locale, uuid.uuid4().hex, values, notes=notes, prefilled=True)

    async def submit(self, action: CardAction, services: Services) -> Card:
        kind = self.kind
        locale = action.actor.locale
        raw_id = action.data.get("formId")
        form_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 64 else uuid.uuid4().hex
        reader = Reader(action.data, locale)
        facts = kind.read(reader, _today(services))
        if facts is None or reader.errors:
            banner = text(locale, "requests.form_has_errors")
            return kind.form.card(locale, form_id, reader.values, reader.errors, banner)
        if not action.actor.user_id or not action.actor.tenant_id:
            return kind.form.card(
                locale, form_id, reader.values, {}, text(locale, "requests.no_identity")
            )
        if kind.answered:
            settled = kind.rule(facts)
            if settled.verdict in kind.answered:
                return answer_card(kind, settled, locale)
        unneeded = kind.not_needed(facts)
        if unneeded is not None:  # nothing is filed; the way back keeps what was typed
            return not_needed_card(kind, locale, form_id, reader.values, unneeded)
        try:
            facts = await kind.enrich(services, action.actor, facts)
            outcome = kind.rule(facts)
            draft = Draft(
                kind=kind.name,
                prefix=kind.prefix,
                facts=facts,
                verdict=outcome.verdict,
                reasons=outcome.reasons,
                form_id=form_id,
                advisor_role=kind.advisor_of(facts),
                decider_role=kind.decider(facts),
                receipt_message=action.message_id or "",
            )
            result = await submit(services, CardPresenter(services.kinds), action.actor, draft)
            # Every time, not only when created: a retry after a storage failure must still
            # finish what the first attempt left undone (so `after` must be idempotent).
            told = await kind.after(services, result, facts)
        except RoleNotConfigured as missing:
            # Nothing recorded; the kind says whom to contact instead (the log names the role).
            log.warning("%s not submitted: role %s not configured", kind.name, missing.role.value)
            return kind.form.card(
                locale,
                form_id,
                reader.values,
                {},
                role_missing(locale, kind.name, missing.role),
            )
        except NoApprover:
            # No manager and no integrity officer (the log above names the role): nothing sent.
            log.warning("%s not submitted: no manager and no integrity officer", kind.name)
            return kind.form.card(
                locale, form_id, reader.values, {}, text(locale, "requests.no_approver")
            )
        except StorageError as error:
            reference = request_id(
                kind.prefix, action.actor.tenant_id, action.actor.user_id, form_id
            )
            log_storage_failure(kind.form.submit_verb, reference, error)
            return kind.form.card(
                locale, form_id, reader.values, {}, text(locale, "errors.storage_unavailable")
            )
        return request_card(
            services.kinds,
            result.request,
            locale,
            action.actor.user_id,
            note=receipt(result, locale)
            + (" " + text(locale, told[0], **told[1]) if told is not None else ""),
        )

    async def back(self, action: CardAction, services: Services) -> Card:
        """Back to the form from "no need to report", with everything as it was typed."""
        raw_id = action.data.get("formId")
        form_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 64 else uuid.uuid4().hex
        values = {
            f.id: str(action.data[f.id])[:MAX_ECHO]
            for f in self.kind.form.fields
            if isinstance(action.data.get(f.id), str | int | float | bool)
        }
        return self.kind.form.card(action.actor.locale, form_id, values)

    def register(self, registry: VerbRegistry) -> None:
        registry.add(self.kind.open_verb, self.open)
        registry.add(back_verb(self.kind), self.back)
        registry.add(self.kind.form.submit_verb, self.submit)
        for verb, handler in self.kind.extra_verbs.items():
            registry.add(verb, handler)


def answer_card(kind: RequestKind[Any], outcome: Outcome, locale: str) -> Card:
    """The rule's answer when it settles a question on the spot: nothing was filed."""
    verb = ""
    title = ""
    follow = kind.answer_next.get(outcome.verdict)
    if follow is not None:
        title, verb = text(locale, follow[0]), follow[1]
    points = [text(locale, f"{kind.reasons}.{code}") for code in outcome.reasons]
    points.append(text(locale, f"{kind.name}.nothing_filed"))
    return render(
        "answer",
        locale,
        {
            "title": text(locale, f"{kind.verdicts}.{outcome.verdict}"),
            "section": kind.section,
            "points": points,
            "flow_verb": verb,
            "flow_data": {},
            "for_you": [],
            "flow_title": title,
            "offer_concern": False,
        },
    )


def back_verb(kind: RequestKind[Any]) -> str:
    return f"{kind.name}.back"


def not_needed_card(
    kind: RequestKind[Any], locale: str, form_id: str, values: dict[str, str], code: str
) -> Card:
    """No need to report this, and why (the code's section); back to the form as typed."""
    return render(
        "not_needed",
        locale,
        {
            "heading": text(locale, kind.title),
            "message": text(locale, f"{kind.name}.not_needed.{code}"),
            "section": kind.section,
            "back": back_verb(kind),
            "values": {**values, "formId": form_id},
        },
    )


def receipt(result: Submitted, locale: str) -> str:
    """What the requester is told right after submitting."""
    role = text(locale, f"requests.approver_roles.{result.request.approver_role.value}")
    name = result.request.approver.name
    if not result.created and not result.completed:
        return text(locale, "requests.receipt_repeat")
    if not result.delivered:
        deciding = deciding_role(result.request.approver_role)
        if deciding is not None:
            return unreachable_role(locale, result.request.kind, deciding, name)
        return text(locale, "requests.receipt_undelivered")
    if result.rerouted:
        return text(locale, "requests.receipt_rerouted", approver=name, role=role)
    return text(locale, "requests.receipt_delivered", approver=name, role=role)


def _today(services: Services) -> date:
    return services.clock().astimezone(AMSTERDAM).date()
