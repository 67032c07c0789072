"""One request flow = a configuration of the approval engine: its form, rules, card view and
(optional) advisor. Opening, validating and submitting work the same for every kind."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.people import Actor, Role
from bot.domain.requests import request_id
from bot.services.approvals import Draft, Submitted, submit
from bot.services.approvers import NoApprover
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import text
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.forms import Form, Reader
from dialogs.registry import VerbRegistry
from dialogs.requests_view import KINDS, CardPresenter, KindView, request_card

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PRESENTER = CardPresenter()


@dataclass(frozen=True)
class Outcome:
    """What the rules make of a valid form: facts to store, and the verdict with its reasons."""

    facts: dict[str, Any]
    verdict: str
    reasons: tuple[str, ...] = ()


Read = Callable[[Reader, date], Outcome | None]
Enrich = Callable[[Services, Actor, Outcome], Awaitable[Outcome]]
After = Callable[[Services, Submitted, Outcome], Awaitable[None]]  # idempotent: may run again


async def _unchanged(services: Services, actor: Actor, outcome: Outcome) -> Outcome:
    return outcome


async def _nothing(services: Services, submitted: Submitted, outcome: Outcome) -> None:
    return None


@dataclass(frozen=True)
class RequestFlow:
    kind: str
    prefix: str  # reference prefix: CAD-..., UIT-...
    form: Form
    read: Read  # None when the reader collected errors
    view: KindView
    initial: Callable[[date], Mapping[str, str]] = lambda today: {}
    enrich: Enrich = _unchanged  # e.g. earlier gifts from the same giver
    after: After = _nothing  # e.g. the gift goes on the collection register
    advisor_role: Role | None = None
    extra_verbs: Mapping[str, Callable[[CardAction, Services], Awaitable[Card]]] = field(
        default_factory=dict
    )

    def blank(self, locale: str, today: date) -> Card:
        return self.form.card(locale, uuid.uuid4().hex, self.initial(today))

    async def open(self, action: CardAction, services: Services) -> Card:
        return self.blank(action.actor.locale, _today(services))

    async def submit(self, action: CardAction, services: Services) -> Card:
        locale = action.actor.locale
        raw_id = action.data.get("formId")
        form_id = raw_id if isinstance(raw_id, str) and 0 < len(raw_id) <= 64 else uuid.uuid4().hex
        reader = Reader(action.data, locale)
        outcome = self.read(reader, _today(services))
        if outcome is None or reader.errors:
            banner = text(locale, "requests.form_has_errors")
            return self.form.card(locale, form_id, reader.values, reader.errors, banner)
        if not action.actor.user_id or not action.actor.tenant_id:
            return self.form.card(
                locale, form_id, reader.values, {}, text(locale, "requests.no_identity")
            )
        try:
            outcome = await self.enrich(services, action.actor, outcome)
            draft = Draft(
                kind=self.kind,
                prefix=self.prefix,
                facts=outcome.facts,
                verdict=outcome.verdict,
                reasons=outcome.reasons,
                form_id=form_id,
                advisor_role=self.advisor_role,
            )
            result = await submit(services, PRESENTER, action.actor, draft)
            # Every time, not only when created: a retry after a storage failure must still
            # finish what the first attempt left undone (so `after` must be idempotent).
            await self.after(services, result, outcome)
        except NoApprover:
            return self.form.card(
                locale, form_id, reader.values, {}, text(locale, "requests.no_approver")
            )
        except StorageError as error:
            reference = request_id(
                self.prefix, action.actor.tenant_id, action.actor.user_id, form_id
            )
            log_storage_failure(self.form.submit_verb, reference, error)
            return self.form.card(
                locale, form_id, reader.values, {}, text(locale, "errors.storage_unavailable")
            )
        return request_card(
            result.request, locale, action.actor.user_id, note=receipt(result, locale)
        )

    def register(self, registry: VerbRegistry) -> None:
        KINDS[self.kind] = self.view
        registry.add(f"{self.kind}.open", self.open)
        registry.add(self.form.submit_verb, self.submit)
        for verb, handler in self.extra_verbs.items():
            registry.add(verb, handler)


def receipt(result: Submitted, locale: str) -> str:
    """What the requester is told right after submitting."""
    role = text(locale, f"requests.approver_roles.{result.request.approver_role.value}")
    name = result.request.approver.name
    if not result.created and not result.completed:
        return text(locale, "requests.receipt_repeat")
    if not result.delivered:
        return text(locale, "requests.receipt_undelivered")
    if result.rerouted:
        return text(locale, "requests.receipt_rerouted", approver=name, role=role)
    return text(locale, "requests.receipt_delivered", approver=name, role=role)


def _today(services: Services) -> date:
    return services.clock().astimezone(AMSTERDAM).date()
