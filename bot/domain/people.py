"""Who is who: the people of the directory, their roles and the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles the code of conduct gives people, beyond being an employee."""

    DIRECTOR = "director"  # directeur-bestuurder
    RVC_CHAIR = "rvc_chair"  # chair of the Raad van Commissarissen
    RVC_MEMBER = "rvc_member"  # member of the Raad van Commissarissen (from an Entra group)
    PRIVACY_OFFICER = "privacy_officer"
    PRIVACY_DEPUTY = "privacy_deputy"
    HR = "hr"
    INTEGRITY_OFFICER = "integrity_officer"  # integrity/compliance function; fallback approver
    SECRETARIAT = "secretariat"  # collects gifts for the raffle
    PROCUREMENT = "procurement"  # Inkoop: keeps the list of parties in negotiation
    LETTING_SALES = "letting_sales"  # Verhuur en verkoop: told of staff's relatives' homes
    COMMUNICATIONS = "communications"  # Communicatie: the press and social media
    TRAILER_DESK = "trailer_desk"  # takes tenants' trailer bookings (§3, footnote 1)


class PersonType(StrEnum):
    """What a person in the directory is to Woongroen (the raffle is for staff only, §2)."""

    STAFF = "staff"  # employees (the default)
    RVC = "rvc"  # members of the Raad van Commissarissen
    CONTRACTOR = "contractor"  # hired in: contractors, temps, suppliers' people


@dataclass(frozen=True)
class Actor:
    """The person behind an activity, as Teams authenticated them (never from card data)."""

    tenant_id: str
    user_id: str  # Entra object id
    name: str
    locale: str
    mri: str = ""  # Teams user id (29:...), used to address role-specific card views


@dataclass(frozen=True)
class Person:
    """A directory entry."""

    id: str  # Entra object id
    name: str
    email: str = ""
    department: str = ""
    manager_id: str | None = None  # from the directory file (Graph: GET /users/{id}/manager)
    roles: frozenset[Role] = field(default_factory=frozenset)
    active: bool = True  # False: the account is disabled or deleted (they left)
    job_title: str = ""
    type: PersonType = PersonType.STAFF

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Contact:
    """How to reach someone who may not be in the directory, e.g. the vertrouwenspersoon."""

    name: str
    phone: str = ""
    email: str = ""
    teams_chat_url: str = ""
