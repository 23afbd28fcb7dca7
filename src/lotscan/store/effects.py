"""What each event type does to the lot state. One definition, applied by the station when it
records an event and by central when it receives one, so both arrive at the same state.

Payloads name things by natural keys (item code, lot code, location code, task code) because
database ids differ between a station and central. Applying never refuses a fact: stock may go
negative (two stations consumed the same lot offline); that is returned as a flag instead.

One event at a time (the station) each effect is written at once. A batch of events (central's
push) runs inside `batched(conn)`: ids are looked up once per batch, stock quantities and task-line
progress are kept in memory, and written set-based when the batch ends (`BatchedEffects.flush`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from lotscan.domain.events import (
    EventType,
    LabelRequested,
    LotMerged,
    LotProduced,
    LotRelabelled,
    LotSplit,
    LotStatusChanged,
    PalletBroken,
    PalletBuilt,
    Payload,
    PickShort,
    StockConsumed,
    StockCounted,
    StockMoved,
    StockPicked,
    StockReceived,
    StockShipped,
    parse_payload,
)
from lotscan.domain.status import LotStatus
from lotscan.store import fastread, reference
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

Flag = dict[str, str]


class EffectError(ValueError):
    """The payload names something this database does not have (a poison event)."""


_ITEM_ID = select(Item.id).where(Item.code == bindparam("code"))
_LOCATION_ID = select(Location.id).where(Location.code == bindparam("code"))
_LOT_ID = select(Lot.id).where(Lot.item_id == bindparam("item"), Lot.code == bindparam("code"))
_STOCK_ROW = select(Stock.id, Stock.qty).where(
    Stock.lot_id == bindparam("lot"), Stock.location_id == bindparam("location")
)
_LOT_INSERT = insert(Lot)
# A receipt's label expiry earlier than the lot's recorded one (or the first one known) becomes
# the lot's: the books never claim a later expiry than a label of the lot (tester W17).
_EARLIER_EXPIRY = (
    update(Lot)
    .where(Lot.id == bindparam("lot"), (Lot.expiry.is_(None)) | (Lot.expiry > bindparam("expiry")))
    .values(expiry=bindparam("expiry"))
)
_STOCK_INSERT = insert(Stock)
_STOCK_UPDATE = update(Stock).where(Stock.id == bindparam("b_stock")).values(qty=bindparam("b_qty"))
_TASK_ID = select(Task.id).where(Task.code == bindparam("code"))
_BUMP_LINE = (
    update(TaskLine)
    .where(TaskLine.task_id == bindparam("b_task"), TaskLine.line_no == bindparam("b_line"))
    .values(qty_done=TaskLine.qty_done + bindparam("b_qty"))
)


_BATCH = "lotscan.effects.batch"  # Connection.info key of the batch being applied, if any


@dataclass
class BatchedEffects:
    """What a batch of events has looked up and changed so far, kept in memory until `flush`."""

    items: dict[str, int] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)
    lots: dict[tuple[int, str], int] = field(default_factory=dict)
    tasks: dict[str, int | None] = field(default_factory=dict)
    stock: dict[tuple[int, int], tuple[int, float]] = field(default_factory=dict)  # -> (id, qty)
    changed_stock: set[tuple[int, int]] = field(default_factory=set)
    line_progress: dict[tuple[int, int], float] = field(default_factory=dict)  # (task, line) -> qty

    def know_stock(
        self, item: tuple[str, int], lot: tuple[str, int], location: tuple[str, int], stock: tuple[int, float]
    ) -> None:
        """Seed the batch with a stock row read (and locked) before the batch is applied."""
        self.items[item[0]] = item[1]
        self.lots[(item[1], lot[0])] = lot[1]
        self.locations[location[0]] = location[1]
        self.stock[(lot[1], location[1])] = stock

    def flush(self, conn: Connection) -> None:
        """Write the stock quantities and task-line progress the batch changed (one statement
        each, executed for all rows)."""
        if self.changed_stock:
            rows = [
                {"b_stock": self.stock[k][0], "b_qty": self.stock[k][1]} for k in sorted(self.changed_stock)
            ]
            conn.execute(_STOCK_UPDATE, rows)
            self.changed_stock.clear()
        if self.line_progress:
            bumps = [
                {"b_task": task, "b_line": line, "b_qty": qty}
                for (task, line), qty in sorted(self.line_progress.items())
            ]
            conn.execute(_BUMP_LINE, bumps)
            self.line_progress.clear()


@contextmanager
def batched(conn: Connection, prepared: BatchedEffects | None = None) -> Iterator[BatchedEffects]:
    """Apply a batch of events on `conn` with ids cached and stock writes deferred (starting
    from `prepared`, rows read beforehand); written when the block ends normally. On an
    exception nothing deferred is written: roll back the transaction or savepoint the batch ran in."""
    if _BATCH in conn.info:
        raise RuntimeError("a batch of effects is already open on this connection")
    batch = prepared or BatchedEffects()
    conn.info[_BATCH] = batch
    _OPEN_BATCHES.add(id(batch))
    try:
        yield batch
        batch.flush(conn)
    finally:
        conn.info.pop(_BATCH, None)
        _OPEN_BATCHES.discard(id(batch))


# The batches open in this process, by id: while there is none (a station recording its scans,
# one event at a time) no effect asks the connection for one. Reading Connection.info goes
# through two SQLAlchemy properties, several times per event.
_OPEN_BATCHES: set[int] = set()


def _batch(conn: Connection) -> BatchedEffects | None:
    if not _OPEN_BATCHES:
        return None
    found = conn.info.get(_BATCH)
    return found if isinstance(found, BatchedEffects) else None


def apply_event(
    conn: Connection,
    event_type: str,
    payload: dict[str, Any] | Payload,
    occurred_at: datetime,
    event_id: str,
) -> list[Flag]:
    """Apply one event; a payload given as a dict is read through the vocabulary first (a
    payload that does not match its type raises ValueError, like a payload naming unknown rows)."""
    typed = parse_payload(event_type, payload)
    return HANDLERS[typed.type](conn, typed, occurred_at, event_id)


def _cached_id(conn: Connection, kind: str, key: Any, statement: Any, params: dict[str, Any]) -> int | None:
    """An id by natural key; inside a batch each one is read once (a missing one is not cached:
    the batch may create it). Outside one, an item's, place's or task's id is kept between
    scans like the other reference rows (lotscan.store.reference)."""
    batch = _batch(conn)
    cache: dict[Any, int] | None = getattr(batch, kind) if batch is not None else None
    if cache is not None and key in cache:
        return cache[key]
    if cache is None and kind in _REFERENCE_KINDS:  # a scan's own effect: items, places and tasks stay
        return reference.lookup(conn, statement, key, lambda: _id_or_none(conn, statement, params))
    found = fastread.scalar(conn, statement, params)
    if found is None:
        return None
    if cache is not None:
        cache[key] = int(found)
    return int(found)


_REFERENCE_KINDS = frozenset({"items", "locations", "tasks"})


def _id_or_none(conn: Connection, statement: Any, params: dict[str, Any]) -> int | None:
    found = fastread.scalar(conn, statement, params)
    return int(found) if found is not None else None


def _item_id(conn: Connection, code: str) -> int:
    found = _cached_id(conn, "items", code, _ITEM_ID, {"code": code})
    if found is None:
        raise EffectError(f"item {code!r} is not known")
    return found


def _location_id(conn: Connection, code: str) -> int:
    found = _cached_id(conn, "locations", code, _LOCATION_ID, {"code": code})
    if found is None:
        raise EffectError(f"location {code!r} is not known")
    return found


def _lot_id(conn: Connection, item_id: int, code: str) -> int | None:
    return _cached_id(conn, "lots", (item_id, code), _LOT_ID, {"item": item_id, "code": code})


def _require_lot(conn: Connection, item: str, lot: str) -> tuple[int, int]:
    item_id = _item_id(conn, item)
    lot_id = _lot_id(conn, item_id, lot)
    if lot_id is None:
        raise EffectError(f"lot {lot!r} of item {item!r} is not known")
    return item_id, lot_id


def ensure_lot(conn: Connection, p: StockReceived | LotProduced | StockCounted, occurred_at: datetime) -> int:
    """The lot named by the payload, created from its fields if it does not exist yet."""
    item_id = _item_id(conn, p.item)
    lot_id = _lot_id(conn, item_id, p.lot)
    if lot_id is not None:
        return lot_id
    values = {
        "item_id": item_id,
        "code": p.lot,
        "status": p.lot_status or LotStatus.RELEASED,
        "expiry": p.expiry,
        "best_before": getattr(p, "best_before", None),
        "production_date": getattr(p, "production_date", None),
        "supplier": getattr(p, "supplier", None),
        "supplier_lot": getattr(p, "supplier_lot", None),
        "received_at": occurred_at,
    }
    inserted = fastread.write(conn, _LOT_INSERT, values)
    assert inserted is not None  # an INSERT of one row always has its key
    return inserted


def _stock_row(conn: Connection, lot_id: int, location_id: int) -> tuple[int, float] | None:
    batch = _batch(conn)
    if batch is not None and (lot_id, location_id) in batch.stock:
        return batch.stock[(lot_id, location_id)]
    current = fastread.first(conn, _STOCK_ROW, {"lot": lot_id, "location": location_id})
    if current is None:
        return None
    row = (int(current[0]), float(current[1]))
    if batch is not None:
        batch.stock[(lot_id, location_id)] = row
    return row


def add_stock(conn: Connection, lot_id: int, location_id: int, delta: float, at: datetime) -> float:
    """Change stock by `delta` and return the new quantity."""
    current = _stock_row(conn, lot_id, location_id)
    batch = _batch(conn)
    if current is None:
        stock_id = fastread.write(
            conn,
            _STOCK_INSERT,
            {"lot_id": lot_id, "location_id": location_id, "qty": delta, "received_at": at},
        )
        if batch is not None:
            assert stock_id is not None  # an INSERT of one row always has its key
            batch.stock[(lot_id, location_id)] = (stock_id, delta)
        return delta
    new_qty = current[1] + delta
    if batch is not None:
        batch.stock[(lot_id, location_id)] = (current[0], new_qty)
        batch.changed_stock.add((lot_id, location_id))
    else:
        fastread.write(conn, _STOCK_UPDATE, {"b_stock": current[0], "b_qty": new_qty})
    return new_qty


def _negative(new_qty: float, lot: str, location: str) -> list[Flag]:
    if new_qty < -1e-9:
        return [
            {
                "code": "NEGATIVE_STOCK",
                "message": f"stock of lot {lot} at {location} is now {new_qty:g}",
            }
        ]
    return []


def _bump_line(conn: Connection, task_code: str | None, line_no: int | None, qty: float) -> None:
    if not task_code or line_no is None:
        return
    batch = _batch(conn)
    if batch is not None and task_code in batch.tasks:
        task_id = batch.tasks[task_code]
    elif batch is None:
        task_id = _cached_id(conn, "tasks", task_code, _TASK_ID, {"code": task_code})
    else:
        task_id = fastread.scalar(conn, _TASK_ID, {"code": task_code})
        batch.tasks[task_code] = task_id
    if task_id is None:
        return
    if batch is not None:
        line = (int(task_id), line_no)
        batch.line_progress[line] = batch.line_progress.get(line, 0.0) + qty
    else:
        fastread.write(conn, _BUMP_LINE, {"b_task": task_id, "b_line": line_no, "b_qty": qty})


def _received(conn: Connection, p: StockReceived, at: datetime, event_id: str) -> list[Flag]:
    known = p.expiry is not None and _lot_id(conn, _item_id(conn, p.item), p.lot) is not None
    lot_id = ensure_lot(conn, p, at)
    if known:
        conn.execute(_EARLIER_EXPIRY, {"lot": lot_id, "expiry": p.expiry})
    location_id = _location_id(conn, p.location)
    add_stock(conn, lot_id, location_id, p.qty, at)
    _bump_line(conn, p.task, p.line_no, p.qty)
    if p.sscc:
        conn.execute(
            insert(Container).values(
                sscc=p.sscc, lot_id=lot_id, location_id=location_id, qty=p.qty, task_code=p.task
            )
        )
    if p.serial:
        conn.execute(
            insert(Serial).values(
                item_id=_item_id(conn, p.item), serial=p.serial, lot_id=lot_id, event_id=event_id
            )
        )
    return []


def _moved(conn: Connection, p: StockMoved, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p.item, p.lot)
    left = add_stock(conn, lot_id, _location_id(conn, p.from_location), -p.qty, at)
    add_stock(conn, lot_id, _location_id(conn, p.to_location), p.qty, at)
    return _negative(left, p.lot, p.from_location)


def _consumed(conn: Connection, p: StockConsumed, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p.item, p.lot)
    left = add_stock(conn, lot_id, _location_id(conn, p.location), -p.qty, at)
    _bump_line(conn, p.task, p.line_no, p.qty)
    return _negative(left, p.lot, p.location)


def _produced(conn: Connection, p: LotProduced, at: datetime, event_id: str) -> list[Flag]:
    lot_id = ensure_lot(conn, p, at)
    add_stock(conn, lot_id, _location_id(conn, p.location), p.qty, at)
    for source in p.inputs:
        parent = _lot_id(conn, _item_id(conn, source.item), source.lot)
        if parent is None:
            raise EffectError(f"input lot {source.lot!r} of {source.item!r} is not known")
        _link(conn, parent, lot_id, source.qty, p.task, event_id)
    return []


def _picked(conn: Connection, p: StockPicked, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p.item, p.lot)
    left = add_stock(conn, lot_id, _location_id(conn, p.from_location), -p.qty, at)
    if p.to_location:
        add_stock(conn, lot_id, _location_id(conn, p.to_location), p.qty, at)
    _bump_line(conn, p.task, p.line_no, p.qty)
    return _negative(left, p.lot, p.from_location)


def _short(conn: Connection, p: PickShort, at: datetime, _id: str) -> list[Flag]:
    """The line is closed short by the quantity the event says (what the operator was told):
    qty_short grows by it and qty_expected stays what was ordered (tester V4: writing
    qty_expected down to qty_done made the line read 0/0). Adding commutes with the picks'
    qty_done, so central and stations agree whatever order the events arrive in."""
    task_id = conn.execute(select(Task.id).where(Task.code == p.task)).scalar()
    if task_id is None:
        raise EffectError(f"task {p.task!r} is not known")
    conn.execute(
        update(TaskLine)
        .where(TaskLine.task_id == task_id, TaskLine.line_no == p.line_no)
        .values(qty_short=TaskLine.qty_short + p.short_qty)
    )
    return []


def _shipped(conn: Connection, p: StockShipped, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p.item, p.lot)
    left = add_stock(conn, lot_id, _location_id(conn, p.location), -p.qty, at)
    _bump_line(conn, p.task, p.line_no, p.qty)
    return _negative(left, p.lot, p.location)


def _status_changed(conn: Connection, p: LotStatusChanged, at: datetime, _id: str) -> list[Flag]:
    _, lot_id = _require_lot(conn, p.item, p.lot)
    conn.execute(update(Lot).where(Lot.id == lot_id).values(status=p.to_status.value))
    return []


def _counted(conn: Connection, p: StockCounted, at: datetime, _id: str) -> list[Flag]:
    lot_id = ensure_lot(conn, p, at)
    location_id = _location_id(conn, p.location)
    current = _stock_row(conn, lot_id, location_id)
    add_stock(conn, lot_id, location_id, p.counted - (current[1] if current else 0.0), at)
    return []


def _no_state(conn: Connection, p: LabelRequested, at: datetime, _id: str) -> list[Flag]:
    return []


# --------------------------------------------------------------------------- lot identity changes
# Split, merge and relabel move stock between lots and record a genealogy edge for each move,
# with the quantity moved. A lot they create inherits its dates, supplier and status from its
# source (a merge: from the input with the earliest expiry, the conservative choice).

_LOT_ORIGIN = select(
    Lot.expiry, Lot.best_before, Lot.production_date, Lot.supplier, Lot.supplier_lot, Lot.status, Lot.held_by
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
            held_by=origin.held_by,
            expiry=origin.expiry,
            best_before=origin.best_before,
            production_date=origin.production_date,
            supplier=origin.supplier,
            supplier_lot=origin.supplier_lot,
            received_at=at,
        )
    )
    return _inserted_id(result)


def _link(
    conn: Connection, parent: int, child: int, qty: float | None, task: str | None, event_id: str
) -> None:
    conn.execute(
        insert(LotLink).values(
            parent_lot_id=parent, child_lot_id=child, qty=qty, task_code=task, event_id=event_id
        )
    )


def _split(conn: Connection, p: LotSplit, at: datetime, event_id: str) -> list[Flag]:
    _, source = _require_lot(conn, p.item, p.lot)
    source_location = _location_id(conn, p.location)
    left = 0.0
    for output in p.outputs:
        child = _derived_lot(conn, p.item, output.lot, source, at)
        left = add_stock(conn, source, source_location, -output.qty, at)
        target = _location_id(conn, output.location) if output.location else source_location
        add_stock(conn, child, target, output.qty, at)
        _link(conn, source, child, output.qty, p.task, event_id)
    return _negative(left, p.lot, p.location)


def _merged(conn: Connection, p: LotMerged, at: datetime, event_id: str) -> list[Flag]:
    item_id = _item_id(conn, p.item)
    sources = []
    for source in p.inputs:
        lot_id = _lot_id(conn, item_id, source.lot)
        if lot_id is None:
            raise EffectError(f"input lot {source.lot!r} of {p.item!r} is not known")
        sources.append((lot_id, source))
    earliest = min(sources, key=lambda s: conn.execute(_LOT_ORIGIN, {"lot": s[0]}).one().expiry or date.max)
    target = _derived_lot(conn, p.item, p.lot, earliest[0], at)
    target_location = _location_id(conn, p.location)
    flags: list[Flag] = []
    for lot_id, source in sources:
        where = source.location or p.location
        left = add_stock(conn, lot_id, _location_id(conn, where), -source.qty, at)
        add_stock(conn, target, target_location, source.qty, at)
        _link(conn, lot_id, target, source.qty, p.task, event_id)
        flags += _negative(left, source.lot, where)
    return flags


def _relabelled(conn: Connection, p: LotRelabelled, at: datetime, event_id: str) -> list[Flag]:
    _, old = _require_lot(conn, p.item, p.lot)
    location_id = _location_id(conn, p.location)
    if p.qty is not None:
        qty = p.qty
    else:
        current = _stock_row(conn, old, location_id)
        qty = current[1] if current is not None else 0.0
    new = _derived_lot(conn, p.item, p.new_lot, old, at)
    left = add_stock(conn, old, location_id, -qty, at)
    add_stock(conn, new, location_id, qty, at)
    _link(conn, old, new, qty, p.task, event_id)
    return _negative(left, p.lot, p.location)


# A pallet (SSCC) may carry several lots; the container row keeps its lot only when it carries one.
# Which lots a mixed pallet carried is kept centrally (pallet_contents).


def _pallet_built(conn: Connection, p: PalletBuilt, at: datetime, _id: str) -> list[Flag]:
    lots = {_require_lot(conn, c.item, c.lot)[1] for c in p.contents}
    total = sum(c.qty for c in p.contents if c.qty is not None)
    values = {
        "lot_id": next(iter(lots)) if len(lots) == 1 else None,
        "location_id": _location_id(conn, p.location) if p.location else None,
        "qty": total,
        "task_code": p.task,
    }
    exists = conn.execute(select(Container.sscc).where(Container.sscc == p.sscc)).first()
    if exists:
        conn.execute(update(Container).where(Container.sscc == p.sscc).values(**values))
    else:
        conn.execute(insert(Container).values(sscc=p.sscc, **values))
    return []


def _pallet_broken(conn: Connection, p: PalletBroken, at: datetime, _id: str) -> list[Flag]:
    """The pallet is taken apart; its lots stay where they are."""
    conn.execute(delete(Container).where(Container.sscc == p.sscc))
    return []


Handler = Callable[[Connection, Any, datetime, str], list[Flag]]
HANDLERS: dict[EventType, Handler] = {
    EventType.STOCK_RECEIVED: _received,
    EventType.STOCK_MOVED: _moved,
    EventType.STOCK_CONSUMED: _consumed,
    EventType.LOT_PRODUCED: _produced,
    EventType.STOCK_PICKED: _picked,
    EventType.PICK_SHORT: _short,
    EventType.STOCK_SHIPPED: _shipped,
    EventType.LOT_STATUS_CHANGED: _status_changed,
    EventType.STOCK_COUNTED: _counted,
    EventType.LABEL_REQUESTED: _no_state,
    EventType.LOT_SPLIT: _split,
    EventType.LOT_MERGED: _merged,
    EventType.LOT_RELABELLED: _relabelled,
    EventType.PALLET_BUILT: _pallet_built,
    EventType.PALLET_BROKEN: _pallet_broken,
}
assert set(HANDLERS) == set(EventType), "every event type has its effect"


def _inserted_id(result: Any) -> int:
    """The primary key of the one row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    return int(key[0])
