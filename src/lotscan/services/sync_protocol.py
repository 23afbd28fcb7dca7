"""The station <-> central sync protocol: wire models, row keys and the row codec.

Shared by both sides (lotscan.central and lotscan.sync must not import each other).

Rows travel by natural keys, never by database ids, because ids differ between a station and
central. A key is a tuple: ("lot", item, lot), ("stock", item, lot, location),
("task_line", task, line_no), ("container", sscc), ("serial", item, serial),
("links", event_id), ("task", code), ("item", code), ("location", code), ("site", code),
("operator", badge). A row's data is a dict of plain JSON values, or None when the row does
not exist (deleted, or never created).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import aliased

from lotscan.store.schema import (
    Container,
    Item,
    Location,
    Lot,
    LotLink,
    Operator,
    Serial,
    Site,
    Stock,
    Task,
    TaskLine,
)

PROTOCOL_VERSION = 1
MAX_BATCH = 1000
MAX_KEYS = 5000
MAX_PAGE = 5000

Key = tuple[str, ...]
RowData = dict[str, Any] | None

# Outcomes of a pushed event (all delivered as 2xx answers).
APPLIED = "applied"
FLAGGED = "flagged"
REJECTED = "rejected"
FAILED = "failed"
OUTCOMES = (APPLIED, FLAGGED, REJECTED, FAILED)


# --------------------------------------------------------------------------- wire models


class EventIn(BaseModel):
    id: str = Field(min_length=1, max_length=36)
    seq: int = Field(ge=1)
    operator: str | None = Field(default=None, max_length=64)
    occurred_at: datetime
    type: str = Field(min_length=1, max_length=32)
    workflow: str | None = Field(default=None, max_length=16)
    task_code: str | None = Field(default=None, max_length=64)
    lot_code: str | None = Field(default=None, max_length=64)
    raw: str | None = Field(default=None, max_length=4096)
    payload: dict[str, Any]
    verdict: str = Field(default="ACCEPTED", max_length=10)
    reasons: list[Any] = Field(default_factory=list)


class PushRequest(BaseModel):
    station_time: datetime = Field(description="The station's clock when it sent the batch (UTC).")
    events: list[EventIn] = Field(max_length=MAX_BATCH)


class EventResult(BaseModel):
    id: str
    seq: int
    server_seq: int | None
    outcome: str
    reason: str | None = None
    duplicate: bool = False


class PushResponse(BaseModel):
    results: list[EventResult]
    last_seq: int = Field(description="Highest station seq central holds for this station.")
    server_time: datetime
    clock_skew_s: float


class PullRequest(BaseModel):
    after: int = Field(ge=0, description="Cursor: the last change seq already applied.")
    limit: int = Field(default=1000, ge=1, le=MAX_PAGE)
    keys: list[list[str]] = Field(
        default_factory=list,
        max_length=MAX_KEYS,
        description="Rows the station wants in their current server state (read-your-writes).",
    )


class Change(BaseModel):
    seq: int
    key: list[str]
    data: dict[str, Any] | None
    urgent: bool = False


class KeyedRow(BaseModel):
    key: list[str]
    data: dict[str, Any] | None


class PullResponse(BaseModel):
    changes: list[Change]
    rows: list[KeyedRow]
    next_cursor: int
    has_more: bool
    station_last_seq: int
    server_time: datetime


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=100)
    station_id: str = Field(default="", max_length=64, description="The station's own name (informative).")


class EnrollResponse(BaseModel):
    token: str
    station: str
    site: str
    server_time: datetime


class WaitResponse(BaseModel):
    changed: bool
    latest: int


# --------------------------------------------------------------------------- keys


def stock_places(event_type: str, payload: dict[str, Any]) -> list[str]:
    """The location codes an event's payload names. A status change's `from`/`to` are lot
    statuses, not places."""
    fields = ("location",) if event_type == "lot.status_changed" else ("location", "from", "to")
    return [str(payload[name]) for name in fields if payload.get(name)]


def event_keys(event_type: str, payload: dict[str, Any], event_id: str) -> list[Key]:
    """Every row `apply_event` may touch for this event (a superset is fine)."""
    keys: list[Key] = []
    item, lot = payload.get("item"), payload.get("lot")
    if item is not None and lot is not None:
        if event_type not in LOT_UNCHANGED:
            keys.append(("lot", str(item), str(lot)))
        for place in stock_places(event_type, payload):
            keys.append(("stock", str(item), str(lot), place))
    if payload.get("task") and payload.get("line_no") is not None:
        keys.append(("task_line", str(payload["task"]), str(payload["line_no"])))
    if payload.get("sscc"):
        keys.append(("container", str(payload["sscc"])))
    if item is not None and payload.get("serial"):
        keys.append(("serial", str(item), str(payload["serial"])))
    if item is not None and payload.get("new_lot") and payload.get("location"):  # lot.relabelled
        keys.append(("lot", str(item), str(payload["new_lot"])))
        keys.append(("stock", str(item), str(payload["new_lot"]), str(payload["location"])))
    # lot.split outputs and lot.merged inputs: lots of the same item, at their own or the event's location
    for part in _dicts(payload.get("outputs")) + _dicts(
        payload.get("inputs") if event_type == "lot.merged" else None
    ):
        if item is not None and part.get("lot"):
            keys.append(("lot", str(item), str(part["lot"])))
            where = part.get("location") or payload.get("location")
            if where:
                keys.append(("stock", str(item), str(part["lot"]), str(where)))
    if event_type in LINKING_EVENTS:
        keys.append(("links", event_id))
    return keys


LINKING_EVENTS = ("lot.produced", "lot.split", "lot.merged", "lot.relabelled")
# Event types whose effect only moves stock of an existing lot: the lot row itself is untouched.
LOT_UNCHANGED = ("stock.moved", "stock.consumed", "stock.picked", "stock.shipped", "label.requested")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --------------------------------------------------------------------------- encoding


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --------------------------------------------------------------------------- reading (central)


def read_row(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    """The row's data and the site it belongs to (None: visible to every site)."""
    reader = READERS.get(key[0])
    if reader is None or len(key) != ARITY[key[0]]:
        raise ValueError(f"unknown row key {list(key)!r}")
    return reader(conn, key)


def _site_of_location(conn: Connection, location_id: int | None) -> str | None:
    if location_id is None:
        return None
    return conn.execute(
        select(Site.code).join(Location, Location.site_id == Site.id).where(Location.id == location_id)
    ).scalar()


def _lot_ids(conn: Connection, item: str, lot: str) -> tuple[int | None, int | None]:
    row = conn.execute(
        select(Item.id, Lot.id)
        .outerjoin(Lot, (Lot.item_id == Item.id) & (Lot.code == lot))
        .where(Item.code == item)
    ).first()
    if row is None:
        return None, None
    return row[0], row[1]


def _read_lot(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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
    }, None


def _read_stock(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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


def _read_task_line(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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
        "lot_code": line.lot_code,
        "sscc": line.sscc,
    }, site


def _read_container(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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


def _read_serial(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    row = conn.execute(
        select(Serial.event_id, Lot.code)
        .join(Item, Item.id == Serial.item_id)
        .outerjoin(Lot, Lot.id == Serial.lot_id)
        .where(Item.code == key[1], Serial.serial == key[2])
    ).first()
    if row is None:
        return None, None
    return {"item": key[1], "serial": key[2], "lot": row[1], "event_id": row[0]}, None


def _read_links(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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


def _read_task(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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
)


def _read_item(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    item = conn.execute(select(Item.__table__).where(Item.code == key[1])).first()
    if item is None:
        return None, None
    return {"code": item.code, **{f: getattr(item, f) for f in ITEM_FIELDS}}, None


def _read_location(conn: Connection, key: Key) -> tuple[RowData, str | None]:
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


def _read_site(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    site = conn.execute(select(Site.__table__).where(Site.code == key[1])).first()
    if site is None:
        return None, key[1]
    return {"code": site.code, "name": site.name, "gln": site.gln}, site.code


def _read_operator(conn: Connection, key: Key) -> tuple[RowData, str | None]:
    op = conn.execute(select(Operator.__table__).where(Operator.badge == key[1])).first()
    if op is None:
        return None, None
    return {"badge": op.badge, "name": op.name, "role": op.role, "pin_hash": op.pin_hash}, None


READERS = {
    "lot": _read_lot,
    "stock": _read_stock,
    "task_line": _read_task_line,
    "container": _read_container,
    "serial": _read_serial,
    "links": _read_links,
    "task": _read_task,
    "item": _read_item,
    "location": _read_location,
    "site": _read_site,
    "operator": _read_operator,
}
ARITY = {
    "lot": 3,
    "stock": 4,
    "task_line": 3,
    "container": 2,
    "serial": 3,
    "links": 2,
    "task": 2,
    "item": 2,
    "location": 2,
    "site": 2,
    "operator": 2,
}


# --------------------------------------------------------------------------- writing (station)


class RowSkipped(LookupError):
    """A row names something this database does not have yet (e.g. an item of another change)."""


def write_row(conn: Connection, key: Key, data: RowData) -> None:
    """Make the local row named by `key` equal to `data` (None deletes it)."""
    writer = WRITERS.get(key[0])
    if writer is None or len(key) != ARITY[key[0]]:
        raise ValueError(f"unknown row key {list(key)!r}")
    writer(conn, key, data)


def write_rows(conn: Connection, rows: Iterable[tuple[Key, RowData]]) -> int:
    """Write rows in order; rows naming unknown things are skipped. Returns how many were skipped."""
    skipped = 0
    for key, data in rows:
        try:
            write_row(conn, key, data)
        except RowSkipped:
            skipped += 1
    return skipped


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
    _item_id, lot_id = _lot_ids(conn, item, lot)
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


def _write_lot(conn: Connection, key: Key, data: RowData) -> None:
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
    }
    _upsert(conn, t, where, {"item_id": item_id, "code": key[2]}, values)


def _write_stock(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_task_line(conn: Connection, key: Key, data: RowData) -> None:
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
        "lot_code": data.get("lot_code"),
        "sscc": data.get("sscc"),
    }
    _upsert(conn, t, where, {"task_id": task_id, "line_no": int(key[2])}, values)


def _write_container(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_serial(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_links(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_task(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_item(conn: Connection, key: Key, data: RowData) -> None:
    if data is None:
        return  # items are never deleted: lots and history point at them
    t = Item.__table__
    _upsert(conn, t, [t.c.code == key[1]], {"code": key[1]}, {f: data.get(f) for f in ITEM_FIELDS})


def _write_location(conn: Connection, key: Key, data: RowData) -> None:
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


def _write_site(conn: Connection, key: Key, data: RowData) -> None:
    if data is None:
        return
    t = Site.__table__
    _upsert(
        conn,
        t,
        [t.c.code == key[1]],
        {"code": key[1]},
        {"name": data.get("name") or "", "gln": data.get("gln")},
    )


def _write_operator(conn: Connection, key: Key, data: RowData) -> None:
    t = Operator.__table__
    if data is None:
        conn.execute(delete(t).where(t.c.badge == key[1]))
        return
    values = {"name": data.get("name") or "", "role": data["role"], "pin_hash": data.get("pin_hash")}
    _upsert(conn, t, [t.c.badge == key[1]], {"badge": key[1]}, values)


WRITERS = {
    "lot": _write_lot,
    "stock": _write_stock,
    "task_line": _write_task_line,
    "container": _write_container,
    "serial": _write_serial,
    "links": _write_links,
    "task": _write_task,
    "item": _write_item,
    "location": _write_location,
    "site": _write_site,
    "operator": _write_operator,
}


# --------------------------------------------------------------------------- snapshot tables

# Tables a snapshot carries, in load order (parents first), with their columns.
SNAPSHOT_TABLES = (
    Site.__table__,
    Location.__table__,
    Item.__table__,
    Operator.__table__,
    Lot.__table__,
    Stock.__table__,
    Container.__table__,
    Serial.__table__,
    Task.__table__,
    TaskLine.__table__,
    LotLink.__table__,
)


def snapshot_columns(table: Any) -> list[str]:
    return [c.name for c in table.columns]
