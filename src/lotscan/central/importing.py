"""`central import`: master data and tasks through the station's importer, plus change-log rows
so enrolled stations pull what changed.

A lot's status an import sets (a new lot's, or a changed one) is a decision of central's: a
lot_status_history row (source `import`) chained in the company chain, so `audit verify` judges
the lot against it (tester's T16: the demo's FLO3961E, recalled by the import, set back to
released with an UPDATE, verified "intact"). `record_unexplained_statuses` records the statuses
imports set before that (migration 0014). So is each operator an import adds or changes
(trace/audit_operators.py, tester W3), and each site, location, item, party, task and task line
(trace/audit_master_data.py, issue 9 item 5).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, tuple_, update

from lotscan.central import changelog
from lotscan.central.changelog import utcnow
from lotscan.central.operators import import_active_flags, operator_sites
from lotscan.central.schema import lot_status_history
from lotscan.central.site_scope import CUSTOMER
from lotscan.central.trace import audit_master_data, audit_operators, decisions, opening
from lotscan.central.trace.audit_lots import undecided
from lotscan.central.trace.audited import STATUS
from lotscan.central.trace.kde_records import import_kde_records
from lotscan.domain.events.keys import Key
from lotscan.domain.status import CENTRAL, LotStatus, held_by_after
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
    operators_before = audit_operators.states(conn, badges)
    master_data_before = audit_master_data.before_import(conn, tables)
    lot_keys = [(r.text("item") or "", r.text("lot") or "") for r in tables.get("lots", [])]
    statuses_before = _statuses(conn, lot_keys)
    counts = import_tables(conn, tables)
    opening.record_import(conn, stock_keys, stock_before, by="central import")
    audit_master_data.record_import(conn, tables, master_data_before, by="central import")
    operator_files = ", ".join(sorted({row.source for row in tables.get("operators", [])}))
    if badges:
        audit_operators.record_import(
            conn, badges, operators_before, by="central import", source=operator_files
        )
    _note_imported_holders(conn, tables.get("lots", []))
    active = {
        row.text("badge", required=True) or "": row.flag("active", True)
        for row in tables.get("operators", [])
        if row.text("active") is not None
    }
    if active:
        import_active_flags(conn, active, source=operator_files)
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
    _record_imported_statuses(conn, tables.get("lots", []), statuses_before)  # chained after the log
    return counts


IMPORT_SOURCE = "import"  # lot_status_history.source of a status an import set
_CHUNK = 500


def _statuses(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The status central holds for each (item, lot) that it has."""
    found: dict[tuple[str, str], str] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        query = (
            select(Item.code, Lot.code, Lot.status)
            .join(Item, Item.id == Lot.item_id)
            .where(tuple_(Item.code, Lot.code).in_(chunk))
        )
        found.update({(item, lot): str(status) for item, lot, status in conn.execute(query)})
    return found


def _record_imported_statuses(conn: Connection, rows: list[Row], before: dict[tuple[str, str], str]) -> None:
    """A lot the import created, or whose status it changed: one status decision each, in the
    company chain."""
    after = _statuses(conn, [(r.text("item") or "", r.text("lot") or "") for r in rows])
    sources = {(r.text("item") or "", r.text("lot") or ""): r.source for r in rows}
    changed = [
        (key, before.get(key), status) for key, status in sorted(after.items()) if before.get(key) != status
    ]
    _record(
        conn,
        [(item, lot, was, now, f"imported from {sources[(item, lot)]}") for (item, lot), was, now in changed],
        "central import",
    )


def _record(conn: Connection, decided: list[tuple[str, str, str | None, str, str]], by: str) -> None:
    """Status decisions (item, lot, from, to, reason) of an import: history rows, chained."""
    if not decided:
        return
    now = utcnow()
    rows = [
        {
            "item": item,
            "lot": lot,
            "from_status": was,
            "to_status": to,
            "effective_at": now,
            "reason": reason,
            "by": by,
            "source": IMPORT_SOURCE,
        }
        for item, lot, was, to, reason in decided
    ]
    h = lot_status_history
    ids = conn.execute(insert(h).returning(h.c.id, sort_by_parameter_order=True), rows).scalars().all()
    for start in range(0, len(ids), _CHUNK):  # the company chain
        decisions.record(conn, STATUS, [int(i) for i in ids[start : start + _CHUNK]])


def record_unexplained_statuses(conn: Connection) -> int:
    """Record, as the import decisions they were, the statuses of lots no recorded decision nor
    creating event explains (imports before their statuses were recorded): each lot's status at
    this moment, by `migration 0014`, held by central as an imported status is; a lot whose
    holder that changes goes into the change log. Returns how many lots."""
    found = undecided(conn)
    decided = [
        (
            u.item,
            u.lot,
            u.created_as,
            u.status,
            "status central held at the upgrade, set by an import before imports were recorded",
        )
        for u in found
    ]
    keys = []
    for u in found:
        holder = held_by_after(None, None, u.status, None)
        changed = conn.execute(
            update(Lot).where(Lot.id == u.lot_id, Lot.held_by.is_distinct_from(holder)).values(held_by=holder)
        )
        if changed.rowcount:
            keys.append(("lot", u.item, u.lot))
    changelog.append(conn, changelog.entries_for(conn, keys))
    _record(conn, decided, "migration 0014")  # the chain's lock after the change log's
    return len(found)


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
