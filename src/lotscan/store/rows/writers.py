"""Writing shared rows at a station, by natural key: each writer makes the local row equal the data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from lotscan.domain.events.keys import Key
from lotscan.store.rows.readers import ITEM_FIELDS, PARTY_FIELDS, RowData, lot_ids
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


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class RowSkipped(LookupError):
    """A row names something this database does not have yet (e.g. an item of another change)."""


def _id(conn: Connection, column: Any, id_column: Any, value: Any, what: str) -> int:
    found = conn.execute(select(id_column).where(column == value)).scalar()
    if found is None:
        raise RowSkipped(f"{what} {value!r} is not known")
    return int(found)


def _item(conn: Connection, code: str) -> int:
    return _id(conn, Item.code, Item.id, code, "item")


def _location(conn: Connection, code: str) -> int:
    return _id(conn, Location.code, Location.id, code, "location")


def _lot(conn: Connection, item: str, lot: str) -> int:
    _item_id, lot_id = lot_ids(conn, item, lot)
    if lot_id is None:
        raise RowSkipped(f"lot {lot!r} of {item!r} is not known")
    return lot_id


def _upsert(
    conn: Connection, table: Any, where: list[Any], key_values: dict[str, Any], values: dict[str, Any]
) -> None:
    found = conn.execute(select(table.c.id).where(*where)).scalar()
    if found is None:
        conn.execute(insert(table).values(**key_values, **values))
    else:
        conn.execute(update(table).where(table.c.id == found).values(**values))


def write_lot(conn: Connection, key: Key, data: RowData) -> None:
    item_id = _item(conn, key[1])
    t = Lot.__table__
    where = [t.c.item_id == item_id, t.c.code == key[2]]
    if data is None:
        lot_id = conn.execute(select(t.c.id).where(*where)).scalar()
        if lot_id is not None:
            for table, column in ((Stock.__table__, "lot_id"), (Container.__table__, "lot_id")):
                conn.execute(delete(table).where(table.c[column] == lot_id))
            conn.execute(update(Serial.__table__).where(Serial.lot_id == lot_id).values(lot_id=None))
            conn.execute(
                delete(LotLink.__table__).where(
                    (LotLink.parent_lot_id == lot_id) | (LotLink.child_lot_id == lot_id)
                )
            )
            conn.execute(delete(t).where(t.c.id == lot_id))
        return
    values = {
        "status": data["status"],
        "expiry": _date(data.get("expiry")),
        "best_before": _date(data.get("best_before")),
        "production_date": _date(data.get("production_date")),
        "supplier": data.get("supplier"),
        "supplier_lot": data.get("supplier_lot"),
        "received_at": _datetime(data.get("received_at")),
        "held_by": data.get("held_by"),
    }
    _upsert(conn, t, where, {"item_id": item_id, "code": key[2]}, values)


def write_stock(conn: Connection, key: Key, data: RowData) -> None:
    t = Stock.__table__
    try:
        lot_id = _lot(conn, key[1], key[2])
        location_id = _location(conn, key[3])
    except RowSkipped:
        if data is None:
            return
        raise
    where = [t.c.lot_id == lot_id, t.c.location_id == location_id]
    if data is None:
        conn.execute(delete(t).where(*where))
        return
    values = {"qty": float(data["qty"]), "received_at": _datetime(data.get("received_at"))}
    _upsert(conn, t, where, {"lot_id": lot_id, "location_id": location_id}, values)


def write_task_line(conn: Connection, key: Key, data: RowData) -> None:
    t = TaskLine.__table__
    task_id = conn.execute(select(Task.id).where(Task.code == key[1])).scalar()
    if task_id is None:
        if data is None:
            return
        raise RowSkipped(f"task {key[1]!r} is not known")
    where = [t.c.task_id == task_id, t.c.line_no == int(key[2])]
    if data is None:
        conn.execute(delete(t).where(*where))
        return
    values = {
        "item_id": _item(conn, data["item"]),
        "qty_expected": float(data["qty_expected"]),
        "qty_done": float(data["qty_done"]),
        "qty_short": float(data.get("qty_short") or 0.0),  # a central from before it sends none
        "lot_code": data.get("lot_code"),
        "sscc": data.get("sscc"),
    }
    _upsert(conn, t, where, {"task_id": task_id, "line_no": int(key[2])}, values)


def write_container(conn: Connection, key: Key, data: RowData) -> None:
    t = Container.__table__
    conn.execute(delete(t).where(t.c.sscc == key[1]))
    if data is None:
        return
    lot_id = _lot(conn, data["item"], data["lot"]) if data.get("item") and data.get("lot") else None
    location_id = _location(conn, data["location"]) if data.get("location") else None
    conn.execute(
        insert(t).values(
            sscc=key[1],
            lot_id=lot_id,
            location_id=location_id,
            qty=data.get("qty"),
            task_code=data.get("task_code"),
        )
    )


def write_serial(conn: Connection, key: Key, data: RowData) -> None:
    t = Serial.__table__
    try:
        item_id = _item(conn, key[1])
    except RowSkipped:
        if data is None:
            return
        raise
    conn.execute(delete(t).where(t.c.item_id == item_id, t.c.serial == key[2]))
    if data is None:
        return
    lot_id = _lot(conn, key[1], data["lot"]) if data.get("lot") else None
    conn.execute(
        insert(t).values(item_id=item_id, serial=key[2], lot_id=lot_id, event_id=data.get("event_id"))
    )


def write_links(conn: Connection, key: Key, data: RowData) -> None:
    t = LotLink.__table__
    conn.execute(delete(t).where(t.c.event_id == key[1]))
    if data is None:
        return
    for link in data["links"]:
        conn.execute(
            insert(t).values(
                parent_lot_id=_lot(conn, link["parent_item"], link["parent_lot"]),
                child_lot_id=_lot(conn, link["child_item"], link["child_lot"]),
                qty=link.get("qty"),
                task_code=link.get("task_code"),
                event_id=key[1],
            )
        )


def write_task(conn: Connection, key: Key, data: RowData) -> None:
    t = Task.__table__
    if data is None:
        task_id = conn.execute(select(t.c.id).where(t.c.code == key[1])).scalar()
        if task_id is not None:
            conn.execute(delete(TaskLine.__table__).where(TaskLine.task_id == task_id))
            conn.execute(delete(t).where(t.c.id == task_id))
        return
    values = {
        "kind": data["kind"],
        "status": data["status"],
        "partner": data.get("partner"),
        "due": _date(data.get("due")),
        "item_id": _item(conn, data["item"]) if data.get("item") else None,
        "planned_qty": data.get("planned_qty"),
        "line": data.get("line"),
        "location_id": _location(conn, data["location"]) if data.get("location") else None,
    }
    _upsert(conn, t, [t.c.code == key[1]], {"code": key[1]}, values)


def write_item(conn: Connection, key: Key, data: RowData) -> None:
    if data is None:
        return  # items are never deleted: lots and history point at them
    t = Item.__table__
    _upsert(conn, t, [t.c.code == key[1]], {"code": key[1]}, {f: data.get(f) for f in ITEM_FIELDS})


def write_location(conn: Connection, key: Key, data: RowData) -> None:
    if data is None:
        return
    t = Location.__table__
    site_id = _id(conn, Site.code, Site.id, data["site"], "site")
    values = {
        "site_id": site_id,
        "gln": data.get("gln"),
        "name": data.get("name") or "",
        "pickable": bool(data["pickable"]),
        "is_hold": bool(data["is_hold"]),
    }
    _upsert(conn, t, [t.c.code == key[1]], {"code": key[1]}, values)


def write_site(conn: Connection, key: Key, data: RowData) -> None:
    if data is None:
        return
    t = Site.__table__
    _upsert(
        conn,
        t,
        [t.c.code == key[1]],
        {"code": key[1]},
        {"name": data.get("name") or "", "gln": data.get("gln"), "time_zone": data.get("time_zone") or "UTC"},
    )


def write_party(conn: Connection, key: Key, data: RowData) -> None:
    t = Party.__table__
    if data is None:
        conn.execute(delete(t).where(t.c.code == key[1]))
        return
    _upsert(conn, t, [t.c.code == key[1]], {"code": key[1]}, {f: data.get(f) for f in PARTY_FIELDS})


def write_operator(conn: Connection, key: Key, data: RowData) -> None:
    t = Operator.__table__
    if data is None:
        conn.execute(delete(t).where(t.c.badge == key[1]))
        return
    values = {
        "name": data.get("name") or "",
        "role": data["role"],
        "pin_hash": data.get("pin_hash"),
        "active": data.get("active") is not False,  # a central without the column: active
        "site": data.get("site"),
    }
    _upsert(conn, t, [t.c.badge == key[1]], {"badge": key[1]}, values)
