"""Suppliers and the code (its introduction): the integrity officer's screen to import the
supplier contact list (CSV), send the code's summary and reminders, and follow who confirmed
(`supplier_code.open`, `.import`, `.send`, `.remind`). The supplier's side is a web page
(`bot/suppliers_http.py`)."""

from __future__ import annotations

import html
from typing import Any

from bot.domain.people import Role
from bot.domain.supplier_contacts import MAX_LINES, SupplierContact
from bot.services import supplier_contacts as service
from bot.services.context import Services
from bot.storage.errors import StorageError
from cards import render, text, texts_for
from dialogs.base import Card, CardAction, log_storage_failure
from dialogs.registry import VerbRegistry
from dialogs.requests_view import when
from dialogs.roles import requires

OFFICERS = (Role.INTEGRITY_OFFICER,)
SHOWN = 60  # contacts on the card
MAX_TEXT = 100_000


def _status(contact: SupplierContact, locale: str) -> str:
    if contact.confirmed:
        return text(
            locale, "supplier_code.status_confirmed", date=when(contact.confirmed_at, locale)
        )
    if contact.send_error:
        return text(locale, "supplier_code.status_failed", error=contact.send_error)
    if contact.sends:
        return text(
            locale,
            "supplier_code.status_sent",
            date=when(contact.sent_at, locale),
            sends=contact.sends,
        )
    return text(locale, "supplier_code.status_unsent")


async def screen(
    services: Services,
    tenant_id: str,
    locale: str,
    note: str = "",
    warning: str = "",
    errors: list[str] | None = None,
    csv: str = "",
) -> Card:
    contacts = await services.supplier_contacts.contacts(tenant_id)
    # Who has not confirmed first: that is what the officer follows up.
    shown = sorted(contacts, key=lambda c: c.confirmed)[:SHOWN]
    summary = (
        text(
            locale,
            "supplier_code.summary",
            confirmed=sum(c.confirmed for c in contacts),
            total=len(contacts),
            unsent=sum(1 for c in contacts if not c.sends and not c.send_error),
            failed=sum(1 for c in contacts if c.send_error and not c.confirmed),
        )
        if contacts
        else text(locale, "supplier_code.empty")
    )
    return render(
        "supplier_code",
        locale,
        {
            "note": note,
            "warning": warning,
            "errors": errors or [],
            "summary": summary,
            "contacts": [
                {
                    "title": f"{c.name} ({c.organisation})",
                    "value": f"{c.email}: {_status(c, locale)}",
                }
                for c in shown
            ],
            "more": text(locale, "supplier_code.more", more=len(contacts) - SHOWN)
            if len(contacts) > SHOWN
            else "",
            "csv": csv,
            "codeUrl": services.settings.code_url,
        },
    )


def _failed(locale: str, verb: str, error: StorageError) -> Card:
    log_storage_failure(verb, "", error)
    return render("error", locale, {"message": text(locale, "errors.storage_unavailable")})


@requires(OFFICERS, "supplier_code.not_allowed")
async def open_screen(action: CardAction, services: Services) -> Card:
    actor = action.actor
    try:
        return await screen(services, actor.tenant_id, actor.locale)
    except StorageError as error:
        return _failed(actor.locale, "supplier_code.open", error)


@requires(OFFICERS, "supplier_code.not_allowed")
async def import_contacts(action: CardAction, services: Services) -> Card:
    """Import the good lines; the bad ones stay in the box, each with why, so nothing typed is
    lost and they can be corrected and imported again."""
    actor = action.actor
    locale = actor.locale
    raw = action.data.get("csv")
    typed = raw[:MAX_TEXT] if isinstance(raw, str) else ""
    if not typed.strip():
        return await screen(
            services, actor.tenant_id, locale, warning=text(locale, "supplier_code.import_empty")
        )
    try:
        result = await service.import_list(services, actor, typed)
    except StorageError as error:
        log_storage_failure("supplier_code.import", "", error)
        return await _safe_screen(
            services, actor.tenant_id, locale, text(locale, "errors.storage_unavailable"), typed
        )
    note = text(locale, "supplier_code.imported", added=result.added, updated=result.updated)
    lines = [
        text(
            locale,
            "supplier_code.line",
            line=e.line,
            why=text(locale, f"supplier_code.errors.{e.code}"),
        )
        for e in result.errors
    ]
    warning = (
        text(locale, "supplier_code.import_errors", count=len(result.errors))
        if result.errors
        else ""
    )
    if result.too_many:
        warning = " ".join(
            w for w in (warning, text(locale, "supplier_code.too_many", max=MAX_LINES)) if w
        )
    left = "\n".join(e.text for e in result.errors)
    return await screen(services, actor.tenant_id, locale, note, warning, lines, left)


async def _safe_screen(
    services: Services, tenant_id: str, locale: str, warning: str, csv: str
) -> Card:
    try:
        return await screen(services, tenant_id, locale, warning=warning, csv=csv)
    except StorageError:
        return render("error", locale, {"message": warning})


def compose(contact: SupplierContact, url: str, locale: str, days: int, code_url: str,
            reminder: bool) -> tuple[str, str]:  # fmt: skip
    """The mail: the code's summary in our own words with section references, the link to
    the code's text and the contact's own confirmation button."""
    mail: dict[str, Any] = texts_for(locale)["supplier_code"]["mail"]

    def e(value: str) -> str:
        return html.escape(value, quote=True)

    points = "".join(f"<li>{e(p)}</li>" for p in mail["points"])
    closing = "<br>".join(e(line) for line in str(mail["closing"]).split("\n"))
    top = f"<p><strong>{e(mail['reminder'])}</strong></p>" if reminder else ""
    body = (
        f'<html><body style="font-family:Segoe UI,Arial,sans-serif">{top}'
        f"<p>{e(mail['greeting'].format(name=contact.name))}</p>"
        f"<p>{e(mail['intro'].format(organisation=contact.organisation))}</p>"
        f"<ul>{points}</ul>"
        f'<p>{e(mail["read"])} <a href="{e(code_url)}">{e(code_url)}</a></p>'
        f"<p>{e(mail['confirm_intro'].format(days=days))}</p>"
        f'<p><a href="{e(url)}" style="display:inline-block;padding:10px 18px;'
        f'background:#5b5fc7;color:#ffffff;text-decoration:none;border-radius:4px">'
        f"{e(mail['confirm'])}</a></p>"
        f"<p>{closing}</p></body></html>"
    )
    subject = str(mail["subject"])
    return subject, body


async def _send(action: CardAction, services: Services, reminder: bool) -> Card:
    actor = action.actor
    locale = actor.locale
    settings = services.settings

    def composer(contact: SupplierContact, url: str, language: str) -> tuple[str, str]:
        return compose(
            contact, url, language, settings.supplier_link_days, settings.code_url, reminder
        )

    verb = "supplier_code.remind" if reminder else "supplier_code.send"
    try:
        result = await service.send(
            services, actor.tenant_id, reminder, composer, settings.default_locale
        )
    except service.NotConfigured as missing:
        warning = text(locale, "supplier_code.not_configured", setting=missing.setting)
        return await _safe_screen(services, actor.tenant_id, locale, warning, "")
    except StorageError as error:
        return _failed(locale, verb, error)
    if result.sent == 0 and result.failed == 0:
        note = text(locale, "supplier_code.nothing_to_send")
    else:
        note = text(locale, "supplier_code.sent", sent=result.sent, failed=result.failed)
    return await screen(services, actor.tenant_id, locale, note=note)


@requires(OFFICERS, "supplier_code.not_allowed")
async def send_summary(action: CardAction, services: Services) -> Card:
    return await _send(action, services, reminder=False)


@requires(OFFICERS, "supplier_code.not_allowed")
async def send_reminder(action: CardAction, services: Services) -> Card:
    return await _send(action, services, reminder=True)


def register(registry: VerbRegistry) -> None:
    registry.add("supplier_code.open", open_screen)
    registry.add("supplier_code.import", import_contacts)
    registry.add("supplier_code.send", send_summary)
    registry.add("supplier_code.remind", send_reminder)
