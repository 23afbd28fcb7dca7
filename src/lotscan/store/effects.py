"""What each event type does to the lot state. One definition, applied by the station when it
records an event and by central when it receives one, so both arrive at the same state.

Payloads name things by natural keys (item code, lot code, location code, task code) because
database ids differ between a station and central. Applying never refuses a fact: stock may go
negative (two stations consumed the same lot offline); that is returned as a flag instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from lotscan.store.schema import (
    Container,
    Item,
    Location,
    Lot,
    LotLink,
    Serial,
    Stock,
    Task,
    TaskLine,
)

Payload = dict[str, Any]
Flag = dict[str, str]


class EffectError(ValueError):
    """The payload names something this database does not have (a poison event)."""


_ITEM_ID = select(Item.id).where(Item.code == bindparam("code"))
_LOCATION_ID = select(Location.id).where(Location.code == bindparam("code"))
_LOT_ID = select(Lot.id).where(Lot.item_id == bindparam("item"), Lot.code == bindparam("code"))
_STOCK_ROW = select(Stock.id, Stock.qty).where(
    Stock.lot_id == bindparam("lot"), Stock.location_id == bindparam("location")
)
_STOCK_INSERT = insert(Stock)
_STOCK_UPDATE = update(Stock).where(Stock.id == bindparam("b_stock")).values(qty=bindparam("b_qty"))
_TASK_ID = select(Task.id).where(Task.code == bindparam("code"))
_BUMP_LINE = (
    update(TaskLine)
    .where(TaskLine.task_id == bindparam("b_task"), TaskLine.line_no == bindparam("b_line"))
    .values(qty_done=TaskLine.qty_done + bindparam("b_qty"))
)


def apply_event(
    conn: Connection, event_type: str, payload: Payload, occurred_at: datetime, event_id: str
) -> list[Flag]:
    handler = HANDLERS.get(event_type)
    if handler is None:
        raise EffectError(f"unknown event type {event_type!r}")
    return handler(conn, payload, occurred_at, event_id)


def _item_id(conn: Connection, code: str) -> int:
    found = conn.execute(_ITEM_ID, {"code": code}).scalar()
    if found is None:
        raise EffectError(f"item {code!r} is not known")
    return int(found)


def _location_id(conn: Connection, code: str) -> int:
    found = conn.execute(_LOCATION_ID, {"code": code}).scalar()
    if found is None:
        raise EffectError(f"location {code!r} is not known")
    return int(found)


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _lot_id(conn: Connection, item_id: int, code: str) -> int | None:
    found = conn.execute(_LOT_ID, {"item": item_id, "code": code}).scalar()
    return int(found) if found is not None else None


def _require_lot(conn: Connection, p: Payload) -> tuple[int, int]:
    item_id = _item_id(conn, p["item"])
    lot_id = _lot_id(conn, item_id, p["lot"])
    if lot_id is None:
        raise EffectError(f"lot {p['lot']!r} of item {p['item']!r} is not known")
    return item_id, lot_id


def ensure_lot(conn: Connection, p: Payload, occurred_at: datetime) -> int:
    """The lot named by the payload, created from its fields if it does not exist yet."""
    item_id = _item_id(conn, p["item"])
    lot_id = _lot_id(conn, item_id, p["lot"])
    if lot_id is not None:
        return lot_id
    result = conn.execute(
        insert(Lot).values(
            item_id=item_id,
            code=p["lot"],
            status=p.get("lot_status") or "released",
            expiry=_parse_date(p.get("expiry")),
            best_before=_parse_date(p.get("best_before")),
            production_date=_parse_date(p.get("production_date")),
            supplier=p.get("supplier"),
            supplier_lot=p.get("supplier_lot"),
            received_at=occurred_at,
        )
    )
    return int(result.inserted_primary_key[0])


def add_stock(conn: Connection, lot_id: int, location_id: int, delta: float, at: datetime) -> float:
    """Change stock by `delta` and return the new quantity."""
    current = conn.execute(_STOCK_ROW, {"lot": lot_id, "location": location_id}).first()
    if current is None:
        conn.execute(
            _STOCK_INSERT, {"lot_id": lot_id, "location_id": location_id, "qty": delta, "received_at": at}
        )
        return delta
    new_qty = float(current[1]) + delta
    conn.execute(_STOCK_UPDATE, {"b_stock": current[0], "b_qty": new_qty})
    return new_qty


def _negative(new_qty: float, p: Payload, location: str) -> list[Flag]:
    if new_qty < -1e-9:
        return [
            {
                "code": "NEGATIVE_STOCK",
                "message": f"stock of lot {p['lot']} at {location} is now {new_qty:g}",
            }
        ]
    return []


def _bump_line(conn: Connection, task_code: str | None, line_no: int | None, qty: float) -> None:
    if not task_code or line_no is None:
        return
    task_id = conn.execute(_TASK_ID, {"code": task_code}).scalar()
    if task_id is None:
        return
    conn.execute(_BUMP_LINE, {"b_task": task_id, "b_line": line_no, "b_qty": qty})


def _received(conn: Connection, p: Payload, at: datetime, event_id: str) -> list[Flag]:
    lot_id = ensure_lot(conn, p, at)
    location_id = _location_id(conn, p["location"])
    add_stock(conn, lot_id, location_id, float(p["qty"]), at)
    _bump_line(conn, p.get("task"), p.get("line_no"), float(p["qty"]))
    if p.get("sscc"):
        conn.execute(
            insert(Container).values(
                sscc=p["sscc"],
                lot_id=lot_id,
                location_id=location_id,
                qty=float(p["qty"]),
                task_code=p.get("task"),
            )
        )
    if p.get("serial"):
        conn.execute(
            insert(Serial).values(
                item_id=_item_id(conn, p["item"]),
                serial=p["serial"],
                lot_id=lot_id,
                event_id=event_id,
            )
        )
    return []


def _moved(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p)
    qty = float(p["qty"])
    left = add_stock(conn, lot_id, _location_id(conn, p["from"]), -qty, at)
    add_stock(conn, lot_id, _location_id(conn, p["to"]), qty, at)
    return _negative(left, p, p["from"])


def _consumed(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p)
    qty = float(p["qty"])
    left = add_stock(conn, lot_id, _location_id(conn, p["location"]), -qty, at)
    _bump_line(conn, p.get("task"), p.get("line_no"), qty)
    return _negative(left, p, p["location"])


def _produced(conn: Connection, p: Payload, at: datetime, event_id: str) -> list[Flag]:
    lot_id = ensure_lot(conn, p, at)
    add_stock(conn, lot_id, _location_id(conn, p["location"]), float(p["qty"]), at)
    for source in p.get("inputs", []):
        parent_item = _item_id(conn, source["item"])
        parent = _lot_id(conn, parent_item, source["lot"])
        if parent is None:
            raise EffectError(f"input lot {source['lot']!r} of {source['item']!r} is not known")
        conn.execute(
            insert(LotLink).values(
                parent_lot_id=parent,
                child_lot_id=lot_id,
                qty=source.get("qty"),
                task_code=p.get("task"),
                event_id=event_id,
            )
        )
    return []


def _picked(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p)
    qty = float(p["qty"])
    left = add_stock(conn, lot_id, _location_id(conn, p["from"]), -qty, at)
    if p.get("to"):
        add_stock(conn, lot_id, _location_id(conn, p["to"]), qty, at)
    _bump_line(conn, p.get("task"), p.get("line_no"), qty)
    return _negative(left, p, p["from"])


def _short(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    task_id = conn.execute(select(Task.id).where(Task.code == p["task"])).scalar()
    if task_id is None:
        raise EffectError(f"task {p['task']!r} is not known")
    conn.execute(
        update(TaskLine)
        .where(TaskLine.task_id == task_id, TaskLine.line_no == p["line_no"])
        .values(qty_expected=TaskLine.qty_done)
    )
    return []


def _shipped(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p)
    qty = float(p["qty"])
    left = add_stock(conn, lot_id, _location_id(conn, p["location"]), -qty, at)
    _bump_line(conn, p.get("task"), p.get("line_no"), qty)
    return _negative(left, p, p["location"])


def _status_changed(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p)
    conn.execute(update(Lot).where(Lot.id == lot_id).values(status=p["to"]))
    return []


def _counted(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    lot_id = ensure_lot(conn, p, at)
    location_id = _location_id(conn, p["location"])
    current = conn.execute(
        select(Stock.qty).where(Stock.lot_id == lot_id, Stock.location_id == location_id)
    ).scalar()
    add_stock(conn, lot_id, location_id, float(p["counted"]) - float(current or 0.0), at)
    return []


def _no_state(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    return []


HANDLERS: dict[str, Callable[[Connection, Payload, datetime, str], list[Flag]]] = {
    "stock.received": _received,
    "stock.moved": _moved,
    "stock.consumed": _consumed,
    "lot.produced": _produced,
    "stock.picked": _picked,
    "pick.short": _short,
    "stock.shipped": _shipped,
    "lot.status_changed": _status_changed,
    "stock.counted": _counted,
    "label.requested": _no_state,
}
