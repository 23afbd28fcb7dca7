"""What a site's stations may read of the rows shared company-wide (issue 9 §4: stock, locations,
shipments and customers only of the station's site; tester's T17).

Customers (parties of kind customer) go only to the sites whose tasks name them (a task's
partner is a party's code or name; a task without a location is every site's). Suppliers,
farms, carriers and the company's own sites and locations as parties stay company-wide: a
receipt at any site may name any supplier. Genealogy links go to every site (a trace crosses
sites), but a link's task code (a work order, a pick list) is blanked for the sites the task is
not at. Used by the snapshot, by the change log when it records a row, and by a pull's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, null, or_, select

from lotscan.domain.events.keys import Key
from lotscan.store.rows import RowData
from lotscan.store.schema import Location, LotLink, Party, Site, Task

CUSTOMER = "customer"
PARTY, LINKS = "party", "links"


def _task_sites(conn: Connection, codes: set[str]) -> dict[str, str]:
    """The site of each task (of those named) that is at a location; others are every site's."""
    if not codes:
        return {}
    query = (
        select(Task.code, Site.code)
        .join(Location, Location.id == Task.location_id)
        .join(Site, Site.id == Location.site_id)
        .where(Task.code.in_(sorted(codes)))
    )
    return {str(task): str(site) for task, site in conn.execute(query)}


def customer_sites(conn: Connection, code: str, name: str) -> set[str | None]:
    """The sites whose tasks name the customer (None in it: a task of every site)."""
    query = (
        select(Site.code)
        .select_from(Task)
        .outerjoin(Location, Location.id == Task.location_id)
        .outerjoin(Site, Site.id == Location.site_id)
        .where(Task.partner.in_([code, name]))
        .distinct()
    )
    return {row[0] for row in conn.execute(query)}


def links_seen_by(conn: Connection, data: RowData, site: str | None, owners: dict[str, str]) -> RowData:
    """The links row as `site` sees it: task codes of tasks at other sites blanked."""
    if data is None or not owners:
        return data
    links = [
        {**link, "task_code": None} if owners.get(link.get("task_code") or "", site) != site else link
        for link in data.get("links", [])
    ]
    return {**data, "links": links}


def tasks_of_other_sites(conn: Connection, codes: set[str], site: str) -> set[str]:
    """Of the task codes named, those a station of `site` reads blanked: tasks at another site's
    location (a trace answer blanks them as a pull's links row does; tester U10)."""
    return {code for code, at in _task_sites(conn, codes).items() if at != site}


def link_task_owners(conn: Connection, data: RowData) -> dict[str, str]:
    codes = {str(link["task_code"]) for link in (data or {}).get("links", []) if link.get("task_code")}
    return _task_sites(conn, codes)


def scoped(conn: Connection, key: Key, data: RowData, site: str | None) -> list[tuple[RowData, str | None]]:
    """The (data, site) versions of a row the change log records: one for `site` as read, or,
    for a customer, one per site naming it (none if no site does), and for links naming a task
    at a site, the blanked version for every site followed by the full one for that site."""
    if site is not None or data is None:
        return [(data, site)]
    if key[0] == PARTY and data.get("kind") == CUSTOMER:
        sites = customer_sites(conn, str(data["code"]), str(data.get("name") or ""))
        if None in sites:
            return [(data, None)]
        return [(data, s) for s in sorted(s for s in sites if s is not None)]
    if key[0] == LINKS:
        owners = link_task_owners(conn, data)
        if not owners:
            return [(data, None)]
        versions: list[tuple[RowData, str | None]] = [(links_seen_by(conn, data, None, owners), None)]
        versions += [(links_seen_by(conn, data, s, owners), s) for s in sorted(set(owners.values()))]
        return versions
    return [(data, None)]


def row_for_site(conn: Connection, key: Key, data: RowData, site: str) -> tuple[bool, RowData]:
    """Whether a station of `site` may read the row a pull asks for, and the row as it sees it."""
    if data is None:
        return True, None
    if key[0] == PARTY and data.get("kind") == CUSTOMER:
        sites = customer_sites(conn, str(data["code"]), str(data.get("name") or ""))
        return (None in sites or site in sites), data
    if key[0] == LINKS:
        return True, links_seen_by(conn, data, site, link_task_owners(conn, data))
    return True, data


def snapshot_parties(site_tasks: Select[Any]) -> ColumnElement[bool]:
    """The parties a site's snapshot carries: every one but customers its tasks do not name."""
    partners = select(Task.partner).where(Task.id.in_(site_tasks), Task.partner.is_not(None))
    return or_(Party.kind != CUSTOMER, Party.code.in_(partners), Party.name.in_(partners))


def snapshot_links(site_locations: Select[Any]) -> Select[Any]:
    """lot_links for a site's snapshot: a task code of a task at another site's location blanked."""
    elsewhere = select(Task.code).where(
        and_(Task.location_id.is_not(None), Task.location_id.not_in(site_locations))
    )
    task_code = case((LotLink.task_code.in_(elsewhere), null()), else_=LotLink.task_code)
    table = LotLink.__table__
    columns = [task_code.label("task_code") if c.name == "task_code" else c for c in table.columns]
    return select(*columns)
