"""EPCIS 2.0 JSON-LD export of central's event log, lot-level (LGTIN classes with quantities).

  stock.received     ObjectEvent OBSERVE, bizStep receiving, disposition in_progress,
                     source = the supplier, business transaction = the ASN / PO
  stock.shipped      ObjectEvent OBSERVE, bizStep shipping, disposition in_transit,
                     destination = the customer, business transaction = the shipment
  lot created here   ObjectEvent ADD, bizStep commissioning, disposition active, with ilmd
                     cbvmda:lotNumber and cbvmda:itemExpirationDate (lot.produced, and the new
                     lots of lot.split / lot.merged / lot.relabelled)
  production etc.    TransformationEvent: inputQuantityList -> outputQuantityList; an input whose
                     quantity the event did not record is listed without a quantity
  status changes     ObjectEvent OBSERVE with the new disposition (hold/quarantine/rejected:
                     non_sellable_other, recalled: recalled, released: active) and
                     persistentDisposition set / unset
Times are UTC. Items without a GTIN and places without a GLN get urn:lotscan:... identifiers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, text

from lotscan.central.changelog import utcnow
from lotscan.central.schema import lot_status_history
from lotscan.central.trace import identifiers as ids
from lotscan.protocol import APPLIED, FLAGGED
from lotscan.store.schema import Item, Location, Lot, Task

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
EVENT_TYPES = ("stock.received", "stock.shipped", "lot.produced", "lot.split", "lot.merged", "lot.relabelled")
UOM = {"KG": "KGM", "G": "GRM", "L": "LTR", "ML": "MLT", "EA": "H87", "PCS": "H87", "M": "MTR"}
DISPOSITIONS = {
    "hold": "non_sellable_other",
    "quarantine": "non_sellable_other",
    "rejected": "non_sellable_other",
    "recalled": "recalled",
    "released": "active",
}
BUSINESS_TRANSACTIONS = {"asn": "desadv", "po": "po", "work_order": "prodorder", "shipment": "bol"}
NAMESPACE = uuid.UUID("6f1c3b8e-3d0b-4f35-9a55-2f1e6c7d8a90")


@dataclass(frozen=True)
class Filter:
    lots: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None  # inclusive


@dataclass
class _Master:
    items: dict[str, Any]
    locations: dict[str, Any]
    tasks: dict[str, Any]
    expiry: dict[tuple[str, str], date | None]


class Builder:
    def __init__(self, master: _Master, gcp_length: int):
        self.m = master
        self.gcp = gcp_length

    def lot_class(self, item: str, lot: str) -> str:
        row = self.m.items.get(item)
        if row is not None and row.gtin:
            return ids.lgtin(row.gtin, lot, self.gcp)
        return ids.private("class", item, lot)

    def quantity(self, item: str, lot: str, qty: Any, unit: str | None = None) -> dict[str, Any]:
        element: dict[str, Any] = {"epcClass": self.lot_class(item, lot)}
        if qty is not None:
            element["quantity"] = float(qty)
            row = self.m.items.get(item)
            code = (unit or (row.unit if row else "") or "").upper()
            if code:
                element["uom"] = UOM.get(code, code if 2 <= len(code) <= 3 and code.isalnum() else "H87")
        return element

    def place(self, code: str | None) -> dict[str, str] | None:
        if not code:
            return None
        row = self.m.locations.get(code)
        if row is not None and row.gln:
            return {"id": ids.sgln(row.gln, self.gcp)}
        return {"id": ids.private("location", code)}

    def base(self, event_id: str, kind: str, at: datetime, location: str | None) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "eventID": f"urn:uuid:{event_id}",
            "eventTime": at.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "eventTimeZoneOffset": "+00:00",
        }
        place = self.place(location)
        if place:
            event["readPoint"] = place
            event["bizLocation"] = place
        return event

    def transactions(self, task_code: str | None) -> list[dict[str, str]]:
        if not task_code:
            return []
        task = self.m.tasks.get(task_code)
        entry = {"bizTransaction": ids.private("document", task_code)}
        if task is not None and task.kind in BUSINESS_TRANSACTIONS:
            entry["type"] = BUSINESS_TRANSACTIONS[task.kind]
        return [entry]

    def commissioned(
        self, event_id: str, at: datetime, p: dict[str, Any], item: str, lot: str, qty: Any
    ) -> dict:
        event = self.base(
            str(uuid.uuid5(NAMESPACE, f"{event_id}:add:{item}:{lot}")), "ObjectEvent", at, p.get("location")
        )
        event.update(
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            quantityList=[self.quantity(item, lot, qty, p.get("unit"))],
        )
        ilmd: dict[str, Any] = {"cbvmda:lotNumber": lot}
        expiry = p.get("expiry") or _iso(self.m.expiry.get((item, lot)))
        if expiry:
            ilmd["cbvmda:itemExpirationDate"] = expiry
        event["ilmd"] = ilmd
        return event

    def events_for(self, e: Any) -> list[dict[str, Any]]:
        p = json.loads(e.payload)
        at = e.occurred_at if isinstance(e.occurred_at, datetime) else datetime.fromisoformat(e.occurred_at)
        item = p.get("item")
        if e.type in ("stock.received", "stock.shipped"):
            receiving = e.type == "stock.received"
            event = self.base(e.id, "ObjectEvent", at, p.get("location"))
            event.update(
                action="OBSERVE",
                bizStep="receiving" if receiving else "shipping",
                disposition="in_progress" if receiving else "in_transit",
                quantityList=[self.quantity(item, p["lot"], p.get("qty"), p.get("unit"))],
            )
            partner = p.get("supplier") if receiving else p.get("customer")
            task = self.m.tasks.get(p.get("task"))
            partner = partner or (task.partner if task else None)
            if partner:
                key, field = ("sourceList", "source") if receiving else ("destinationList", "destination")
                event[key] = [{"type": "owning_party", field: ids.private("party", partner)}]
            if transactions := self.transactions(p.get("task")):
                event["bizTransactionList"] = transactions
            return [event]
        outputs, inputs = _transformation(p, e.type)
        made = [self.commissioned(e.id, at, p, item, lot, qty) for lot, qty in outputs]
        if not inputs:
            return made
        event = self.base(e.id, "TransformationEvent", at, p.get("location"))
        event.update(
            inputQuantityList=[self.quantity(i_item, lot, qty) for i_item, lot, qty in inputs],
            outputQuantityList=[self.quantity(item, lot, qty, p.get("unit")) for lot, qty in outputs],
            bizStep="commissioning" if e.type == "lot.produced" else "repackaging",
            disposition="active",
        )
        if transactions := self.transactions(p.get("task")):
            event["bizTransactionList"] = transactions
        return [event, *made]

    def status_event(self, h: Any) -> dict[str, Any]:
        at = (
            h.effective_at if isinstance(h.effective_at, datetime) else datetime.fromisoformat(h.effective_at)
        )
        event = self.base(str(uuid.uuid5(NAMESPACE, f"status:{h.id}")), "ObjectEvent", at, None)
        disposition = DISPOSITIONS.get(h.to_status, "unknown")
        event.update(
            action="OBSERVE",
            bizStep="holding" if h.to_status != "released" else "inspecting",
            disposition=disposition,
            quantityList=[self.quantity(h.item, h.lot, None)],
        )
        previous = DISPOSITIONS.get(h.from_status or "")
        if h.to_status == "released" and previous and previous != "active":
            event["persistentDisposition"] = {"unset": [previous]}
        elif h.to_status != "released":
            event["persistentDisposition"] = {"set": [disposition]}
        return event


def _transformation(p: dict[str, Any], kind: str) -> tuple[list[tuple[str, Any]], list[tuple[str, str, Any]]]:
    """(new lots with quantities, inputs as (item, lot, qty or None))."""
    item = p.get("item")
    if kind == "lot.produced":
        return [(p["lot"], p.get("qty"))], [(i["item"], i["lot"], i.get("qty")) for i in p.get("inputs", [])]
    if kind == "lot.split":
        outputs = [(o["lot"], o.get("qty")) for o in p.get("outputs", [])]
        moved = sum(float(o["qty"]) for o in p.get("outputs", []) if o.get("qty") is not None)
        return outputs, [(item, p["lot"], moved)]
    if kind == "lot.merged":
        inputs = [(item, i["lot"], i.get("qty")) for i in p.get("inputs", [])]
        known = [q for _, _, q in inputs if q is not None]
        total = sum(float(q) for q in known) if len(known) == len(inputs) else None
        return [(p["lot"], total)], inputs
    return [(p["new_lot"], p.get("qty"))], [(item, p["lot"], p.get("qty"))]


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


_BY_LOT = """
WITH candidates(server_seq) AS (
    SELECT server_seq FROM received_events WHERE type IN :types AND lot_code IN :lots
    UNION
    SELECT e.server_seq FROM lots o JOIN lot_links k ON k.parent_lot_id = o.id
    JOIN received_events e ON e.id = k.event_id WHERE o.code IN :lots
    UNION
    SELECT e.server_seq FROM lots o JOIN lot_links k ON k.child_lot_id = o.id
    JOIN received_events e ON e.id = k.event_id WHERE o.code IN :lots
)
"""


def _events(conn: Connection, where: Filter) -> list[Any]:
    conditions = ["e.type IN :types", "e.outcome IN :counted"]
    params: dict[str, Any] = {"types": list(EVENT_TYPES), "counted": [APPLIED, FLAGGED]}
    if where.start:
        conditions.append("e.occurred_at >= :start")
        params["start"] = datetime.combine(where.start, datetime.min.time())
    if where.end:
        conditions.append("e.occurred_at < :end")
        params["end"] = datetime.combine(where.end + timedelta(days=1), datetime.min.time())
    sql = "SELECT e.id, e.type, e.occurred_at, e.payload FROM received_events e"
    if where.lots:
        sql = _BY_LOT + sql + " JOIN candidates c ON c.server_seq = e.server_seq"
        params["lots"] = list(where.lots)
    sql += " WHERE " + " AND ".join(conditions) + " ORDER BY e.occurred_at, e.server_seq"
    query = text(sql).bindparams(bindparam("types", expanding=True), bindparam("counted", expanding=True))
    if where.lots:
        query = query.bindparams(bindparam("lots", expanding=True))
    return conn.execute(query, params).all()


def _history(conn: Connection, where: Filter) -> list[Any]:
    h = lot_status_history
    query = select(h).order_by(h.c.effective_at, h.c.id)
    if where.lots:
        query = query.where(h.c.lot.in_(where.lots))
    if where.start:
        query = query.where(h.c.effective_at >= datetime.combine(where.start, datetime.min.time()))
    if where.end:
        query = query.where(
            h.c.effective_at < datetime.combine(where.end + timedelta(days=1), datetime.min.time())
        )
    return conn.execute(query).all()


def _master(conn: Connection, events: list[Any], history: list[Any]) -> _Master:
    payloads = [json.loads(e.payload) for e in events]
    items = {p.get("item") for p in payloads} | {h.item for h in history}
    items |= {i.get("item") for p in payloads for i in p.get("inputs", [])}
    lots = {p.get("lot") for p in payloads} | {p.get("new_lot") for p in payloads}
    lots |= {o.get("lot") for p in payloads for o in p.get("outputs", [])}
    locations = {p.get("location") for p in payloads}
    tasks = {p.get("task") for p in payloads}
    return _Master(
        {
            r.code: r
            for r in conn.execute(
                select(Item.code, Item.gtin, Item.unit).where(Item.code.in_(items - {None}))
            )
        },
        {
            r.code: r
            for r in conn.execute(
                select(Location.code, Location.gln).where(Location.code.in_(locations - {None}))
            )
        },
        {
            r.code: r
            for r in conn.execute(
                select(Task.code, Task.kind, Task.partner).where(Task.code.in_(tasks - {None}))
            )
        },
        {
            (r[0], r[1]): r[2]
            for r in conn.execute(
                select(Item.code, Lot.code, Lot.expiry)
                .join(Item, Item.id == Lot.item_id)
                .where(Lot.code.in_(lots - {None}))
            )
        },
    )


def document(conn: Connection, where: Filter, gcp_length: int = 7) -> dict[str, Any]:
    events = _events(conn, where)
    history = _history(conn, where)
    builder = Builder(_master(conn, events, history), gcp_length)
    listed = [x for e in events for x in builder.events_for(e)] + [builder.status_event(h) for h in history]
    listed.sort(key=lambda x: x["eventTime"])
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": utcnow()
        .replace(tzinfo=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "epcisBody": {"eventList": listed},
    }


def epc_uris(doc: dict[str, Any]) -> Iterator[str]:
    """Every EPC class and location URI in a document, for checking."""
    for event in doc["epcisBody"]["eventList"]:
        for key in ("quantityList", "inputQuantityList", "outputQuantityList"):
            for q in event.get(key, []):
                yield q["epcClass"]
        for key in ("readPoint", "bizLocation"):
            if key in event:
                yield event[key]["id"]
