"""Read queries of the cache: each one a point or range look-up on an index of schema.py.

Statements are built once at import and executed with bound parameters: building a SQLAlchemy
statement per call costs ten times more than running it, and these sit on the per-scan path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, or_, select

from lotscan.domain.events import EventType
from lotscan.domain.fefo import StockCandidate
from lotscan.domain.status import LotStatus
from lotscan.store import fastread, reference
from lotscan.store.schema import (
    Container,
    Event,
    Item,
    Location,
    Lot,
    LotLink,
    Operator,
    Party,
    Serial,
    Stock,
    SyncState,
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
    pack_size: float | None = None
    pack_unit: str | None = None


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
    supplier: str | None = None  # who the lot was first received from (a receipt's task partner)


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
    qty_short: float = 0.0  # closed short (pick.short): no longer needed, never picked

    @property
    def remaining(self) -> float:
        return max(self.qty_expected - self.qty_done - self.qty_short, 0.0)


# Kinds whose task is over once every line is done or closed short; a work order is not, since
# its lines are the inputs and it still makes its output (produce).
_DONE_WITH_ITS_LINES = frozenset({"pick_list", "shipment", "asn", "po"})


def task_status(kind: str, status: str, lines: list[TaskLineRow]) -> str:
    """The task's status as said to the operator: central's (`open`, `closed`), or `done` for an
    open task whose every line is done or closed short (tester tz Z9g: a done pick list read
    "open" and was offered among the open tasks). Scanned, a done task still opens."""
    if (
        status == "open"
        and kind in _DONE_WITH_ITS_LINES
        and lines
        and all(line.remaining <= 0 for line in lines)
    ):
        return "done"
    return status


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
    Item.pack_size,
    Item.pack_unit,
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
    Lot.supplier,
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
    TaskLine.qty_short,
)


# A status as stored, read as its member by a dict look-up (LotStatus(text) is two Python
# calls, several times per scan); an unknown text still raises as LotStatus(text) does.
_STATUS_OF = {status.value: status for status in LotStatus}


def _status(text: str) -> LotStatus:
    return _STATUS_OF.get(text) or LotStatus(text)


def _lot(row: Any) -> LotRow:
    return LotRow(row[0], row[1], row[2], _status(row[3]), row[4], row[5], row[6], row[7], row[8])


_ITEM_BY_GTIN = select(*_ITEM_COLS).where(Item.gtin == bindparam("key"))
_ITEM_BY_CODE = select(*_ITEM_COLS).where(Item.code == bindparam("key"))
_ITEM_BY_ID = select(*_ITEM_COLS).where(Item.id == bindparam("key"))


def _reference_row(conn: Connection, statement: Any, key: object, make: Callable[..., Any]) -> Any:
    """`make(*row)` of the one row `statement` finds for `key`, or None; inside a scan window
    answered from the rows kept between scans when it can be (lotscan.store.reference)."""

    def read() -> Any:
        row = fastread.first(conn, statement, {"key": key})
        return make(*row) if row else None

    return reference.lookup(conn, statement, key, read)


def item_by_gtin(conn: Connection, gtin: str) -> ItemRow | None:
    return _reference_row(conn, _ITEM_BY_GTIN, gtin, ItemRow)  # type: ignore[no-any-return]


def item_by_code(conn: Connection, code: str) -> ItemRow | None:
    return _reference_row(conn, _ITEM_BY_CODE, code, ItemRow)  # type: ignore[no-any-return]


def item_by_id(conn: Connection, item_id: int) -> ItemRow | None:
    return _reference_row(conn, _ITEM_BY_ID, item_id, ItemRow)  # type: ignore[no-any-return]


_LOT_BY_CODE = select(*_LOT_COLS).where(Lot.item_id == bindparam("item"), Lot.code == bindparam("code"))
# The lot of an item whose code differs only in letter case (Caps Lock on a keyboard-wedge
# scanner, tester W21): asked only when the exact code is unknown. Lot codes are GS1 set 82
# (ASCII), so SQL lower() folds them fully.
_LOT_OF_OTHER_CASE = (
    select(*_LOT_COLS)
    .where(
        Lot.item_id == bindparam("item"),
        func.lower(Lot.code) == func.lower(bindparam("code")),
        Lot.code != bindparam("code"),
    )
    .limit(1)
)
_LOT_BY_ID = select(*_LOT_COLS).where(Lot.id == bindparam("key"))
_LOTS_BY_CODE = select(*_LOT_COLS).where(Lot.code == bindparam("key")).limit(20)
_LOCATION_BY_CODE = select(*_LOC_COLS).where(Location.code == bindparam("key"))
_LOCATION_BY_GLN = select(*_LOC_COLS).where(Location.gln == bindparam("key"))
_LOCATION_BY_ID = select(*_LOC_COLS).where(Location.id == bindparam("key"))
_TASK_BY_CODE = select(*_TASK_COLS).where(Task.code == bindparam("key"))
_TASK_LINES = select(*_LINE_COLS).where(TaskLine.task_id == bindparam("task")).order_by(TaskLine.line_no)
_TASK_LINES_OF_ITEM = (
    select(*_LINE_COLS)
    .where(TaskLine.task_id == bindparam("task"), TaskLine.item_id == bindparam("item"))
    .order_by(TaskLine.line_no)
)
_LINE_BY_SSCC = select(*_LINE_COLS).where(
    TaskLine.task_id == bindparam("task"), TaskLine.sscc == bindparam("sscc")
)
_STOCK_QTY = select(Stock.qty).where(
    Stock.lot_id == bindparam("lot"), Stock.location_id == bindparam("location")
)
_STOCK_OF_LOT = (
    select(*_LOC_COLS, Stock.qty)
    .join(Stock, Stock.location_id == Location.id)
    .where(Stock.lot_id == bindparam("lot"), Stock.qty != 0)
    .order_by(Location.code)
)


def lot_by_code(conn: Connection, item_id: int, code: str) -> LotRow | None:
    row = fastread.first(conn, _LOT_BY_CODE, {"item": item_id, "code": code})
    return _lot(row) if row else None


def lot_of_other_case(conn: Connection, item_id: int, code: str) -> LotRow | None:
    """The item's lot whose code is `code` but for letter case, if any (tester W21)."""
    row = fastread.first(conn, _LOT_OF_OTHER_CASE, {"item": item_id, "code": code})
    return _lot(row) if row else None


def lot_by_id(conn: Connection, lot_id: int) -> LotRow | None:
    row = fastread.first(conn, _LOT_BY_ID, {"key": lot_id})
    return _lot(row) if row else None


def lots_by_code(conn: Connection, code: str) -> list[LotRow]:
    return [_lot(r) for r in conn.execute(_LOTS_BY_CODE, {"key": code})]


def location_by_code(conn: Connection, code: str) -> LocationRow | None:
    return _reference_row(conn, _LOCATION_BY_CODE, code, LocationRow)  # type: ignore[no-any-return]


def location_by_gln(conn: Connection, gln: str) -> LocationRow | None:
    return _reference_row(conn, _LOCATION_BY_GLN, gln, LocationRow)  # type: ignore[no-any-return]


def location_by_id(conn: Connection, location_id: int) -> LocationRow | None:
    return _reference_row(conn, _LOCATION_BY_ID, location_id, LocationRow)  # type: ignore[no-any-return]


def hold_location_codes(conn: Connection) -> list[str]:
    """The hold areas of this cache's site (QA-HOLD), where blocked lots belong."""
    return list(
        conn.execute(
            select(Location.code).where(Location.is_hold.is_(True)).order_by(Location.code)
        ).scalars()
    )


def task_by_code(conn: Connection, code: str) -> TaskRow | None:
    """The task's header (kind, status, partner, where it goes); its lines are read apart,
    since scans change their progress."""
    return _reference_row(conn, _TASK_BY_CODE, code, TaskRow)  # type: ignore[no-any-return]


def task_lines(conn: Connection, task_id: int, item_id: int | None = None) -> list[TaskLineRow]:
    if item_id is None:
        rows = fastread.rows(conn, _TASK_LINES, {"task": task_id})
    else:
        rows = fastread.rows(conn, _TASK_LINES_OF_ITEM, {"task": task_id, "item": item_id})
    return [TaskLineRow(*r) for r in rows]


_TASK_LINE_ITEMS = (
    select(*_LINE_COLS, Item.code, Item.description)
    .join(Item, Item.id == TaskLine.item_id)
    .where(TaskLine.task_id == bindparam("task"))
    .order_by(TaskLine.line_no)
)


def task_lines_with_items(conn: Connection, task_id: int) -> list[tuple[TaskLineRow, str, str]]:
    """Every line of a task with its item's code and description, in one query."""
    return [(TaskLineRow(*r[:8]), r[8], r[9]) for r in conn.execute(_TASK_LINE_ITEMS, {"task": task_id})]


_LINES_ANNOUNCING_PALLET = (
    select(*_LINE_COLS, Item.code, Item.description, Item.unit, Task.code, Task.kind)
    .join(Item, Item.id == TaskLine.item_id)
    .join(Task, Task.id == TaskLine.task_id)
    .where(TaskLine.sscc == bindparam("sscc"))
    .order_by(Task.code, TaskLine.line_no)
)


@dataclass(frozen=True, slots=True)
class AnnouncedPallet:
    """A task line announcing a pallet, with its item and task named."""

    line: TaskLineRow
    item: str
    description: str | None
    unit: str
    task: str
    kind: str


def lines_announcing_pallet(conn: Connection, sscc: str) -> list[AnnouncedPallet]:
    """The task lines (an ASN's) that announce the pallet ``sscc``: what a lookup of a pallet not
    yet received says."""
    rows = conn.execute(_LINES_ANNOUNCING_PALLET, {"sscc": sscc})
    return [AnnouncedPallet(TaskLineRow(*r[:8]), r[8], r[9], r[10], r[11], r[12]) for r in rows]


def line_by_sscc(conn: Connection, task_id: int, sscc: str) -> TaskLineRow | None:
    row = conn.execute(_LINE_BY_SSCC, {"task": task_id, "sscc": sscc}).first()
    return TaskLineRow(*row) if row else None


def stock_qty(conn: Connection, lot_id: int, location_id: int) -> float:
    qty = fastread.scalar(conn, _STOCK_QTY, {"lot": lot_id, "location": location_id})
    return float(qty or 0.0)


def stock_of_lot(conn: Connection, lot_id: int) -> list[tuple[LocationRow, float]]:
    rows = fastread.rows(conn, _STOCK_OF_LOT, {"lot": lot_id})
    return [(LocationRow(*r[:5]), float(r[5])) for r in rows]


def contents_of_location(conn: Connection, location_id: int, limit: int = 200) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(Item.code, Item.gtin, Item.description, Lot.code, Lot.status, Lot.expiry, Stock.qty, Item.unit)
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
            "unit": r[7],
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
        r[0], r[1], r[2], r[3], float(r[4]), r[5], r[6], _status(r[7]), bool(r[8]), bool(r[9])
    )


_FEFO_BASE = (
    select(*_FEFO_COLS)
    .select_from(Lot)
    .join(Stock, Stock.lot_id == Lot.id)
    .join(Location, Location.id == Stock.location_id)
    .where(
        Lot.item_id == bindparam("item"),
        Lot.status == LotStatus.RELEASED.value,
        Stock.qty > 0,
        Location.pickable.is_(True),
        Location.is_hold.is_(False),
    )
)
_FEFO_DATED = (
    _FEFO_BASE.where(Lot.expiry >= bindparam("today"))
    .order_by(Lot.expiry, Stock.qty, Stock.received_at, Stock.id)
    .limit(bindparam("limit"))
)
_FEFO_UNDATED = (
    _FEFO_BASE.where(Lot.expiry.is_(None))
    .order_by(Stock.qty, Stock.received_at, Stock.id)
    .limit(bindparam("limit"))
)


def fefo_candidates(conn: Connection, item_id: int, today: date, limit: int = 1) -> list[StockCandidate]:
    """The first `limit` candidates in FEFO order (see lotscan.domain.fefo).

    Dated lots come from the (item, status, expiry) index in expiry order; lots without an
    expiry are only looked at when no dated lot is left, which is what "no expiry last" means.
    """
    params = {"item": item_id, "today": today, "limit": limit}
    found = [_candidate(r) for r in fastread.rows(conn, _FEFO_DATED, params)]
    if len(found) < limit:
        params["limit"] = limit - len(found)
        found += [_candidate(r) for r in fastread.rows(conn, _FEFO_UNDATED, params)]
    return found


_SERIAL = select(Serial.id).where(Serial.item_id == bindparam("item"), Serial.serial == bindparam("serial"))
_CONTAINER = select(Container.sscc, Container.lot_id, Container.location_id, Container.qty).where(
    Container.sscc == bindparam("key")
)
_LAST_SAME_SCAN = select(func.max(Event.occurred_at)).where(
    Event.raw == bindparam("raw"),
    Event.occurred_at >= bindparam("since"),
    Event.workflow == bindparam("workflow"),
)
_OPERATOR = select(Operator.badge, Operator.name, Operator.role, Operator.pin_hash, Operator.active).where(
    Operator.badge == bindparam("key")
)
_PENDING = select(func.count()).where(Event.sync_state == "pending")
_MAX_SEQ = select(func.max(Event.seq))


def serial_seen(conn: Connection, item_id: int, serial: str) -> bool:
    return conn.execute(_SERIAL, {"item": item_id, "serial": serial}).first() is not None


def container(conn: Connection, sscc: str) -> dict[str, Any] | None:
    row = conn.execute(_CONTAINER, {"key": sscc}).first()
    return dict(row._mapping) if row else None


def last_same_scan(conn: Connection, raw: str, workflow: str, since: datetime) -> datetime | None:
    return fastread.scalar(conn, _LAST_SAME_SCAN, {"raw": raw, "since": since, "workflow": workflow})  # type: ignore[no-any-return]


_FARM = select(Party.code).where(
    Party.kind == "farm", or_(Party.code == bindparam("key"), Party.name == bindparam("key"))
)


def farm_code(conn: Connection, partner: str) -> str | None:
    """The code of the farm an order's partner names (by code or business name), else None."""
    return fastread.scalar(conn, _FARM, {"key": partner})  # type: ignore[no-any-return]


def lot_holder(conn: Connection, lot_id: int) -> tuple[str | None, str | None]:
    """Who holds the lot (lots.held_by, as central sent it) and the site central enrolled this
    station into (None before enrolment: the settings' site is only a local name)."""
    held_by = conn.execute(select(Lot.held_by).where(Lot.id == lot_id)).scalar()
    site = conn.execute(select(SyncState.value).where(SyncState.key == ENROLLED_SITE_KEY)).scalar()
    return held_by, site


ENROLLED_SITE_KEY = "site"  # sync_state key enrolment and a snapshot store central's site code under


def operator_by_badge(conn: Connection, badge: str) -> dict[str, Any] | None:
    found = _reference_row(conn, _OPERATOR, badge, _OperatorRow)
    return found._asdict() if found is not None else None


class _OperatorRow(NamedTuple):
    badge: str
    name: str
    role: str
    pin_hash: str | None
    active: bool


def consumed_inputs(conn: Connection, task_code: str, *, since_last_output: bool = True) -> list[str]:
    """Payloads of a work order's consumption since its last output lot (or, with
    `since_last_output=False`, since the order began), oldest first.

    Each output lot is linked to what was consumed for it, with the quantities, so a second
    output of the same order never claims the first one's quantities again. Events central set
    aside do not count.
    """
    last_output = (
        select(func.coalesce(func.max(Event.seq), 0))
        .where(Event.task_code == task_code, Event.type == EventType.LOT_PRODUCED)
        .scalar_subquery()
        if since_last_output
        else 0
    )
    return list(
        conn.execute(
            select(Event.payload)
            .where(
                Event.task_code == task_code,
                Event.type == EventType.STOCK_CONSUMED,
                Event.seq > last_output,
                Event.sync_state != "failed",
            )
            .order_by(Event.seq)
        ).scalars()
    )


def last_output(conn: Connection, task_code: str) -> str | None:
    """The payload of a work order's latest output lot (lot.produced), None before the first."""
    return conn.execute(
        select(Event.payload)
        .where(
            Event.task_code == task_code,
            Event.type == EventType.LOT_PRODUCED,
            Event.sync_state != "failed",
        )
        .order_by(Event.seq.desc())
        .limit(1)
    ).scalar()


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
    return int(conn.execute(_PENDING).scalar() or 0)


def max_seq(conn: Connection) -> int:
    return int(fastread.scalar(conn, _MAX_SEQ, {}) or 0)
