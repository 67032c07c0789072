"""Who is who: the people of the directory, their roles and the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles the code of conduct gives people, beyond being an employee."""

    DIRECTOR = "director"  # directeur-bestuurder
    RVC_CHAIR = "rvc_chair"  # chair of the Raad van Commissarissen
    RVC_VICE_CHAIR = "rvc_vice_chair"  # vice-chair of the RvC: decides the chair's own requests
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
    FORMER = "former"  # left Woongroen: the account is disabled or deleted


# The roles that make someone a member of the Raad van Commissarissen.
RVC_ROLES = frozenset({Role.RVC_CHAIR, Role.RVC_VICE_CHAIR, Role.RVC_MEMBER})

# Entra ID's `employeeType` values (case-insensitive) that mean someone is hired in, not staff.
CONTRACTOR_TYPES = frozenset(
    {
        "contractor",
        "consultant",
        "vendor",
        "supplier",
        "temp",
        "temporary",
        "freelancer",
        "extern",
        "externe",
        "inhuur",
        "ingehuurd",
        "leverancier",
        "uitzendkracht",
        "zzp",
        "zzp'er",
    }
)


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
    employee_type: str = ""  # Entra ID's `employeeType` as Graph gave it ("" when not set)

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def on_rvc(self) -> bool:
        """A member of the Raad van Commissarissen (by role or by type)."""
        return self.type is PersonType.RVC or bool(self.roles & RVC_ROLES)


def person_type(active: bool, roles: frozenset[Role], employee_type: str) -> PersonType:
    """What someone is to Woongroen, from the directory as Entra ID holds it: former staff
    (account disabled or deleted), a member of the RvC (a member of one of the RvC's role
    groups), a contractor (`employeeType` is one of `CONTRACTOR_TYPES`), else staff."""
    if not active:
        return PersonType.FORMER
    if roles & RVC_ROLES:
        return PersonType.RVC
    if employee_type.strip().casefold() in CONTRACTOR_TYPES:
        return PersonType.CONTRACTOR
    return PersonType.STAFF


@dataclass(frozen=True)
class Contact:
    """How to reach someone who may not be in the directory, e.g. the vertrouwenspersoon."""

    name: str
    phone: str = ""
    email: str = ""
    teams_chat_url: str = ""
