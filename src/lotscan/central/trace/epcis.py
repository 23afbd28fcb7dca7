"""EPCIS 2.0 JSON-LD export of central's event log, lot-level (LGTIN classes with quantities).

  stock.received     ObjectEvent OBSERVE, bizStep receiving, disposition in_progress; source =
                     the supplier (owning_party PGLN, location SGLN), destination = us; business
                     transaction = the ASN (desadv, issued by the supplier) or PO (issued by us)
  stock.shipped      ObjectEvent OBSERVE, bizStep shipping, disposition in_transit; source = us,
                     destination = the customer; business transaction = the shipment (bol);
                     the lot's FSMA 204 TLC source passed on (fsma:tlcSource...; 21 CFR 1.1340(b))
  lot.produced       without inputs: ObjectEvent ADD, bizStep commissioning, with its ilmd
                     with inputs: TransformationEvent, bizStep commissioning, ilmd on the event
  split/merge/relabel TransformationEvent, bizStep repackaging, ilmd on the event
  status changes     ObjectEvent OBSERVE: hold, quarantine, rejected -> bizStep holding,
                     disposition non_sellable_other, persistentDisposition set; recalled ->
                     holding / recalled, set; released -> inspecting / active, the previous
                     persistent disposition unset
A lot is created once: by the TransformationEvent or ADD event that made it, whose ilmd carries
cbvmda:lotNumber (one new lot) and cbvmda:itemExpirationDate (when every new lot shares it).
eventTime is UTC; eventTimeZoneOffset is the site's offset at that instant; eventID is the EPCIS
event hash (event_hash.py). Items without a GTIN, and places and parties without a GLN, keep
urn:lotscan:... identifiers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, column, select, text

from lotscan.central.changelog import utcnow
from lotscan.central.schema import lot_status_history, stations
from lotscan.central.trace import identifiers as ids
from lotscan.central.trace import records
from lotscan.central.trace.event_hash import event_hash
from lotscan.central.trace.genealogy import among
from lotscan.central.trace.identifiers import CompanyPrefixes
from lotscan.central.trace.parties import Directory, offset
from lotscan.central.trace.records import (
    RECORD_PAYLOADS,
    Filter,
    LeftOut,
    RecordPayload,
    StoredEvent,
    read_payload,
)
from lotscan.domain.events import LotMerged, LotProduced, LotRelabelled, LotSplit, StockReceived, StockShipped
from lotscan.domain.parties import PartyInfo
from lotscan.store.schema import Item, Lot, Task

__all__ = ["EVENT_TYPES", "CompanyPrefixes", "Export", "Filter", "LeftOut", "document", "epc_uris", "export"]

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
FSMA_NAMESPACE = "https://lotscan.dev/ns/fsma204/"
NAMESPACES = {"fsma": FSMA_NAMESPACE}
EVENT_TYPES = records.RECORD_TYPES
UOM = {"KG": "KGM", "G": "GRM", "L": "LTR", "ML": "MLT", "EA": "H87", "PCS": "H87", "M": "MTR"}
DISPOSITIONS = {
    "hold": "non_sellable_other",
    "quarantine": "non_sellable_other",
    "rejected": "non_sellable_other",
    "recalled": "recalled",
    "released": "active",
}
BUSINESS_TRANSACTIONS = {"asn": "desadv", "po": "po", "work_order": "prodorder", "shipment": "bol"}
ISSUED_BY_PARTNER = ("asn",)  # a despatch advice is the supplier's document; the rest are ours


@dataclass
class _Master:
    items: dict[str, Any]
    tasks: dict[str, Any]
    lots: dict[tuple[str, str], Any]
    origins: dict[tuple[str, str], str | None]
    station_sites: dict[str, str]


class Builder:
    def __init__(self, master: _Master, directory: Directory, prefixes: CompanyPrefixes):
        self.m = master
        self.d = directory
        self.prefixes = prefixes
        self._classes: dict[tuple[str | None, str], str] = {}
        self._places: dict[str, dict[str, str]] = {}

    def lot_class(self, item: str | None, lot: str) -> str:
        known = self._classes.get((item, lot))
        if known is None:
            row = self.m.items.get(item) if item is not None else None
            if row is not None and row.gtin:
                known = ids.lgtin(row.gtin, lot, self.prefixes)
            else:
                known = ids.private("class", item or "", lot)
            self._classes[(item, lot)] = known
        return known

    def quantity(self, item: str | None, lot: str, qty: Any, unit: str | None = None) -> dict[str, Any]:
        element: dict[str, Any] = {"epcClass": self.lot_class(item, lot)}
        if qty is not None:
            element["quantity"] = float(qty)
            row = self.m.items.get(item) if item is not None else None
            code = (unit or (row.unit if row else "") or "").upper()
            if code:
                element["uom"] = UOM.get(code, code if 2 <= len(code) <= 3 and code.isalnum() else "H87")
        return element

    def place(self, code: str | None) -> dict[str, str] | None:
        """Our location: its GLN, else its site's GLN with the location code as SGLN extension
        (a new dict each call: events own theirs)."""
        if not code:
            return None
        known = self._places.get(code)
        if known is None:
            known = self._places[code] = self._place(code)
        return dict(known)

    def _place(self, code: str) -> dict[str, str]:
        place = self.d.places.get(code)
        if place is not None and place.gln:
            return {"id": ids.sgln(place.gln, self.prefixes)}
        if place is not None and place.site_gln:
            try:
                return {"id": ids.sgln(place.site_gln, self.prefixes, code)}
            except ids.IdentifierError:
                pass  # a code outside the extension's character set
        return {"id": ids.private("location", code)}

    def party(self, party: PartyInfo | None) -> str | None:
        if party is None:
            return None
        return ids.pgln(party.gln, self.prefixes) if party.gln else ids.private("party", party.code)

    def party_location(self, party: PartyInfo | None) -> str | None:
        if party is None:
            return None
        return ids.sgln(party.gln, self.prefixes) if party.gln else ids.private("location", party.code)

    def base(self, kind: str, at: datetime, location: str | None, site: str | None) -> dict[str, Any]:
        event: dict[str, Any] = {
            "type": kind,
            "eventTime": at.replace(tzinfo=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "eventTimeZoneOffset": offset(at, self.d.time_zone(location, site)),
        }
        place = self.place(location)
        if place:
            event["readPoint"] = place
            event["bizLocation"] = place
        return event

    def transactions(self, task_code: str | None, partner: PartyInfo | None, ours: PartyInfo | None) -> list:
        """CBV business transaction ids: urn:epcglobal:cbv:bt:<issuer's GLN>:<document number>."""
        if not task_code:
            return []
        task = self.m.tasks.get(task_code)
        kind = task.kind if task is not None else None
        issuer = partner if kind in ISSUED_BY_PARTNER else ours
        if issuer is not None and issuer.gln:
            identifier = ids.business_transaction(issuer.gln, task_code)
        else:
            identifier = ids.private("document", task_code)
        entry = {"type": BUSINESS_TRANSACTIONS.get(kind or "", "desadv"), "bizTransaction": identifier}
        if kind not in BUSINESS_TRANSACTIONS:
            entry.pop("type")
        return [entry]

    def parties(self, key: str, field_name: str, party: PartyInfo | None, location: str | None) -> list:
        owner = self.party(party)
        entries = [{"type": "owning_party", field_name: owner}] if owner else []
        if location:
            entries.append({"type": "location", field_name: location})
        return entries

    def ilmd(self, item: str, expiry: date | None, lots: list[str]) -> dict[str, Any]:
        ilmd: dict[str, Any] = {}
        if len(lots) == 1:
            ilmd["cbvmda:lotNumber"] = lots[0]
        expiries = {_iso(expiry) or _iso(self._expiry(item, lot)) for lot in lots}
        if len(expiries) == 1 and (found := expiries.pop()):
            ilmd["cbvmda:itemExpirationDate"] = found
        return ilmd

    def _expiry(self, item: str | None, lot: str) -> Any:
        row = self.m.lots.get((item or "", lot))
        return row.expiry if row is not None else None

    def events_for(self, e: Any, p: RecordPayload) -> list[dict[str, Any]]:
        at = records.occurred(e)
        if isinstance(p, StockReceived | StockShipped):
            return [self._movement(e, p, at)]
        outputs, inputs = _transformation(p)
        lots = [lot for lot, _qty in outputs]
        unit = p.unit if isinstance(p, LotProduced) else None
        if not inputs:
            event = self.base("ObjectEvent", at, p.location, e.site)
            event.update(
                action="ADD",
                bizStep="commissioning",
                disposition="active",
                quantityList=[self.quantity(p.item, lot, qty, unit) for lot, qty in outputs],
            )
        else:
            event = self.base("TransformationEvent", at, p.location, e.site)
            event.update(
                inputQuantityList=[self.quantity(i_item, lot, qty) for i_item, lot, qty in inputs],
                outputQuantityList=[self.quantity(p.item, lot, qty, unit) for lot, qty in outputs],
                bizStep="commissioning" if isinstance(p, LotProduced) else "repackaging",
                disposition="active",
            )
        ours = self.d.site_party(p.location)
        if transactions := self.transactions(p.task or e.task_code, None, ours):
            event["bizTransactionList"] = transactions
        expiry = p.expiry if isinstance(p, LotProduced) else None
        if ilmd := self.ilmd(p.item, expiry, lots):
            event["ilmd"] = ilmd
        return [event]

    def _movement(self, e: Any, p: StockReceived | StockShipped, at: datetime) -> dict[str, Any]:
        receiving = isinstance(p, StockReceived)
        task = self.m.tasks.get(p.task or e.task_code)
        named = p.supplier if isinstance(p, StockReceived) else p.customer
        partner = self.d.partner(named or (task.partner if task else None))
        ours = self.d.site_party(p.location)
        here = self.place(p.location)
        event = self.base("ObjectEvent", at, p.location, e.site)
        event.update(
            action="OBSERVE",
            bizStep="receiving" if receiving else "shipping",
            disposition="in_progress" if receiving else "in_transit",
            quantityList=[self.quantity(p.item, p.lot, p.qty, p.unit)],
        )
        if transactions := self.transactions(p.task or e.task_code, partner, ours):
            event["bizTransactionList"] = transactions
        them = ("sourceList", "source") if receiving else ("destinationList", "destination")
        us = ("destinationList", "destination") if receiving else ("sourceList", "source")
        if entries := self.parties(*them, partner, self.party_location(partner)):
            event[them[0]] = entries
        if entries := self.parties(*us, ours, here["id"] if here else None):
            event[us[0]] = entries
        if not receiving:
            key = (p.item, p.lot)
            row = self.m.lots.get(key)
            source = self.d.tlc_source(self.m.origins, key, row.supplier if row else None, p.location)
            if source is not None:
                event["fsma:tlcSourceLocation"] = source.description()
                if source.reference():
                    event["fsma:tlcSourceReference"] = source.reference()
        return event

    def status_event(self, h: Any) -> dict[str, Any]:
        at = (
            h.effective_at if isinstance(h.effective_at, datetime) else datetime.fromisoformat(h.effective_at)
        )
        event = self.base("ObjectEvent", at, None, self.m.station_sites.get(h.source or ""))
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


def _transformation(p: RecordPayload) -> tuple[list[tuple[str, Any]], list[tuple[str, str, Any]]]:
    """(new lots with quantities, inputs as (item, lot, qty or None))."""
    if isinstance(p, LotProduced):
        return [(p.lot, p.qty)], [(i.item, i.lot, i.qty) for i in p.inputs]
    if isinstance(p, LotSplit):
        return [(o.lot, o.qty) for o in p.outputs], [(p.item, p.lot, sum(o.qty for o in p.outputs))]
    if isinstance(p, LotMerged):
        return [(p.lot, sum(i.qty for i in p.inputs))], [(p.item, i.lot, i.qty) for i in p.inputs]
    if isinstance(p, LotRelabelled):
        return [(p.new_lot, p.qty)], [(p.item, p.lot, p.qty)]
    return [], []


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _history(conn: Connection, where: Filter) -> list[Any]:
    h = lot_status_history
    query = select(h).order_by(h.c.effective_at, h.c.id)
    if where.lot_table:
        codes = text(f"SELECT o.code FROM {where.lot_table} c JOIN lots o ON o.id = c.lot_id")
        query = query.where(h.c.lot.in_(codes.columns(column("code"))))
    elif where.lots:
        query = query.where(h.c.lot.in_(where.lots))
    if where.start:
        query = query.where(h.c.effective_at >= datetime.combine(where.start, datetime.min.time()))
    if where.end:
        query = query.where(
            h.c.effective_at < datetime.combine(where.end + timedelta(days=1), datetime.min.time())
        )
    return list(conn.execute(query).all())


def _master(conn: Connection, events: list[Any], payloads: list[Any], history: list[Any]) -> _Master:
    read = [p for p in payloads if isinstance(p, RECORD_PAYLOADS)]
    items = {p.item for p in read} | {h.item for h in history}
    items |= {i.item for p in read if isinstance(p, LotProduced) for i in p.inputs}
    lots = {p.lot for p in read} | {p.new_lot for p in read if isinstance(p, LotRelabelled)}
    lots |= {o.lot for p in read if isinstance(p, LotSplit) for o in p.outputs}
    tasks = {p.task for p in read} | {e.task_code for e in events}
    shipped = sorted({p.lot for p in read if isinstance(p, StockShipped)})
    lot_codes = sorted(lots)
    lot_rows = conn.execute(
        select(Item.code, Lot.code, Lot.expiry, Lot.supplier)
        .join(Item, Item.id == Lot.item_id)
        .where(among(conn, Lot.code, lot_codes))
    )
    return _Master(
        {
            r.code: r
            for r in conn.execute(
                select(Item.code, Item.gtin, Item.unit).where(among(conn, Item.code, items - {None}))
            )
        },
        {
            r.code: r
            for r in conn.execute(
                select(Task.code, Task.kind, Task.partner).where(among(conn, Task.code, tasks - {None}))
            )
        },
        {(r[0], r[1]): r for r in lot_rows},
        records.origins(conn, shipped),
        {r.name: r.site for r in conn.execute(select(stations.c.name, stations.c.site))},
    )


@dataclass
class Export:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.left_out


@dataclass
class Prepared:
    """What an export reads from the database; `build` makes the document from it alone (a drill
    builds it in a forked process while it writes the rest)."""

    builder: Builder
    events: list[Any]
    payloads: list[Any]
    history: list[Any]
    prefixes: CompanyPrefixes


def prepare(
    conn: Connection,
    where: Filter,
    prefixes: CompanyPrefixes | None = None,
    read: list[StoredEvent] | None = None,
) -> Prepared:
    """`read`: the events of `where.lot_table`, already read (records.lot_table_events)."""
    prefixes = prefixes or CompanyPrefixes()
    events = records.events(conn, where, read)
    payloads = [read_payload(e) for e in events]
    history = _history(conn, where)
    builder = Builder(_master(conn, events, payloads, history), Directory.load(conn), prefixes)
    return Prepared(builder, events, payloads, history, prefixes)


# What a bad stored value raises while its EPCIS event is built: a lot code or GTIN GS1 can't
# carry (IdentifierError), a date that is no date (ValueError, OverflowError), a value of the wrong
# kind (TypeError). Each leaves that one row out, named, and never the whole export.
_BAD_STORED_VALUE = (ids.IdentifierError, ValueError, OverflowError, TypeError, KeyError)


def build(prepared: Prepared) -> Export:
    builder = prepared.builder
    listed: list[dict[str, Any]] = []
    left_out: list[LeftOut] = []
    for e, p in zip(prepared.events, prepared.payloads, strict=True):
        if p is None and e.type in EVENT_TYPES:
            left_out.append(records.unreadable(e))
        if not isinstance(p, RECORD_PAYLOADS):
            continue
        _add(listed, left_out, records.event_row(e), partial(builder.events_for, e, p))
    for h in prepared.history:
        _add(listed, left_out, _history_row(h), partial(_status_events, builder, h))
    listed.sort(key=lambda x: x["eventTime"])
    doc = {
        "@context": [CONTEXT, NAMESPACES],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": utcnow()
        .replace(tzinfo=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "epcisBody": {"eventList": [_id_first(e) for e in listed]},
    }
    return Export(doc, prepared.prefixes.warnings(), left_out)


def _add(
    listed: list[dict[str, Any]], left_out: list[LeftOut], row: str, make: Callable[[], list[dict[str, Any]]]
) -> None:
    """The row's EPCIS events, each with its eventID, onto `listed`; or the row onto `left_out`."""
    try:
        made = make()
        for event in made:
            event["eventID"] = event_hash(event, NAMESPACES)
    except _BAD_STORED_VALUE as exc:
        left_out.append(LeftOut(row, str(exc) or type(exc).__name__))
        return
    listed.extend(made)


def _status_events(builder: Builder, h: Any) -> list[dict[str, Any]]:
    return [builder.status_event(h)]


def _history_row(h: Any) -> str:
    return f"status change {getattr(h, 'id', '?')} of lot {h.lot!r} to {h.to_status}"


def export(
    conn: Connection,
    where: Filter,
    prefixes: CompanyPrefixes | None = None,
    read: list[StoredEvent] | None = None,
) -> Export:
    """`read`: the events of `where.lot_table`, already read (records.lot_table_events)."""
    return build(prepare(conn, where, prefixes, read))


def document(conn: Connection, where: Filter, prefixes: CompanyPrefixes | None = None) -> dict[str, Any]:
    return export(conn, where, prefixes).document


def _id_first(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": event["type"], "eventID": event["eventID"], **event}


def epc_uris(doc: dict[str, Any]) -> Iterator[str]:
    """Every EPC class, location, party and transaction URI in a document, for checking."""
    for event in doc["epcisBody"]["eventList"]:
        for key in ("quantityList", "inputQuantityList", "outputQuantityList"):
            for q in event.get(key, []):
                yield q["epcClass"]
        for key in ("readPoint", "bizLocation"):
            if key in event:
                yield event[key]["id"]
        for entry in event.get("sourceList", []):
            yield entry["source"]
        for entry in event.get("destinationList", []):
            yield entry["destination"]
