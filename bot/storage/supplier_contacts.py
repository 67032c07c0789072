"""Supplier contacts and whether they confirmed they know the code, in Table storage.

`suppliercontacts`: partition = tenant, row = `contact_key(email)` (no address in a key);
`Name`, `Organisation`, `Email`, `ImportedAt`, `ImportedBy`, `SentAt`, `Sends`, `SendError`,
`ConfirmedAt`, `Locale` (the language mailed in, "" = the default). The officer's screen reads
the tenant's one partition; a confirmation is one point read and one ETag-guarded write (a
second confirmation changes nothing). The columns live here only; callers speak
`SupplierContact`. Azure: `SupplierContactRepository`; memory:
`bot.storage.memory.MemorySupplierContacts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from bot.domain.supplier_contacts import SupplierContact
from bot.storage.errors import Conflict, NotFound
from bot.storage.store import Row, TableStore, Write

SUPPLIER_CONTACTS = "suppliercontacts"
TABLES: tuple[str, ...] = (SUPPLIER_CONTACTS,)
BATCH = 100  # rows per entity-group transaction
ATTEMPTS = 5


class SupplierContacts(Protocol):
    """The supplier contact list per tenant, with who confirmed."""

    async def contacts(self, tenant_id: str) -> list[SupplierContact]:
        """The tenant's contacts, by organisation and name."""
        ...

    async def get(self, tenant_id: str, contact_id: str) -> SupplierContact | None: ...

    async def put_all(self, contacts: Sequence[SupplierContact]) -> None:
        """Write contacts as given (an import: new ones, or listed ones with a new name or
        organisation); all of one batch of 100 or none of it; repeating it is harmless."""
        ...

    async def sent(
        self, tenant_id: str, contact_id: str, at: datetime, error: str = ""
    ) -> SupplierContact | None:
        """Note a mail to the contact: it went out (`error` "") or why not."""
        ...

    async def confirm(
        self, tenant_id: str, contact_id: str, at: datetime
    ) -> tuple[SupplierContact, bool] | None:
        """Record the confirmation once: (the contact, whether this call recorded it); None
        when the contact is not (or no longer) on the list."""
        ...

    async def tenants(self) -> list[str]:
        """Every tenant with a list (for retention)."""
        ...

    async def remove(self, tenant_id: str, contact_id: str) -> None:
        """Take a contact off the list (a missing one is fine)."""
        ...


class SupplierContactRepository:
    def __init__(self, store: TableStore) -> None:
        self._store = store

    async def contacts(self, tenant_id: str) -> list[SupplierContact]:
        rows = await self._store.query(SUPPLIER_CONTACTS, tenant_id)
        return ordered(_contact(tenant_id, r) for r in rows)

    async def get(self, tenant_id: str, contact_id: str) -> SupplierContact | None:
        try:
            row = await self._store.get(SUPPLIER_CONTACTS, tenant_id, contact_id)
        except NotFound:
            return None
        return _contact(tenant_id, row)

    async def put_all(self, contacts: Sequence[SupplierContact]) -> None:
        by_tenant: dict[str, dict[str, SupplierContact]] = {}
        for contact in contacts:
            by_tenant.setdefault(contact.tenant_id, {})[contact.id] = contact
        for tenant_id, listed in by_tenant.items():
            unique = list(listed.values())
            for start in range(0, len(unique), BATCH):
                writes = [Write("upsert", c.id, _columns(c)) for c in unique[start : start + BATCH]]
                await self._store.transact(SUPPLIER_CONTACTS, tenant_id, writes)

    async def sent(
        self, tenant_id: str, contact_id: str, at: datetime, error: str = ""
    ) -> SupplierContact | None:
        def change(contact: SupplierContact) -> SupplierContact:
            if error:
                return replace(contact, send_error=error)
            return replace(contact, sent_at=at, sends=contact.sends + 1, send_error="")

        changed = await self._change(tenant_id, contact_id, change)
        return changed[0] if changed else None

    async def confirm(
        self, tenant_id: str, contact_id: str, at: datetime
    ) -> tuple[SupplierContact, bool] | None:
        return await self._change(
            tenant_id,
            contact_id,
            lambda c: c if c.confirmed else replace(c, confirmed_at=at),
        )

    async def _change(
        self, tenant_id: str, contact_id: str, change: Any
    ) -> tuple[SupplierContact, bool] | None:
        """Apply `change` to the stored contact under its ETag, re-read when another write
        came first; (the result, whether it changed anything)."""
        for _ in range(ATTEMPTS):
            try:
                row = await self._store.get(SUPPLIER_CONTACTS, tenant_id, contact_id)
            except NotFound:
                return None
            current = _contact(tenant_id, row)
            updated = change(current)
            if updated == current:
                return current, False
            try:
                await self._store.replace(
                    SUPPLIER_CONTACTS, tenant_id, contact_id, _columns(updated), row.etag or ""
                )
            except NotFound:
                return None
            except Conflict:
                continue
            return updated, True
        raise Conflict(f"supplier contact {contact_id} kept changing")

    async def tenants(self) -> list[str]:
        rows = await self._store.scan(SUPPLIER_CONTACTS, {})
        return sorted({r.partition for r in rows})

    async def remove(self, tenant_id: str, contact_id: str) -> None:
        await self._store.delete(SUPPLIER_CONTACTS, tenant_id, contact_id)


def ordered(contacts: Any) -> list[SupplierContact]:
    return sorted(
        contacts, key=lambda c: (c.organisation.casefold(), c.name.casefold(), c.email.casefold())
    )


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _columns(contact: SupplierContact) -> dict[str, Any]:
    return {
        "Name": contact.name,
        "Organisation": contact.organisation,
        "Email": contact.email,
        "ImportedAt": contact.imported_at.isoformat(),
        "ImportedBy": contact.imported_by,
        "SentAt": _iso(contact.sent_at),
        "Sends": contact.sends,
        "SendError": contact.send_error,
        "ConfirmedAt": _iso(contact.confirmed_at),
        "Locale": contact.locale,
    }


def _contact(tenant_id: str, row: Row) -> SupplierContact:
    d = row.data
    return SupplierContact(
        tenant_id=tenant_id,
        id=row.row,
        name=str(d.get("Name", "")),
        organisation=str(d.get("Organisation", "")),
        email=str(d.get("Email", "")),
        imported_at=datetime.fromisoformat(str(d["ImportedAt"])),
        imported_by=str(d.get("ImportedBy", "")),
        sent_at=_moment(d.get("SentAt")),
        sends=int(d.get("Sends") or 0),
        send_error=str(d.get("SendError") or ""),
        confirmed_at=_moment(d.get("ConfirmedAt")),
        locale=str(d.get("Locale") or ""),
    )
