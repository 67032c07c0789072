"""The directory file: who works here, who is whose manager, who holds which role.

In production the manager comes from Microsoft Graph; the file (and the `people` table it is
loaded into) is the fallback and the local demo. Format: see `infra/demo/directory.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.domain.people import Contact, Person, Role
from bot.storage.repositories import DirectoryRepository


class DirectoryError(ValueError):
    """The directory file is malformed; the message says where."""


@dataclass(frozen=True)
class Directory:
    tenant_id: str
    people: tuple[Person, ...]
    contacts: dict[str, Contact]


def parse_directory(raw: Any, where: str = "directory") -> Directory:
    """Validate a parsed directory document."""
    if not isinstance(raw, dict) or not isinstance(raw.get("people"), list):
        raise DirectoryError(f"{where}: expected an object with a 'people' list")
    tenant = str(raw.get("tenantId", "")).strip()
    if not tenant:
        raise DirectoryError(f"{where}: 'tenantId' is required")
    people: list[Person] = []
    for index, entry in enumerate(raw["people"]):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise DirectoryError(f"{where}: people[{index}] needs an 'id' and a 'name'")
        try:
            roles = frozenset(Role(r) for r in entry.get("roles", []))
        except ValueError as error:
            raise DirectoryError(f"{where}: people[{index}]: {error}") from None
        people.append(
            Person(
                id=str(entry["id"]),
                name=str(entry["name"]),
                email=str(entry.get("email", "")),
                department=str(entry.get("department", "")),
                manager_id=str(entry["managerId"]) if entry.get("managerId") else None,
                roles=roles,
                active=bool(entry.get("active", True)),
                job_title=str(entry.get("jobTitle", "")),
            )
        )
    ids = {p.id for p in people}
    for person in people:
        if person.manager_id and person.manager_id not in ids:
            raise DirectoryError(f"{where}: manager {person.manager_id} of {person.id} is unknown")
    contacts: dict[str, Contact] = {}
    for key, entry in (raw.get("contacts") or {}).items():
        if not isinstance(entry, dict) or not entry.get("name"):
            raise DirectoryError(f"{where}: contacts.{key} needs a 'name'")
        contacts[str(key)] = Contact(
            name=str(entry["name"]),
            phone=str(entry.get("phone", "")),
            email=str(entry.get("email", "")),
            teams_chat_url=str(entry.get("teamsChatUrl", "")),
        )
    return Directory(tenant, tuple(people), contacts)


def read_directory(path: Path) -> Directory:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise DirectoryError(f"{path}: {error}") from None
    return parse_directory(raw, str(path))


async def import_directory(repository: DirectoryRepository, directory: Directory) -> None:
    """Load every person and contact into storage (idempotent)."""
    for person in directory.people:
        await repository.put_person(directory.tenant_id, person)
    for key, contact in directory.contacts.items():
        await repository.put_contact(directory.tenant_id, key, contact)
