"""Trace a lot backward (inputs down to suppliers and receipts) and forward (downstream lots,
where their stock is now, every shipment and customer), in a fixed number of statements.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from lotscan.central.errors import NotFound
from lotscan.central.site_scope import tasks_of_other_sites
from lotscan.central.trace.genealogy import EDGE_KINDS, Direction, materialise
from lotscan.central.trace.tables import pallet_contents
from lotscan.domain.events import EventType
from lotscan.protocol import APPLIED, FLAGGED
from lotscan.store.schema import Container, Item, Lot

SSCC = re.compile(r"^\d{18}$")
COUNTED = (APPLIED, FLAGGED)


@dataclass(frozen=True)
class LotRef:
    lot_id: int
    item: str
    lot: str


@dataclass
class TraceLot:
    direction: str
    depth: int
    item: str
    gtin: str | None
    description: str
    unit: str
    lot: str
    status: str
    expiry: date | None
    supplier: str | None
    supplier_lot: str | None


@dataclass
class TraceEdge:
    direction: str
    parent_item: str
    parent_lot: str
    child_item: str
    child_lot: str
    qty: float | None  # None: the event did not say how much went in; never estimated
    kind: str
    task: str | None
    event_id: str | None
    at: datetime | None


@dataclass
class StockAt:
    item: str
    lot: str
    site: str
    location: str
    qty: float
    unit: str


@dataclass
class Movement:
    """A receipt (backward) or shipment (forward) of a lot in the trace."""

    kind: str
    item: str
    lot: str
    qty: float | None
    unit: str | None
    at: datetime
    partner: str | None
    document: str | None
    location: str | None
    station: str
    event_id: str


@dataclass
class PalletOf:
    sscc: str
    item: str
    lot: str
    qty: float | None
    built_at: datetime | None
    broken_at: datetime | None


@dataclass
class TraceResult:
    roots: list[LotRef]
    directions: list[str]
    depth: int | None
    lots: list[TraceLot] = field(default_factory=list)
    edges: list[TraceEdge] = field(default_factory=list)
    stock: list[StockAt] = field(default_factory=list)
    shipments: list[Movement] = field(default_factory=list)
    receipts: list[Movement] = field(default_factory=list)
    pallets: list[PalletOf] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self, default=json_default))


def json_default(value: object) -> Any:
    """JSON for our dataclasses (flat: their fields as they are) and dates, without asdict's deep copy."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return dict(vars(value))
    raise TypeError(f"cannot encode {type(value).__name__}")


def resolve_roots(conn: Connection, codes: list[str], item: str | None = None) -> list[LotRef]:
    """Lot codes (every item with that code unless `item` is given) or pallet SSCCs -> lots."""
    found: dict[int, LotRef] = {}
    for code in codes:
        matches = _lots_by_code(conn, code, item)
        if not matches and SSCC.match(code):
            matches = _lots_on_pallet(conn, code)
        if not matches:
            of_item = f" of item {item!r}" if item else ""
            raise NotFound(f"lot {code!r}{of_item} is not known (nor a pallet SSCC carrying lots)")
        found.update({m.lot_id: m for m in matches})
    return list(found.values())


def _lots_by_code(conn: Connection, code: str, item: str | None) -> list[LotRef]:
    query = select(Lot.id, Item.code, Lot.code).join(Item, Item.id == Lot.item_id).where(Lot.code == code)
    if item:
        query = query.where(Item.code == item)
    return [LotRef(int(r[0]), r[1], r[2]) for r in conn.execute(query)]


def _lots_on_pallet(conn: Connection, sscc: str) -> list[LotRef]:
    ids = (
        select(pallet_contents.c.lot_id)
        .where(pallet_contents.c.sscc == sscc)
        .union(select(Container.lot_id).where(Container.sscc == sscc, Container.lot_id.is_not(None)))
    )
    query = select(Lot.id, Item.code, Lot.code).join(Item, Item.id == Lot.item_id).where(Lot.id.in_(ids))
    return [LotRef(int(r[0]), r[1], r[2]) for r in conn.execute(query)]


def trace(
    conn: Connection,
    roots: list[LotRef],
    directions: list[Direction],
    depth: int | None = None,
    *,
    site: str | None = None,
) -> TraceResult:
    """Lots and genealogy always company-wide; stock, receipts, shipments (with their locations
    and partners) and pallets only of `site` when one is given (a station's view). That view
    reads a link made at another site with its lots, kind and quantity but without the event's
    id and time, and the task code of a task at another site (a work order) blanked, as its
    pull does."""
    result = TraceResult(roots=roots, directions=[d.value for d in directions], depth=depth)
    for direction in directions:
        table = materialise(conn, [r.lot_id for r in roots], direction, depth)
        names: dict[int, tuple[str, str]] = {}
        result.lots += _lots(conn, direction, table, names)
        result.edges += _edges(conn, direction, table, names, site)
        if direction is Direction.FORWARD:
            result.stock = stock_of_closure(conn, table, site)
            result.shipments = movements(conn, table, EventType.STOCK_SHIPPED, "shipment", site)
            result.pallets = _pallets(conn, table, site)
        else:
            result.receipts = movements(conn, table, EventType.STOCK_RECEIVED, "receipt", site)
    if site is not None:
        hidden = tasks_of_other_sites(conn, {e.task for e in result.edges if e.task}, site)
        for edge in result.edges:
            if edge.task in hidden:
                edge.task = None
    return result


def _query(sql: str, table: str, site_filter: str = "") -> Any:
    return text(sql.replace("{closure}", table).replace("{site_filter}", site_filter))


_LOTS = """
SELECT c.depth, i.code, i.gtin, i.description, i.unit, o.code, o.status, o.expiry, o.supplier, o.supplier_lot,
       c.lot_id
FROM {closure} c JOIN lots o ON o.id = c.lot_id JOIN items i ON i.id = o.item_id
ORDER BY c.depth, i.code, o.code
"""


def _lots(
    conn: Connection, direction: Direction, table: str, names: dict[int, tuple[str, str]]
) -> list[TraceLot]:
    """The closure's lots; fills `names` (lot id -> item, lot code) for the edges."""
    found = []
    for r in conn.execute(_query(_LOTS, table)).all():
        names[int(r[10])] = (r[1], r[5])
        found.append(
            TraceLot(
                direction.value,
                int(r[0]),
                r[1],
                r[2],
                r[3] or "",
                r[4] or "",
                r[5],
                r[6],
                _date(r[7]),
                r[8],
                r[9],
            )
        )
    return found


# Edges whose both ends are in the closure: with a depth limit, the edges out of the last level
# are left off. The event that made the edge (the one applied: a refused event that reused its
# id is not it) says what kind of edge it is, when and at which site (index look-ups by id per
# edge, in the same statement); lot names come from the closure's lots.
_EDGE_EVENT = (
    "(SELECT {column} FROM received_events e WHERE e.id = l.event_id AND e.outcome IN ({counted}) "
    "ORDER BY e.server_seq LIMIT 1)"
)
_EDGES = """
SELECT l.parent_lot_id, l.child_lot_id, l.qty, l.task_code, l.event_id, l.id,
       {event_type}, {event_site}
FROM {closure} b
JOIN lot_links l ON l.child_lot_id = b.lot_id
JOIN {closure} a ON a.lot_id = l.parent_lot_id
"""
# the event's time as text: ISO on both backends (SQLite stores it so)
_OCCURRED = {"postgresql": "to_char(e.occurred_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"}


def _edges(
    conn: Connection,
    direction: Direction,
    table: str,
    names: dict[int, tuple[str, str]],
    site: str | None = None,
) -> list[TraceEdge]:
    """The closure's edges; read as a station of `site` sees them when one is given: an edge
    another site's event made keeps its lots, kind and quantity, without the event's id and time."""
    counted = ", ".join(f"'{outcome}'" for outcome in COUNTED)
    occurred = _OCCURRED.get(conn.dialect.name, "e.occurred_at")
    sql = (
        _EDGES.replace("{event_type}", _EDGE_EVENT.replace("{column}", f"e.type || '|' || {occurred}"))
        .replace("{event_site}", _EDGE_EVENT.replace("{column}", "e.site"))
        .replace("{counted}", counted)
        .replace("{closure}", table)
    )
    rows = list(conn.exec_driver_sql(sql))
    rank = {lot_id: n for n, lot_id in enumerate(sorted(names, key=names.__getitem__))}
    rows.sort(key=lambda r: (rank[r[0]], rank[r[1]], r[5]))
    edges = []
    way = direction.value
    for parent, child, qty, task, event_id, _id, event, event_site in rows:
        if event:
            kind_name, _, at_text = event.partition("|")
            kind = EDGE_KINDS.get(kind_name, "link")  # type: ignore[call-overload]
            at = _dt(at_text)
        else:
            kind, at = ("production" if task else "link"), None
        amount = None if qty is None else float(qty)
        if site is not None and event_site is not None and event_site != site:
            event_id, at = None, None  # another site's event: withheld from this site's view
        edges.append(TraceEdge(way, *names[parent], *names[child], amount, kind, task, event_id, at))
    return edges


_STOCK = """
SELECT i.code, o.code, si.code, lo.code, s.qty, i.unit
FROM {closure} c JOIN stock s ON s.lot_id = c.lot_id
JOIN lots o ON o.id = c.lot_id JOIN items i ON i.id = o.item_id
JOIN locations lo ON lo.id = s.location_id JOIN sites si ON si.id = lo.site_id
WHERE (s.qty > 1e-9 OR s.qty < -1e-9) {site_filter}
ORDER BY si.code, lo.code, i.code, o.code
"""


def stock_of_closure(conn: Connection, table: str, site: str | None = None) -> list[StockAt]:
    query = _query(_STOCK, table, "AND si.code = :site" if site else "")
    return [
        StockAt(r[0], r[1], r[2], r[3], float(r[4]), r[5] or "")
        for r in conn.execute(query, {"site": site} if site else {}).all()
    ]


# Central's event log names lots by code; the item is in the payload and is checked here, so a lot
# code shared by two items never mixes their shipments.
_MOVEMENTS = """
SELECT i.code, o.code, e.payload, e.occurred_at, e.station, e.id, e.task_code
FROM {closure} c JOIN lots o ON o.id = c.lot_id JOIN items i ON i.id = o.item_id
JOIN received_events e ON e.type = :event_type AND e.lot_code = o.code
WHERE e.outcome IN :counted {site_filter}
ORDER BY e.occurred_at, e.server_seq
"""


def movements(
    conn: Connection, table: str, event_type: str, kind: str, site: str | None = None
) -> list[Movement]:
    query = _query(_MOVEMENTS, table, "AND e.site = :site" if site else "")
    query = query.bindparams(bindparam("counted", expanding=True))
    params = {"event_type": event_type, "counted": list(COUNTED), **({"site": site} if site else {})}
    found = []
    for item, lot, payload_text, at, station, event_id, task in conn.execute(query, params).all():
        payload = json.loads(payload_text)
        if payload.get("item") != item:
            continue
        partner = payload.get("customer") if kind == "shipment" else payload.get("supplier")
        qty = payload.get("qty")
        found.append(
            Movement(
                kind,
                item,
                lot,
                None if qty is None else float(qty),
                payload.get("unit"),
                _dt(at),
                partner,
                payload.get("task") or task,
                payload.get("location"),
                station,
                event_id,
            )
        )
    return found


_PALLETS = """
SELECT pc.sscc, i.code, o.code, pc.qty, pc.built_at, pc.broken_at
FROM {closure} c JOIN pallet_contents pc ON pc.lot_id = c.lot_id
JOIN lots o ON o.id = c.lot_id JOIN items i ON i.id = o.item_id {site_filter}
ORDER BY pc.sscc, i.code, o.code
"""
# A pallet belongs to the site whose station built it.
_PALLET_SITE = "JOIN received_events b ON b.id = pc.built_event_id AND b.site = :site"


def _pallets(conn: Connection, table: str, site: str | None = None) -> list[PalletOf]:
    query = _query(_PALLETS, table, _PALLET_SITE if site else "")
    return [
        PalletOf(r[0], r[1], r[2], None if r[3] is None else float(r[3]), _dt(r[4]), _dt(r[5]))
        for r in conn.execute(query, {"site": site} if site else {})
    ]


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def directions_for(forward: bool, backward: bool) -> list[Direction]:
    if forward and not backward:
        return [Direction.FORWARD]
    if backward and not forward:
        return [Direction.BACKWARD]
    return [Direction.BACKWARD, Direction.FORWARD]
