"""Parties and their location descriptions (FSMA 204, 21 CFR 1.1310: "location description"
means key contact information for the location of a traceability event, specifically the
business name, phone number, and physical location address).

Pure: no database. Central and the exports build `PartyInfo` from the `parties` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PARTY_KINDS = ("site", "location", "supplier", "customer", "farm", "carrier")


@dataclass(frozen=True)
class PartyInfo:
    code: str
    kind: str
    name: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    gln: str | None = None
    ffrn: str | None = None

    def description(self) -> str:
        """`Name, street, city, postal code, country, phone`, leaving out parts not known."""
        return self._description

    @cached_property
    def _description(self) -> str:
        parts = (self.name, self.street, self.city, self.postal_code, self.country, self.phone)
        return ", ".join(p for p in parts if p)

    def missing(self) -> list[str]:
        """The location-description parts the rule asks for that this party lacks."""
        return self._missing

    @cached_property
    def _missing(self) -> list[str]:
        wanted = {"address": self.street and self.city, "phone": self.phone}
        return [what for what, value in wanted.items() if not value]

    def reference(self) -> str | None:
        """As a traceability lot code source reference (1.1310): the FDA food facility
        registration number, else the GLN."""
        if self.ffrn:
            return f"FFRN {self.ffrn}"
        if self.gln:
            return f"GLN {self.gln}"
        return None

    def name_and_phone(self) -> str:
        return ", ".join(p for p in (self.name, self.phone) if p)


def check_time_zone(name: str) -> str:
    """`name` if it is an IANA time zone (Europe/Berlin, America/Chicago, UTC), else ValueError."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not an IANA time zone (e.g. Europe/Berlin, America/Chicago, UTC)"
        ) from None
    return name
