"""FDA FSMA 204 electronic sortable spreadsheet: one row per critical tracking event record.

Critical tracking events (CTEs) and where their key data elements (KDEs) come from:
  Receiving        stock.received: the lot as the supplier labelled it; previous source = the
                   supplier (payload, else the lot's supplier); TLC source = the supplier, with
                   their lot number as source reference.
  Shipping         stock.shipped: subsequent recipient = the customer on the shipment.
  Transformation   lot.produced with input lots, lot.split, lot.merged, lot.relabelled: the new
                   TLC is assigned here, so the TLC source is our location (GLN where known);
                   input lots listed with the quantity each event recorded, "qty unknown" where
                   it did not. A split gives one row per new lot.
  Initial packing  lot.produced without any input lot: a lot first packed here.
Quantities and units are what the event recorded (unit: the item's unit when the event did not
say). Dates and times are UTC, ISO 8601. Only events central applied (or applied and flagged)
appear; rejected and failed ones never changed any stock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from lotscan.protocol import APPLIED, FLAGGED
from lotscan.store.schema import Item, Location, Lot, Site, Task

COLUMNS = [
    "Critical tracking event",
    "Event date",
    "Event time (UTC)",
    "Traceability lot code",
    "Product GTIN",
    "Product description",
    "Quantity",
    "Unit of measure",
    "TLC source location",
    "TLC source reference",
    "Immediate previous source",
    "Immediate subsequent recipient",
    "Event location",
    "Event location GLN",
    "Event site",
    "Reference document type",
    "Reference document number",
    "Input traceability lot codes",
    "New traceability lot code",
    "Station",
    "Operator",
    "Event ID",
]
CTE_TYPES = ("stock.received", "stock.shipped", "lot.produced", "lot.split", "lot.merged", "lot.relabelled")
DOCUMENT_TYPES = {
    "asn": "Advance ship notice",
    "po": "Purchase order",
    "work_order": "Work order",
    "shipment": "Bill of lading / shipment",
    "pick_list": "Pick list",
}
BATCH = 5_000


@dataclass(frozen=True)
class Filter:
    tlcs: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None  # inclusive


def rows(conn: Connection, where: Filter) -> Iterator[list[Any]]:
    """The spreadsheet's rows, streamed in event-time order."""
    batch: list[Any] = []
    for event in conn.execution_options(yield_per=BATCH).execute(_events_query(where), _params(where)):
        batch.append(event)
        if len(batch) >= BATCH:
            yield from _rows_of(conn, batch)
            batch = []
    if batch:
        yield from _rows_of(conn, batch)


def _params(where: Filter) -> dict[str, Any]:
    params: dict[str, Any] = {"types": list(CTE_TYPES), "counted": [APPLIED, FLAGGED]}
    if where.start:
        params["start"] = datetime.combine(where.start, datetime.min.time())
    if where.end:
        params["end"] = datetime.combine(where.end + timedelta(days=1), datetime.min.time())
    if where.tlcs:
        params["tlcs"] = list(where.tlcs)
    return params


_BY_TLC = """
WITH candidates(server_seq) AS (
    SELECT server_seq FROM received_events WHERE type IN :types AND lot_code IN :tlcs
    UNION
    SELECT e.server_seq FROM lots o JOIN lot_links k ON k.parent_lot_id = o.id
    JOIN received_events e ON e.id = k.event_id WHERE o.code IN :tlcs
    UNION
    SELECT e.server_seq FROM lots o JOIN lot_links k ON k.child_lot_id = o.id
    JOIN received_events e ON e.id = k.event_id WHERE o.code IN :tlcs
)
"""


def _events_query(where: Filter) -> Any:
    # By lot code: the lot's own events, and the transformations it went into or came out of,
    # each found through an index; by dates: a range scan on occurred_at.
    conditions = ["e.type IN :types", "e.outcome IN :counted"]
    if where.start:
        conditions.append("e.occurred_at >= :start")
    if where.end:
        conditions.append("e.occurred_at < :end")
    sql = "SELECT e.id, e.type, e.occurred_at, e.station, e.operator, e.payload FROM received_events e"
    if where.tlcs:
        sql = _BY_TLC + sql + " JOIN candidates c ON c.server_seq = e.server_seq"
    sql += " WHERE " + " AND ".join(conditions) + " ORDER BY e.occurred_at, e.server_seq"
    query = text(sql).bindparams(bindparam("types", expanding=True), bindparam("counted", expanding=True))
    if where.tlcs:
        query = query.bindparams(bindparam("tlcs", expanding=True))
    return query


@dataclass
class _Lookups:
    items: dict[str, Any]
    locations: dict[str, Any]
    tasks: dict[str, Any]
    lots: dict[tuple[str, str], Any]


def _lookups(conn: Connection, payloads: list[dict[str, Any]]) -> _Lookups:
    """Master data for one batch of events, in four statements."""
    items = {p.get("item") for p in payloads} | {
        i.get("item") for p in payloads for i in p.get("inputs", []) if isinstance(i, dict)
    }
    locations = {p.get("location") for p in payloads}
    tasks = {p.get("task") for p in payloads}
    received = {(p.get("item"), p.get("lot")) for p in payloads if "supplier_lot" in p or "supplier" in p}
    item_rows = conn.execute(
        select(Item.code, Item.gtin, Item.description, Item.unit).where(
            Item.code.in_([i for i in items if i])
        )
    )
    location_rows = conn.execute(
        select(
            Location.code, Location.gln, Location.name, Site.code.label("site"), Site.gln.label("site_gln")
        )
        .join(Site, Site.id == Location.site_id)
        .where(Location.code.in_([x for x in locations if x]))
    )
    task_rows = conn.execute(
        select(Task.code, Task.kind, Task.partner).where(Task.code.in_([t for t in tasks if t]))
    )
    lot_rows = conn.execute(
        select(Item.code, Lot.code, Lot.supplier, Lot.supplier_lot)
        .join(Item, Item.id == Lot.item_id)
        .where(Lot.code.in_([lot for _, lot in received if lot]))
    )
    return _Lookups(
        {r.code: r for r in item_rows},
        {r.code: r for r in location_rows},
        {r.code: r for r in task_rows},
        {(r[0], r[1]): r for r in lot_rows},
    )


def _rows_of(conn: Connection, events: list[Any]) -> Iterator[list[Any]]:
    payloads = [json.loads(e.payload) for e in events]
    look = _lookups(conn, payloads)
    for event, p in zip(events, payloads, strict=True):
        yield from _event_rows(event, p, look)


def _event_rows(event: Any, p: dict[str, Any], look: _Lookups) -> Iterator[list[Any]]:
    at = (
        event.occurred_at
        if isinstance(event.occurred_at, datetime)
        else datetime.fromisoformat(event.occurred_at)
    )
    item = look.items.get(p.get("item"))
    location = look.locations.get(p.get("location"))
    task = look.tasks.get(p.get("task"))
    unit = p.get("unit") or (item.unit if item else None)
    here = _place(location, p.get("location"))
    common = {
        "date": at.date().isoformat(),
        "time": at.isoformat(timespec="seconds"),
        "gtin": item.gtin if item else None,
        "description": item.description if item else None,
        "unit": unit,
        "location": p.get("location"),
        "gln": location.gln if location else None,
        "site": location.site if location else None,
        "doc_type": DOCUMENT_TYPES.get(task.kind, task.kind) if task else None,
        "doc": p.get("task"),
        "event": event,
    }
    kind = event.type
    if kind == "stock.received":
        lot = look.lots.get((p.get("item"), p.get("lot")))
        supplier = p.get("supplier") or (lot.supplier if lot else None) or (task.partner if task else None)
        supplier_lot = p.get("supplier_lot") or (lot.supplier_lot if lot else None)
        yield _row(
            "Receiving", p["lot"], p.get("qty"), supplier, supplier_lot, supplier, None, None, None, common
        )
    elif kind == "stock.shipped":
        customer = p.get("customer") or (task.partner if task else None)
        yield _row("Shipping", p["lot"], p.get("qty"), None, None, None, customer, None, None, common)
    elif kind == "lot.produced":
        inputs = _inputs(p.get("inputs", []), look, unit)
        cte = "Transformation" if inputs else "Initial packing"
        yield _row(
            cte,
            p["lot"],
            p.get("qty"),
            here,
            location.gln if location else None,
            None,
            None,
            inputs or None,
            p["lot"],
            common,
        )
    elif kind == "lot.split":
        source = _input(p.get("item"), p.get("lot"), None, look, unit)
        for output in p.get("outputs", []):
            yield _row(
                "Transformation",
                output["lot"],
                output.get("qty"),
                here,
                location.gln if location else None,
                None,
                None,
                source.replace("qty unknown", "split"),
                output["lot"],
                common,
            )
    elif kind == "lot.merged":
        inputs = _inputs([{**i, "item": p.get("item")} for i in p.get("inputs", [])], look, unit)
        qty = sum(float(i["qty"]) for i in p.get("inputs", []) if i.get("qty") is not None)
        yield _row(
            "Transformation",
            p["lot"],
            qty,
            here,
            location.gln if location else None,
            None,
            None,
            inputs,
            p["lot"],
            common,
        )
    elif kind == "lot.relabelled":
        source = _input(p.get("item"), p.get("lot"), p.get("qty"), look, unit)
        yield _row(
            "Transformation",
            p["new_lot"],
            p.get("qty"),
            here,
            location.gln if location else None,
            None,
            None,
            source,
            p["new_lot"],
            common,
        )


def _place(location: Any, code: str | None) -> str | None:
    if location is None:
        return code
    return f"{location.name or location.code} ({location.site})"


def _input(item: str | None, lot: str | None, qty: Any, look: _Lookups, fallback_unit: str | None) -> str:
    unit = look.items[item].unit if item in look.items else fallback_unit
    amount = "qty unknown" if qty is None else f"{float(qty):g} {unit or ''}".strip()
    return f"{item}/{lot} {amount}"


def _inputs(inputs: list[dict[str, Any]], look: _Lookups, unit: str | None) -> str:
    return "; ".join(_input(i.get("item"), i.get("lot"), i.get("qty"), look, unit) for i in inputs)


def _row(
    cte: str,
    tlc: str,
    qty: Any,
    source: str | None,
    source_ref: str | None,
    previous: str | None,
    recipient: str | None,
    inputs: str | None,
    new_lot: str | None,
    c: dict[str, Any],
) -> list[Any]:
    e = c["event"]
    return [
        cte,
        c["date"],
        c["time"],
        tlc,
        c["gtin"],
        c["description"],
        None if qty is None else float(qty),
        c["unit"],
        source,
        source_ref,
        previous,
        recipient,
        c["location"],
        c["gln"],
        c["site"],
        c["doc_type"],
        c["doc"],
        inputs,
        new_lot,
        e.station,
        e.operator,
        e.id,
    ]
