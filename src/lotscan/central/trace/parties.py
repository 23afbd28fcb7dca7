"""Who and where, for the exports: parties, sites and locations of central's master data.

Events and tasks name partners as free text (a party's code or its business name); our own
places by location code. A `Directory` resolves both to a `PartyInfo` (business name, address,
phone, GLN, FDA FFRN) and knows each site's time zone. Master data is small, so it is read
once per export.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from lotscan.domain.parties import PartyInfo
from lotscan.store.schema import Location, Party, Site


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    gln: str | None
    site: str
    site_gln: str | None
    time_zone: str


class Directory:
    def __init__(self, parties: list[PartyInfo], places: list[Place]):
        self.by_code = {p.code: p for p in parties}
        self.by_name = {p.name.casefold(): p for p in parties}
        self.places = {p.code: p for p in places}
        self.sites = {p.site: p for p in places}
        self._locations: dict[str, PartyInfo] = {}

    @classmethod
    def load(cls, conn: Connection) -> Directory:
        parties = [
            PartyInfo(
                r.code, r.kind, r.name, r.street, r.city, r.postal_code, r.country, r.phone, r.gln, r.ffrn
            )
            for r in conn.execute(select(Party.__table__))
        ]
        places = [
            Place(r.code, r.name or r.code, r.gln, r.site, r.site_gln, r.time_zone or "UTC")
            for r in conn.execute(
                select(
                    Location.code,
                    Location.name,
                    Location.gln,
                    Site.code.label("site"),
                    Site.gln.label("site_gln"),
                    Site.time_zone,
                ).join(Site, Site.id == Location.site_id)
            )
        ]
        site_rows = conn.execute(select(Site.code, Site.gln, Site.time_zone, Site.name)).all()
        directory = cls(parties, places)
        for r in site_rows:
            directory.sites.setdefault(
                r.code, Place(r.code, r.name or r.code, r.gln, r.code, r.gln, r.time_zone)
            )
        return directory

    def party(self, name: str | None) -> PartyInfo | None:
        """The party a free-text partner names (its code or business name), else None."""
        if not name:
            return None
        return self.by_code.get(name) or self.by_name.get(name.casefold())

    def partner(self, name: str | None) -> PartyInfo | None:
        """As `party`, and a bare PartyInfo (name only) for a partner not in master data."""
        if not name:
            return None
        return self.party(name) or PartyInfo(name, "unknown", name)

    def location(self, code: str | None) -> PartyInfo | None:
        """Our own location as a party: the location's own party, else its site's, with the
        location's GLN; a bare name when neither is in master data."""
        if not code:
            return None
        if code not in self._locations:
            self._locations[code] = self._location(code)
        return self._locations[code]

    def _location(self, code: str) -> PartyInfo:
        place = self.places.get(code)
        own = self.by_code.get(code)
        if own is not None:
            return own if own.gln or place is None else replace(own, gln=place.gln)
        if place is None:
            return PartyInfo(code, "location", code)
        site = self.by_code.get(place.site)
        if site is None:
            return PartyInfo(code, "location", f"{place.site} {place.name}", gln=place.gln)
        return replace(site, code=code, kind="location", gln=place.gln or site.gln)

    def tlc_source(
        self,
        origins: dict[tuple[str, str], str | None],
        key: tuple[str, str],
        supplier: str | None,
        here: str | None = None,
    ) -> PartyInfo | None:
        """Where a lot got its traceability lot code: our location that made it (`origins`, see
        records.origins), else the supplier it was received from; a lot with neither (one of our
        own, imported into master data) got it at our site, the one of location `here`."""
        if key in origins:
            return self.location(origins[key])
        if supplier:
            return self.partner(supplier)
        site = self.site_party(here)
        return site if site is not None else None

    def site_of(self, location: str | None) -> Place | None:
        place = self.places.get(location or "")
        return self.sites.get(place.site) if place else None

    def site_party(self, location: str | None) -> PartyInfo | None:
        place = self.places.get(location or "")
        return self.by_code.get(place.site) if place else None

    def time_zone(self, location: str | None, site: str | None = None) -> str:
        place = self.places.get(location or "")
        if place is not None:
            return place.time_zone
        known = self.sites.get(site or "")
        return known.time_zone if known else "UTC"


def local(at_utc: datetime, time_zone: str) -> datetime:
    """The wall-clock time at the site for a naive-UTC instant (aware, with its offset)."""
    return at_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(time_zone))


def offset(at_utc: datetime, time_zone: str) -> str:
    """The UTC offset (+HH:MM) of `time_zone` at the UTC instant `at_utc` (EPCIS
    eventTimeZoneOffset: the offset in effect where and when the event happened)."""
    minutes = int((local(at_utc, time_zone).utcoffset() or timedelta(0)).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
