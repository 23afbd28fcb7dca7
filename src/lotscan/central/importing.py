"""`central import`: master data and tasks through the station's importer, plus change-log rows
so enrolled stations pull what changed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from lotscan.central import changelog
from lotscan.central.operators import import_active_flags, operator_sites
from lotscan.central.site_scope import CUSTOMER
from lotscan.central.trace import opening
from lotscan.central.trace.kde_records import import_kde_records
from lotscan.domain.events.keys import Key
from lotscan.domain.status import CENTRAL, LotStatus
from lotscan.services.importer import EVERY_SITE, ORDER, ImportDataError, Row, import_tables
from lotscan.store.schema import Item, Lot, Party


def _line_no(value: Any) -> str:
    return str(int(float(value)))


KEYS = {
    "parties": lambda r: ("party", r.text("code")),
    "sites": lambda r: ("site", r.text("code")),
    "locations": lambda r: ("location", r.text("code")),
    "items": lambda r: ("item", r.text("code")),
    "operators": lambda r: ("operator", r.text("badge")),
    "lots": lambda r: ("lot", r.text("item"), r.text("lot")),
    "stock": lambda r: ("stock", r.text("item"), r.text("lot"), r.text("location")),
    "tasks": lambda r: ("task", r.text("code")),
    "task_lines": lambda r: ("task_line", r.text("task"), _line_no(r.text("line_no"))),
}


def import_into_central(conn: Connection, tables: dict[str, list[Row]]) -> dict[str, int]:
    tables = dict(tables)
    _refuse_operators_without_site(tables.get("operators", []))
    kde_rows = tables.pop("kde_records", [])
    stock_keys = [
        (r.text("item") or "", r.text("lot") or "", r.text("location") or "") for r in tables.get("stock", [])
    ]
    stock_before = opening.stock_of(conn, stock_keys)
    badges = [row.text("badge") or "" for row in tables.get("operators", [])]
    sites_before = operator_sites(conn, badges)
    counts = import_tables(conn, tables)
    opening.record_import(conn, stock_keys, stock_before, by="central import")
    _note_imported_holders(conn, tables.get("lots", []))
    active = {
        row.text("badge", required=True) or "": row.flag("active", True)
        for row in tables.get("operators", [])
        if row.text("active") is not None
    }
    if active:
        sources = sorted({row.source for row in tables["operators"]})
        import_active_flags(conn, active, source=", ".join(sources))
    counts["kde_records"] = import_kde_records(conn, kde_rows, datetime.now(UTC).date())
    keys: list[Key] = [KEYS[name](row) for name in ORDER for row in tables.get(name, [])]
    keys += _customers_named(conn, tables.get("tasks", []))
    # An operator moved to another site is deleted from the stations of the site they left.
    moved = operator_sites(conn, badges)
    left = [
        changelog.Entry(("operator", badge), None, site)
        for badge, site in sites_before.items()
        if site is not None and moved.get(badge) != site
    ]
    changelog.append(conn, left + changelog.entries_for(conn, keys))
    return counts


def _customers_named(conn: Connection, tasks: list[Row]) -> list[Key]:
    """The customers imported tasks name: a site's stations get a customer once one of its
    tasks names it (central/site_scope.py), so each goes into the change log again."""
    partners = sorted({p for p in (row.text("partner") for row in tasks) if p})
    if not partners:
        return []
    query = select(Party.code).where(
        Party.kind == CUSTOMER, or_(Party.code.in_(partners), Party.name.in_(partners))
    )
    return [("party", str(code)) for (code,) in conn.execute(query.order_by(Party.code))]


def _refuse_operators_without_site(rows: list[Row]) -> None:
    """Central sends an operator's row and PIN hash to the stations of their site only, so every
    operator it imports names a site, or `*` for a company-wide one (tester #6: operators without a
    site went, PIN hash and all, to every station of every site)."""
    missing = [row for row in rows if not row.text("site")]
    if not missing:
        return
    badges = ", ".join(str(row.text("badge")) for row in missing[:10])
    more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    raise ImportDataError(
        f"{missing[0].source}: operator(s) {badges}{more} have no site: add a site column with the site "
        f"they work at (their row and PIN hash go to that site's stations only), or {EVERY_SITE} for "
        "a company-wide operator such as a quality supervisor"
    )


def _note_imported_holders(conn: Connection, rows: list[Row]) -> None:
    """A lot imported on hold (quarantine, recalled, ...) is held by central: a station does not
    release it (lots.held_by, domain/status.py); one imported released is held by nobody."""
    conn.execute(
        update(Lot).where(Lot.status == LotStatus.RELEASED, Lot.held_by.is_not(None)).values(held_by=None)
    )
    for row in rows:
        if (row.text("status") or LotStatus.RELEASED) == LotStatus.RELEASED:
            continue
        lot_id = (
            select(Lot.id)
            .join(Item, Item.id == Lot.item_id)
            .where(Item.code == row.text("item"), Lot.code == row.text("lot"))
            .scalar_subquery()
        )
        conn.execute(update(Lot).where(Lot.id == lot_id).values(held_by=CENTRAL))
