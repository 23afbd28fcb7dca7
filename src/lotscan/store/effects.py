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

from sqlalchemy import Connection, bindparam, delete, insert, select, update

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


# --------------------------------------------------------------------------- lot identity changes
# Split, merge and relabel move stock between lots and record a genealogy edge for each move,
# with the quantity moved. A lot they create inherits its dates, supplier and status from its
# source (a merge: from the input with the earliest expiry, the conservative choice).

_LOT_ORIGIN = select(
    Lot.expiry, Lot.best_before, Lot.production_date, Lot.supplier, Lot.supplier_lot, Lot.status
).where(Lot.id == bindparam("lot"))


def _derived_lot(conn: Connection, item_code: str, code: str, origin_lot_id: int, at: datetime) -> int:
    item_id = _item_id(conn, item_code)
    existing = _lot_id(conn, item_id, code)
    if existing is not None:
        return existing
    origin = conn.execute(_LOT_ORIGIN, {"lot": origin_lot_id}).one()
    result = conn.execute(
        insert(Lot).values(
            item_id=item_id,
            code=code,
            status=origin.status,
            expiry=origin.expiry,
            best_before=origin.best_before,
            production_date=origin.production_date,
            supplier=origin.supplier,
            supplier_lot=origin.supplier_lot,
            received_at=at,
        )
    )
    return int(result.inserted_primary_key[0])


def _link(conn: Connection, parent: int, child: int, qty: float | None, p: Payload, event_id: str) -> None:
    conn.execute(
        insert(LotLink).values(
            parent_lot_id=parent, child_lot_id=child, qty=qty, task_code=p.get("task"), event_id=event_id
        )
    )


def _split(conn: Connection, p: Payload, at: datetime, event_id: str) -> list[Flag]:
    """{item, lot, location, outputs: [{lot, qty, location?}]}: part of a lot becomes new lots."""
    _, source = _require_lot(conn, p)
    source_location = _location_id(conn, p["location"])
    flags: list[Flag] = []
    left = 0.0
    for output in p["outputs"]:
        child = _derived_lot(conn, p["item"], output["lot"], source, at)
        qty = float(output["qty"])
        left = add_stock(conn, source, source_location, -qty, at)
        target = _location_id(conn, output["location"]) if output.get("location") else source_location
        add_stock(conn, child, target, qty, at)
        _link(conn, source, child, qty, p, event_id)
    flags += _negative(left, p, p["location"])
    return flags


def _merged(conn: Connection, p: Payload, at: datetime, event_id: str) -> list[Flag]:
    """{item, lot, location, inputs: [{lot, qty, location?}]}: several lots become one."""
    item_id = _item_id(conn, p["item"])
    sources = []
    for source in p["inputs"]:
        lot_id = _lot_id(conn, item_id, source["lot"])
        if lot_id is None:
            raise EffectError(f"input lot {source['lot']!r} of {p['item']!r} is not known")
        sources.append((lot_id, source))
    if not sources:
        raise EffectError("a merge needs at least one input lot")
    earliest = min(sources, key=lambda s: conn.execute(_LOT_ORIGIN, {"lot": s[0]}).one().expiry or date.max)
    target = _derived_lot(conn, p["item"], p["lot"], earliest[0], at)
    target_location = _location_id(conn, p["location"])
    flags: list[Flag] = []
    for lot_id, source in sources:
        qty = float(source["qty"])
        where = source.get("location") or p["location"]
        left = add_stock(conn, lot_id, _location_id(conn, where), -qty, at)
        add_stock(conn, target, target_location, qty, at)
        _link(conn, lot_id, target, qty, p, event_id)
        flags += _negative(left, {"lot": source["lot"]}, where)
    return flags


def _relabelled(conn: Connection, p: Payload, at: datetime, event_id: str) -> list[Flag]:
    """{item, lot, new_lot, location, qty?}: stock of a lot carries a new lot code from now on.

    Without qty, all of the old lot's stock at that location moves to the new code."""
    _, old = _require_lot(conn, p)
    location_id = _location_id(conn, p["location"])
    if p.get("qty") is not None:
        qty = float(p["qty"])
    else:
        current = conn.execute(_STOCK_ROW, {"lot": old, "location": location_id}).first()
        qty = float(current[1]) if current is not None else 0.0
    new = _derived_lot(conn, p["item"], p["new_lot"], old, at)
    left = add_stock(conn, old, location_id, -qty, at)
    add_stock(conn, new, location_id, qty, at)
    _link(conn, old, new, qty, p, event_id)
    return _negative(left, p, p["location"])


# A pallet (SSCC) may carry several lots; the container row keeps its lot only when it carries one.
# Which lots a mixed pallet carried is kept centrally (pallet_contents).


def _pallet_built(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    """{sscc, location, contents: [{item, lot, qty}]}"""
    lots = {_require_lot(conn, c)[1] for c in p["contents"]}
    total = sum(float(c["qty"]) for c in p["contents"] if c.get("qty") is not None)
    values = {
        "lot_id": next(iter(lots)) if len(lots) == 1 else None,
        "location_id": _location_id(conn, p["location"]) if p.get("location") else None,
        "qty": total,
        "task_code": p.get("task"),
    }
    exists = conn.execute(select(Container.sscc).where(Container.sscc == p["sscc"])).first()
    if exists:
        conn.execute(update(Container).where(Container.sscc == p["sscc"]).values(**values))
    else:
        conn.execute(insert(Container).values(sscc=p["sscc"], **values))
    return []


def _pallet_broken(conn: Connection, p: Payload, at: datetime, _id: str) -> list[Flag]:
    """{sscc, location?}: the pallet is taken apart; its lots stay where they are."""
    conn.execute(delete(Container).where(Container.sscc == p["sscc"]))
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
    "lot.split": _split,
    "lot.merged": _merged,
    "lot.relabelled": _relabelled,
    "pallet.built": _pallet_built,
    "pallet.broken": _pallet_broken,
}
