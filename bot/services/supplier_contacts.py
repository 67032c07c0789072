"""Suppliers confirm they know the code: import their contacts, send the code's summary with a
link of their own, record confirmations, remind (see bot.domain.supplier_contacts).

Mail goes out through Microsoft Graph sendMail from `MAIL_SENDER` (`bot.mail`); each contact's
send is written on their row (when it went out, or why not), so the officer sees who still
needs it, and a failed send is tried again with the next "send" rather than lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.domain.people import Actor
from bot.domain.supplier_contacts import (
    LineError,
    LinkRefused,
    SupplierContact,
    contact_key,
    due_for,
    imported,
    link_token,
    parse_contacts,
    read_link,
)
from bot.services.context import Services
from bot.services.fanout import fan_out
from bot.services.notify import MailError

log = logging.getLogger(__name__)
CONFIRM_PATH = "/gedragscode/bevestigen/"
MIN_SECRET = 32
Compose = Callable[[SupplierContact, str, str], tuple[str, str]]  # (contact, url, locale)


class NotConfigured(Exception):
    """Sending needs a setting that is empty; `setting` names it (logged, shown to the officer)."""

    def __init__(self, setting: str) -> None:
        super().__init__(f"{setting} is not configured")
        self.setting = setting


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int
    errors: tuple[LineError, ...]
    too_many: bool


async def import_list(services: Services, actor: Actor, text: str) -> Imported:
    """Add the good lines to the tenant's list (a listed address keeps whether it was sent and
    confirmed); the bad ones are returned with why, for the officer to correct."""
    parsed = parse_contacts(text)
    repository = services.supplier_contacts
    listed = {c.id: c for c in await repository.contacts(actor.tenant_id)}
    now = services.clock()
    contacts = []
    added = 0
    for line in parsed.contacts:
        current = listed.get(contact_key(line.email))
        added += current is None
        contacts.append(imported(current, line, actor.tenant_id, actor.user_id, now))
    await repository.put_all(contacts)
    return Imported(added, len(contacts) - added, parsed.errors, parsed.too_many)


def confirm_url(services: Services, contact: SupplierContact) -> str:
    secret = services.settings.supplier_link_secret
    token = link_token(secret, contact.tenant_id, contact.id, services.clock())
    return f"{services.settings.public_url}{CONFIRM_PATH}{token}"


@dataclass(frozen=True)
class Sent:
    sent: int
    failed: int


async def send(
    services: Services, tenant_id: str, reminder: bool, compose: Compose, locale: str
) -> Sent:
    """The summary to everyone who has not had it (or whose mail failed), or a reminder to
    everyone who had it and has not confirmed. NotConfigured without a mailbox or secret."""
    mailer = services.mailer
    if mailer is None:
        log.warning("supplier mail not sent: MAIL_SENDER is not configured")
        raise NotConfigured("MAIL_SENDER")
    if len(services.settings.supplier_link_secret) < MIN_SECRET:
        log.warning("supplier mail not sent: SUPPLIER_LINK_SECRET is not configured")
        raise NotConfigured("SUPPLIER_LINK_SECRET")
    repository = services.supplier_contacts
    due = due_for(await repository.contacts(tenant_id), reminder)
    counts = {"sent": 0, "failed": 0}

    async def one(contact: SupplierContact) -> None:
        subject, html = compose(contact, confirm_url(services, contact), contact.locale or locale)
        try:
            await mailer.send(contact.email, contact.name, subject, html)
        except MailError as error:
            log.warning("supplier mail not sent: %s %s", error.status, error.code)
            await repository.sent(tenant_id, contact.id, services.clock(), error.code or "error")
            counts["failed"] += 1
            return
        await repository.sent(tenant_id, contact.id, services.clock())
        counts["sent"] += 1

    result = await fan_out(due, one, concurrency=4)
    for _, error in result.failed:
        log.warning("supplier mail round: %s", type(error).__name__)
        counts["failed"] += 1
    return Sent(counts["sent"], counts["failed"])


class LinkState(StrEnum):
    READY = "ready"  # valid and not confirmed yet: the page offers the button
    CONFIRMED = "confirmed"  # this request recorded it
    ALREADY = "already"  # confirmed before (a second click changes nothing)
    EXPIRED = "expired"
    INVALID = "invalid"  # not signed by us, or the contact is no longer on the list


def _max_age(services: Services) -> timedelta:
    return timedelta(days=services.settings.supplier_link_days)


async def inspect_link(services: Services, token: str) -> LinkState:
    """What the link is now, without using it (a mail scanner's fetch changes nothing)."""
    found = read_link(
        services.settings.supplier_link_secret, token, _max_age(services), services.clock()
    )
    if isinstance(found, LinkRefused):
        return LinkState(found.reason)
    contact = await services.supplier_contacts.get(*found)
    if contact is None:
        return LinkState.INVALID
    return LinkState.ALREADY if contact.confirmed else LinkState.READY


async def confirm_link(services: Services, token: str) -> LinkState:
    """Record the contact's confirmation (once: a second one changes nothing)."""
    found = read_link(
        services.settings.supplier_link_secret, token, _max_age(services), services.clock()
    )
    if isinstance(found, LinkRefused):
        log.info("supplier confirmation refused: link %s", found.reason)
        return LinkState(found.reason)
    outcome = await services.supplier_contacts.confirm(*found, services.clock())
    if outcome is None:
        log.info("supplier confirmation refused: the contact is not on the list")
        return LinkState.INVALID
    return LinkState.CONFIRMED if outcome[1] else LinkState.ALREADY
