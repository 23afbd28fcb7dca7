"""Reading shared rows at central, by natural key: each reader gives the row and its site."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select, tuple_
from sqlalchemy.orm import aliased

from lotscan.domain.events.keys import Key
from lotscan.store.schema import (
    Container,
    Item,
    Location,
    Lot,
    LotLink,
    Operator,
    Party,
    Serial,
    Site,
    Stock,
    Task,
    TaskLine,
)

RowData = dict[str, Any] | None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _site_of_location(conn: Connection, location_id: int | None) -> str | None:
    if location_id is None:
        return None
    return conn.execute(
        select(Site.code).join(Location, Location.site_id == Site.id).where(Location.id == location_id)
    ).scalar()


def lot_ids(conn: Connection, item: str, lot: str) -> tuple[int | None, int | None]:
    row = conn.execute(
        select(Item.id, Lot.id)
        .outerjoin(Lot, (Lot.item_id == Item.id) & (Lot.code == lot))
        .where(Item.code == item)
    ).first()
    if row is None:
        return None, None
    return row[0], row[1]


def read_lot(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    lot = conn.execute(
        select(Lot.__table__)
        .join(Item, Item.id == Lot.item_id)
        .where(Item.code == key[1], Lot.code == key[2])
    ).first()
    if lot is None:
        return None, None
    return {
        "item": key[1],
        "lot": key[2],
        "status": lot.status,
        "expiry": _iso(lot.expiry),
        "best_before": _iso(lot.best_before),
        "production_date": _iso(lot.production_date),
        "supplier": lot.supplier,
        "supplier_lot": lot.supplier_lot,
        "received_at": _iso(lot.received_at),
        "held_by": lot.held_by,
    }, None


def read_stock(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(Stock.qty, Stock.received_at, Site.code)
        .join(Lot, Lot.id == Stock.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .join(Location, Location.id == Stock.location_id)
        .join(Site, Site.id == Location.site_id)
        .where(Item.code == key[1], Lot.code == key[2], Location.code == key[3])
    ).first()
    if row is None:
        site = conn.execute(
            select(Site.code).join(Location, Location.site_id == Site.id).where(Location.code == key[3])
        ).scalar()
        return None, site
    return {
        "item": key[1],
        "lot": key[2],
        "location": key[3],
        "qty": float(row[0]),
        "received_at": _iso(row[1]),
    }, row[2]


def stock_row_data(
    item: str, lot: str, location: str, qty: float, received_at: datetime | None
) -> dict[str, Any]:
    """A stock row as `read_stock(s)` give it (and the change log records it)."""
    return {"item": item, "lot": lot, "location": location, "qty": qty, "received_at": _iso(received_at)}


def read_stocks(conn: Connection, keys: list[Key]) -> dict[Key, tuple[RowData, str | None]]:
    """`read_stock` for many keys, in one query per 300 keys (a push changes hundreds)."""
    found: dict[Key, tuple[RowData, str | None]] = {}
    for start in range(0, len(keys), 300):
        chunk = keys[start : start + 300]
        rows = conn.execute(
            select(Item.code, Lot.code, Location.code, Stock.qty, Stock.received_at, Site.code)
            .select_from(Stock)
            .join(Lot, Lot.id == Stock.lot_id)
            .join(Item, Item.id == Lot.item_id)
            .join(Location, Location.id == Stock.location_id)
            .join(Site, Site.id == Location.site_id)
            .where(tuple_(Item.code, Lot.code, Location.code).in_([tuple(k[1:]) for k in chunk]))
        )
        for item, lot, location, qty, received_at, site in rows:
            found[("stock", item, lot, location)] = (
                stock_row_data(item, lot, location, float(qty), received_at),
                site,
            )
    for key in keys:
        if key not in found:  # no such row (yet): read alone, which also names its site
            found[key] = read_stock(conn, key)
    return found


def read_task_line(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    task = conn.execute(select(Task.id, Task.location_id).where(Task.code == key[1])).first()
    if task is None:
        return None, None
    site = _site_of_location(conn, task[1])
    row = conn.execute(
        select(TaskLine.__table__, Item.code.label("item_code"))
        .join(Item, Item.id == TaskLine.item_id)
        .where(TaskLine.task_id == task[0], TaskLine.line_no == int(key[2]))
    ).first()
    if row is None:
        return None, site
    line = row
    return {
        "task": key[1],
        "line_no": line.line_no,
        "item": row.item_code,
        "qty_expected": float(line.qty_expected),
        "qty_done": float(line.qty_done),
        "qty_short": float(line.qty_short),
        "lot_code": line.lot_code,
        "sscc": line.sscc,
    }, site


def read_container(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(
            Container.__table__,
            Item.code.label("item_code"),
            Lot.code.label("lot_code"),
            Location.code.label("location_code"),
        )
        .outerjoin(Lot, Lot.id == Container.lot_id)
        .outerjoin(Item, Item.id == Lot.item_id)
        .outerjoin(Location, Location.id == Container.location_id)
        .where(Container.sscc == key[1])
    ).first()
    if row is None:
        return None, None
    box = row
    return {
        "sscc": box.sscc,
        "item": row.item_code,
        "lot": row.lot_code,
        "location": row.location_code,
        "qty": box.qty,
        "task_code": box.task_code,
    }, _site_of_location(conn, box.location_id)


def read_serial(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(Serial.event_id, Lot.code)
        .join(Item, Item.id == Serial.item_id)
        .outerjoin(Lot, Lot.id == Serial.lot_id)
        .where(Item.code == key[1], Serial.serial == key[2])
    ).first()
    if row is None:
        return None, None
    return {"item": key[1], "serial": key[2], "lot": row[1], "event_id": row[0]}, None


def read_links(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    parent, child = aliased(Lot), aliased(Lot)
    parent_item, child_item = aliased(Item), aliased(Item)
    rows = conn.execute(
        select(parent_item.code, parent.code, child_item.code, child.code, LotLink.qty, LotLink.task_code)
        .join(parent, parent.id == LotLink.parent_lot_id)
        .join(parent_item, parent_item.id == parent.item_id)
        .join(child, child.id == LotLink.child_lot_id)
        .join(child_item, child_item.id == child.item_id)
        .where(LotLink.event_id == key[1])
        .order_by(LotLink.id)
    ).all()
    if not rows:
        return None, None
    links = [
        {
            "parent_item": r[0],
            "parent_lot": r[1],
            "child_item": r[2],
            "child_lot": r[3],
            "qty": r[4],
            "task_code": r[5],
        }
        for r in rows
    ]
    return {"event_id": key[1], "links": links}, None


def read_task(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(Task.__table__, Item.code.label("item_code"), Location.code.label("location_code"))
        .outerjoin(Item, Item.id == Task.item_id)
        .outerjoin(Location, Location.id == Task.location_id)
        .where(Task.code == key[1])
    ).first()
    if row is None:
        return None, None
    task = row
    return {
        "code": task.code,
        "kind": task.kind,
        "status": task.status,
        "partner": task.partner,
        "due": _iso(task.due),
        "item": row.item_code,
        "planned_qty": task.planned_qty,
        "line": task.line,
        "location": row.location_code,
    }, _site_of_location(conn, task.location_id)


ITEM_FIELDS = (
    "gtin",
    "description",
    "unit",
    "lot_tracked",
    "expiry_required",
    "shelf_life_days",
    "min_remaining_days",
    "receive_status",
    "pack_size",
    "pack_unit",
)


def read_item(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    item = conn.execute(select(Item.__table__).where(Item.code == key[1])).first()
    if item is None:
        return None, None
    return {"code": item.code, **{f: getattr(item, f) for f in ITEM_FIELDS}}, None


def read_location(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(Location.__table__, Site.code.label("site_code"))
        .join(Site, Site.id == Location.site_id)
        .where(Location.code == key[1])
    ).first()
    if row is None:
        return None, None
    place = row
    return {
        "code": place.code,
        "site": row.site_code,
        "gln": place.gln,
        "name": place.name,
        "pickable": place.pickable,
        "is_hold": place.is_hold,
    }, row.site_code


def read_site(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    site = conn.execute(select(Site.__table__).where(Site.code == key[1])).first()
    if site is None:
        return None, key[1]
    return {"code": site.code, "name": site.name, "gln": site.gln, "time_zone": site.time_zone}, site.code


PARTY_FIELDS = ("kind", "name", "street", "city", "postal_code", "country", "phone", "gln", "ffrn")


def read_party(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    party = conn.execute(select(Party.__table__).where(Party.code == key[1])).first()
    if party is None:
        return None, None
    return {"code": party.code, **{f: getattr(party, f) for f in PARTY_FIELDS}}, None


def read_operator(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    op = conn.execute(select(Operator.__table__).where(Operator.badge == key[1])).first()
    if op is None:
        return None, None
    data = {
        "badge": op.badge,
        "name": op.name,
        "role": op.role,
        "pin_hash": op.pin_hash,
        "active": op.active,
        "site": op.site,
    }
    return data, op.site  # a site's operator goes to that site's stations only
