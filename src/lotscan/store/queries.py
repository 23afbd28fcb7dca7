"""Read queries of the cache: each one a point or range look-up on an index of schema.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from lotscan.domain.fefo import StockCandidate
from lotscan.domain.status import LotStatus
from lotscan.store.schema import (
    Container,
    Event,
    Item,
    Location,
    Lot,
    LotLink,
    Operator,
    Serial,
    Stock,
    Task,
    TaskLine,
)


@dataclass(frozen=True, slots=True)
class ItemRow:
    id: int
    code: str
    gtin: str | None
    description: str
    unit: str
    lot_tracked: bool
    expiry_required: bool
    shelf_life_days: int | None
    min_remaining_days: int | None
    receive_status: str


@dataclass(frozen=True, slots=True)
class LotRow:
    id: int
    item_id: int
    code: str
    status: LotStatus
    expiry: date | None
    best_before: date | None
    production_date: date | None
    received_at: datetime | None


@dataclass(frozen=True, slots=True)
class LocationRow:
    id: int
    code: str
    gln: str | None
    pickable: bool
    is_hold: bool


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: int
    kind: str
    code: str
    status: str
    partner: str | None
    item_id: int | None
    planned_qty: float | None
    line: str | None
    location_id: int | None


@dataclass(frozen=True, slots=True)
class TaskLineRow:
    id: int
    line_no: int
    item_id: int
    qty_expected: float
    qty_done: float
    lot_code: str | None
    sscc: str | None

    @property
    def remaining(self) -> float:
        return max(self.qty_expected - self.qty_done, 0.0)


_ITEM_COLS = (
    Item.id,
    Item.code,
    Item.gtin,
    Item.description,
    Item.unit,
    Item.lot_tracked,
    Item.expiry_required,
    Item.shelf_life_days,
    Item.min_remaining_days,
    Item.receive_status,
)
_LOT_COLS = (
    Lot.id,
    Lot.item_id,
    Lot.code,
    Lot.status,
    Lot.expiry,
    Lot.best_before,
    Lot.production_date,
    Lot.received_at,
)
_LOC_COLS = (Location.id, Location.code, Location.gln, Location.pickable, Location.is_hold)
_TASK_COLS = (
    Task.id,
    Task.kind,
    Task.code,
    Task.status,
    Task.partner,
    Task.item_id,
    Task.planned_qty,
    Task.line,
    Task.location_id,
)
_LINE_COLS = (
    TaskLine.id,
    TaskLine.line_no,
    TaskLine.item_id,
    TaskLine.qty_expected,
    TaskLine.qty_done,
    TaskLine.lot_code,
    TaskLine.sscc,
)


def _lot(row: Any) -> LotRow:
    return LotRow(row[0], row[1], row[2], LotStatus(row[3]), row[4], row[5], row[6], row[7])


def item_by_gtin(conn: Connection, gtin: str) -> ItemRow | None:
    row = conn.execute(select(*_ITEM_COLS).where(Item.gtin == gtin)).first()
    return ItemRow(*row) if row else None


def item_by_code(conn: Connection, code: str) -> ItemRow | None:
    row = conn.execute(select(*_ITEM_COLS).where(Item.code == code)).first()
    return ItemRow(*row) if row else None


def item_by_id(conn: Connection, item_id: int) -> ItemRow | None:
    row = conn.execute(select(*_ITEM_COLS).where(Item.id == item_id)).first()
    return ItemRow(*row) if row else None


def lot_by_code(conn: Connection, item_id: int, code: str) -> LotRow | None:
    row = conn.execute(select(*_LOT_COLS).where(Lot.item_id == item_id, Lot.code == code)).first()
    return _lot(row) if row else None


def lot_by_id(conn: Connection, lot_id: int) -> LotRow | None:
    row = conn.execute(select(*_LOT_COLS).where(Lot.id == lot_id)).first()
    return _lot(row) if row else None


def lots_by_code(conn: Connection, code: str) -> list[LotRow]:
    return [_lot(r) for r in conn.execute(select(*_LOT_COLS).where(Lot.code == code).limit(20))]


def location_by_code(conn: Connection, code: str) -> LocationRow | None:
    row = conn.execute(select(*_LOC_COLS).where(Location.code == code)).first()
    return LocationRow(*row) if row else None


def location_by_gln(conn: Connection, gln: str) -> LocationRow | None:
    row = conn.execute(select(*_LOC_COLS).where(Location.gln == gln)).first()
    return LocationRow(*row) if row else None


def location_by_id(conn: Connection, location_id: int) -> LocationRow | None:
    row = conn.execute(select(*_LOC_COLS).where(Location.id == location_id)).first()
    return LocationRow(*row) if row else None


def task_by_code(conn: Connection, code: str) -> TaskRow | None:
    row = conn.execute(select(*_TASK_COLS).where(Task.code == code)).first()
    return TaskRow(*row) if row else None


def task_lines(conn: Connection, task_id: int, item_id: int | None = None) -> list[TaskLineRow]:
    stmt = select(*_LINE_COLS).where(TaskLine.task_id == task_id)
    if item_id is not None:
        stmt = stmt.where(TaskLine.item_id == item_id)
    return [TaskLineRow(*r) for r in conn.execute(stmt.order_by(TaskLine.line_no))]


def line_by_sscc(conn: Connection, task_id: int, sscc: str) -> TaskLineRow | None:
    row = conn.execute(select(*_LINE_COLS).where(TaskLine.task_id == task_id, TaskLine.sscc == sscc)).first()
    return TaskLineRow(*row) if row else None


def stock_qty(conn: Connection, lot_id: int, location_id: int) -> float:
    qty = conn.execute(
        select(Stock.qty).where(Stock.lot_id == lot_id, Stock.location_id == location_id)
    ).scalar()
    return float(qty or 0.0)


def stock_of_lot(conn: Connection, lot_id: int) -> list[tuple[LocationRow, float]]:
    rows = conn.execute(
        select(*_LOC_COLS, Stock.qty)
        .join(Stock, Stock.location_id == Location.id)
        .where(Stock.lot_id == lot_id, Stock.qty != 0)
        .order_by(Location.code)
    )
    return [(LocationRow(*r[:5]), float(r[5])) for r in rows]


def contents_of_location(conn: Connection, location_id: int, limit: int = 200) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(Item.code, Item.gtin, Item.description, Lot.code, Lot.status, Lot.expiry, Stock.qty)
        .join(Lot, Lot.id == Stock.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .where(Stock.location_id == location_id, Stock.qty != 0)
        .order_by(Lot.expiry, Lot.code)
        .limit(limit)
    )
    return [
        {
            "item": r[0],
            "gtin": r[1],
            "description": r[2],
            "lot": r[3],
            "status": r[4],
            "expiry": r[5].isoformat() if r[5] else None,
            "qty": float(r[6]),
        }
        for r in rows
    ]


_FEFO_COLS = (
    Stock.id,
    Lot.id,
    Lot.code,
    Location.code,
    Stock.qty,
    Lot.expiry,
    Stock.received_at,
    Lot.status,
    Location.pickable,
    Location.is_hold,
)


def _candidate(r: Any) -> StockCandidate:
    return StockCandidate(
        r[0], r[1], r[2], r[3], float(r[4]), r[5], r[6], LotStatus(r[7]), bool(r[8]), bool(r[9])
    )


def fefo_candidates(conn: Connection, item_id: int, today: date, limit: int = 1) -> list[StockCandidate]:
    """The first `limit` candidates in FEFO order (see lotscan.domain.fefo).

    Dated lots come from the (item, status, expiry) index in expiry order; lots without an
    expiry are only looked at when no dated lot is left, which is what "no expiry last" means.
    """
    base = (
        select(*_FEFO_COLS)
        .select_from(Lot)
        .join(Stock, Stock.lot_id == Lot.id)
        .join(Location, Location.id == Stock.location_id)
        .where(
            Lot.item_id == item_id,
            Lot.status == LotStatus.RELEASED.value,
            Stock.qty > 0,
            Location.pickable.is_(True),
            Location.is_hold.is_(False),
        )
    )
    dated = base.where(Lot.expiry >= today).order_by(Lot.expiry, Stock.qty, Stock.received_at, Stock.id)
    found = [_candidate(r) for r in conn.execute(dated.limit(limit))]
    if len(found) < limit:
        undated = base.where(Lot.expiry.is_(None)).order_by(Stock.qty, Stock.received_at, Stock.id)
        found += [_candidate(r) for r in conn.execute(undated.limit(limit - len(found)))]
    return found


def serial_seen(conn: Connection, item_id: int, serial: str) -> bool:
    return (
        conn.execute(select(Serial.id).where(Serial.item_id == item_id, Serial.serial == serial)).first()
        is not None
    )


def container(conn: Connection, sscc: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(Container.sscc, Container.lot_id, Container.location_id, Container.qty).where(
            Container.sscc == sscc
        )
    ).first()
    return dict(row._mapping) if row else None


def last_same_scan(conn: Connection, raw: str, workflow: str, since: datetime) -> datetime | None:
    return conn.execute(
        select(func.max(Event.occurred_at)).where(
            Event.raw == raw, Event.occurred_at >= since, Event.workflow == workflow
        )
    ).scalar()


def operator_by_badge(conn: Connection, badge: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(Operator.badge, Operator.name, Operator.role, Operator.pin_hash).where(Operator.badge == badge)
    ).first()
    return dict(row._mapping) if row else None


def consumed_inputs(conn: Connection, task_code: str) -> list[str]:
    """Payloads of the consumption events of one work order, oldest first."""
    return list(
        conn.execute(
            select(Event.payload)
            .where(Event.task_code == task_code, Event.type == "stock.consumed")
            .order_by(Event.seq)
        ).scalars()
    )


def lot_links(conn: Connection, lot_id: int) -> dict[str, list[dict[str, Any]]]:
    def side(join_col: Any, where_col: Any) -> list[dict[str, Any]]:
        rows = conn.execute(
            select(Item.code, Item.gtin, Lot.code, Lot.status, LotLink.qty, LotLink.task_code)
            .select_from(LotLink)
            .join(Lot, Lot.id == join_col)
            .join(Item, Item.id == Lot.item_id)
            .where(where_col == lot_id)
            .order_by(LotLink.id)
        )
        return [
            {"item": r[0], "gtin": r[1], "lot": r[2], "status": r[3], "qty": r[4], "task": r[5]} for r in rows
        ]

    return {
        "parents": side(LotLink.parent_lot_id, LotLink.child_lot_id),
        "children": side(LotLink.child_lot_id, LotLink.parent_lot_id),
    }


def recent_events_for_lot(conn: Connection, lot_code: str, limit: int = 10) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(Event.seq, Event.occurred_at, Event.type, Event.operator, Event.sync_state)
        .where(Event.lot_code == lot_code)
        .order_by(Event.seq.desc())
        .limit(limit)
    )
    return [
        {
            "seq": r[0],
            "at": r[1].isoformat(timespec="seconds"),
            "type": r[2],
            "operator": r[3],
            "sync": r[4],
        }
        for r in rows
    ]


def pending_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).where(Event.sync_state == "pending")).scalar() or 0)


def max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(Event.seq))).scalar() or 0)
