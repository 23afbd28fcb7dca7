"""FDA FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)): one row per key data
element record, and every required KDE either filled or named in a `Missing KDEs` list.

Event types and where their rows come from:
  Harvesting, Cooling, Initial Packing, First Land-Based Receiving
                  kde_records (imported from farms and vessels, see kde_records.py),
                  `lot.produced` without input lots (Initial Packing of a lot first packed here),
                  and the `origin` of a `stock.received` from a farm (Harvesting and Cooling, as
                  the receiving station recorded them; we are the subsequent recipient);
  Receiving       stock.received: the lot keeps the supplier's traceability lot code (TLC) and
                  TLC source (1.1320(b)); our internal lot code, if the lot has one, is a column
                  of its own; previous source = the supplier;
  Shipping        stock.shipped: recipient = the customer; TLC source = where the lot got its
                  TLC (our production location, or the supplier's TLC source for received lots);
  Transformation  lot.produced with inputs, lot.split, lot.merged, lot.relabelled: one row per
                  (new lot, input lot); TLC source = our location.
Location descriptions read `Name, street, city, postal code, country, phone` from the parties of
central's master data (see parties.py). Event dates are the site's local date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, or_, select

from lotscan.central.trace import records
from lotscan.central.trace.genealogy import among
from lotscan.central.trace.parties import Directory, local
from lotscan.central.trace.records import (
    RECORD_PAYLOADS,
    Filter,
    LeftOut,
    RecordPayload,
    StoredEvent,
    read_payload,
)
from lotscan.central.trace.tables import kde_records
from lotscan.domain.events import (
    LotMerged,
    LotProduced,
    LotRelabelled,
    LotSplit,
    Payload,
    StockReceived,
    StockShipped,
)
from lotscan.domain.events.payloads import Origin
from lotscan.domain.parties import PartyInfo
from lotscan.exports.tabular import Sheet, write_csv, write_csv_file, write_xlsx
from lotscan.store.schema import Item, Lot, Task

__all__ = ["COLUMNS", "MISSING_COLUMNS", "REQUIRED", "Filter", "FsmaExport", "export", "write"]
SHEET = "FSMA 204"
MISSING_SHEET = "Missing KDEs"

TYPE = "Event Type"
TLC = "Traceability Lot Code"
PRODUCT = "Product Description"
QTY = "Quantity"
UOM = "Unit of Measure"
DATE = "Event Date"
LOCATION = "Event Location Description"
PREVIOUS = "Immediate Previous Source Location Description"
RECIPIENT = "Immediate Subsequent Recipient Location Description"
SOURCE = "Traceability Lot Code Source Location Description"
SOURCE_REF = "Traceability Lot Code Source Reference"
DOC_TYPE = "Reference Document Type"
DOC = "Reference Document Number"
INPUT_TLC = "Input Traceability Lot Code"
INPUT_PRODUCT = "Input Product Description"
INPUT_QTY = "Input Quantity"
INPUT_UOM = "Input Unit of Measure"
COMMODITY = "Commodity and Variety"
HARVEST_DATE = "Harvest Date"
FARM = "Farm Location Description"
FIELD = "Field or Container Name"
HARVESTER = "Harvester Business Name and Phone"
COOLING_LOCATION = "Cooling Location Description"
COOLING_DATE = "Cooling Date"
INTERNAL_LOT = "Internal Lot Code"
EVENT_ID = "Event ID"

COLUMNS = [
    TYPE, TLC, PRODUCT, QTY, UOM, DATE, LOCATION, PREVIOUS, RECIPIENT, SOURCE, SOURCE_REF, DOC_TYPE,
    DOC, INPUT_TLC, INPUT_PRODUCT, INPUT_QTY, INPUT_UOM, COMMODITY, HARVEST_DATE, FARM, FIELD,
    HARVESTER, COOLING_LOCATION, COOLING_DATE, INTERNAL_LOT, EVENT_ID,
]  # fmt: skip
MISSING_COLUMNS = ["Row", TYPE, TLC, DATE, "Missing KDE", "Rule", EVENT_ID]
LOCATION_COLUMNS = (LOCATION, PREVIOUS, RECIPIENT, SOURCE, FARM, COOLING_LOCATION)

# The KDEs the rule requires per event type, with the clause. A (a, b) pair is "a or b"
# (1.1340(a)(7), 1.1345(a)(7): the TLC source location description, or the TLC source reference).
Requirement = tuple[str | tuple[str, str], str]
REQUIRED: dict[str, list[Requirement]] = {
    "Harvesting": [
        (RECIPIENT, "1.1325(a)(1)(i)"), (COMMODITY, "1.1325(a)(1)(ii)"), (QTY, "1.1325(a)(1)(iii)"),
        (UOM, "1.1325(a)(1)(iii)"), (FARM, "1.1325(a)(1)(iv)"), (FIELD, "1.1325(a)(1)(v)"),
        (HARVEST_DATE, "1.1325(a)(1)(vii)"), (DOC_TYPE, "1.1325(a)(1)(viii)"), (DOC, "1.1325(a)(1)(viii)"),
    ],
    "Cooling": [
        (RECIPIENT, "1.1325(b)(1)(i)"), (COMMODITY, "1.1325(b)(1)(ii)"), (QTY, "1.1325(b)(1)(iii)"),
        (UOM, "1.1325(b)(1)(iii)"), (COOLING_LOCATION, "1.1325(b)(1)(iv)"), (COOLING_DATE, "1.1325(b)(1)(v)"),
        (FARM, "1.1325(b)(1)(vi)"), (DOC_TYPE, "1.1325(b)(1)(vii)"), (DOC, "1.1325(b)(1)(vii)"),
    ],
    "Initial Packing": [
        (COMMODITY, "1.1330(a)(1)"), (PREVIOUS, "1.1330(a)(4)"), (FARM, "1.1330(a)(5)"),
        (FIELD, "1.1330(a)(6)"), (HARVESTER, "1.1330(a)(8)"), (HARVEST_DATE, "1.1330(a)(9)"),
        (TLC, "1.1330(a)(12)"), (PRODUCT, "1.1330(a)(13)"), (QTY, "1.1330(a)(14)"),
        (UOM, "1.1330(a)(14)"), (SOURCE, "1.1330(a)(15)"), (DATE, "1.1330(a)(16)"),
        (DOC_TYPE, "1.1330(a)(17)"), (DOC, "1.1330(a)(17)"),
    ],
    "First Land-Based Receiving": [
        (TLC, "1.1335(a)"), (PRODUCT, "1.1335(b)"), (QTY, "1.1335(c)"), (UOM, "1.1335(c)"),
        (HARVEST_DATE, "1.1335(d)"), (FARM, "1.1335(d)"), (SOURCE, "1.1335(e)"), (DATE, "1.1335(f)"),
        (DOC_TYPE, "1.1335(g)"), (DOC, "1.1335(g)"),
    ],
    "Shipping": [
        (TLC, "1.1340(a)(1)"), (QTY, "1.1340(a)(2)"), (UOM, "1.1340(a)(2)"), (PRODUCT, "1.1340(a)(3)"),
        (RECIPIENT, "1.1340(a)(4)"), (LOCATION, "1.1340(a)(5)"), (DATE, "1.1340(a)(6)"),
        ((SOURCE, SOURCE_REF), "1.1340(a)(7)"), (DOC_TYPE, "1.1340(a)(8)"), (DOC, "1.1340(a)(8)"),
    ],
    "Receiving": [
        (TLC, "1.1345(a)(1)"), (QTY, "1.1345(a)(2)"), (UOM, "1.1345(a)(2)"), (PRODUCT, "1.1345(a)(3)"),
        (PREVIOUS, "1.1345(a)(4)"), (LOCATION, "1.1345(a)(5)"), (DATE, "1.1345(a)(6)"),
        ((SOURCE, SOURCE_REF), "1.1345(a)(7)"), (DOC_TYPE, "1.1345(a)(8)"), (DOC, "1.1345(a)(8)"),
    ],
    "Transformation": [
        (INPUT_TLC, "1.1350(a)(1)(i)"), (INPUT_PRODUCT, "1.1350(a)(1)(ii)"), (INPUT_QTY, "1.1350(a)(1)(iii)"),
        (INPUT_UOM, "1.1350(a)(1)(iii)"), (TLC, "1.1350(a)(2)(i)"), (SOURCE, "1.1350(a)(2)(ii)"),
        (DATE, "1.1350(a)(2)(iii)"), (PRODUCT, "1.1350(a)(2)(iv)"), (QTY, "1.1350(a)(2)(v)"),
        (UOM, "1.1350(a)(2)(v)"), (DOC_TYPE, "1.1350(a)(2)(vi)"), (DOC, "1.1350(a)(2)(vi)"),
    ],
}  # fmt: skip
KDE_RECORD_TYPES = {
    "harvesting": "Harvesting",
    "cooling": "Cooling",
    "initial_packing": "Initial Packing",
    "first_land_based_receiving": "First Land-Based Receiving",
}
DOCUMENT_TYPES = {
    "asn": "Advance Ship Notice",
    "po": "Purchase Order",
    "work_order": "Production Record",
    "shipment": "Bill of Lading",
    "pick_list": "Pick List",
}

Record = dict[str, Any]


@dataclass
class FsmaExport:
    """Rows stream; `missing` and `left_out` fill as they do (read them after the rows).
    `left_out`: stored events whose payload could not be read (see records.LeftOut), named
    instead of dropped silently, as the EPCIS export does."""

    rows: Iterator[list[Any]]
    missing: list[list[Any]] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.left_out


def export(conn: Connection, where: Filter, read: list[StoredEvent] | None = None) -> FsmaExport:
    """`read`: the events of `where.lot_table`, already read (records.lot_table_events)."""
    result = FsmaExport(iter(()))
    result.rows = _rows(conn, _with_supplier_tlcs(conn, where), result, read)
    return result


def write(
    conn: Connection,
    where: Filter,
    out: Path | IO[Any],
    fmt: str,
    read: list[StoredEvent] | None = None,
) -> tuple[int, FsmaExport]:
    """The spreadsheet as XLSX (sheets `FSMA 204` and `Missing KDEs`) or CSV (the records, and
    `<name>-missing-kdes.csv` next to a CSV file). Returns (records written, the export: its
    Missing KDEs rows and the stored rows it left out)."""
    result = export(conn, where, read)
    if fmt == "xlsx":
        counts = write_xlsx(
            out,
            [Sheet(SHEET, COLUMNS, result.rows), Sheet(MISSING_SHEET, MISSING_COLUMNS, iter_missing(result))],
        )
        return counts[SHEET], result
    if isinstance(out, Path):
        count = write_csv_file(out, COLUMNS, result.rows)
        write_csv_file(missing_csv_path(out), MISSING_COLUMNS, result.missing)
    else:
        count = write_csv(out, COLUMNS, result.rows)
    return count, result


def missing_csv_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-missing-kdes.csv")


def iter_missing(result: FsmaExport) -> Iterator[list[Any]]:
    """The Missing KDEs rows, read only once the records have been written."""
    yield from result.missing


def _with_supplier_tlcs(conn: Connection, where: Filter) -> Filter:
    """A TLC asked for may be a supplier's code that we hold under an internal lot code, and an
    internal code asked for stands for the supplier's TLC: select by both."""
    if not where.lots or where.lot_table:
        return where
    query = select(Lot.code, Lot.supplier_lot).where(
        or_(Lot.supplier_lot.in_(where.lots), Lot.code.in_(where.lots))
    )
    codes = set(where.lots)
    for code, supplier_lot in conn.execute(query):
        codes |= {c for c in (code, supplier_lot) if c is not None}
    return Filter(tuple(sorted(codes)), where.start, where.end)


def _rows(
    conn: Connection, where: Filter, result: FsmaExport, read: list[StoredEvent] | None
) -> Iterator[list[Any]]:
    directory = Directory.load(conn)
    sources = [] if where.tasks else [_kde_record_rows(conn, where, directory)]
    sources.append(
        row
        for batch in records.event_batches(conn, where, read)
        for row in _event_records(conn, batch, directory, result.left_out)
    )
    wanted = records.lot_codes(conn, where.lot_table) if where.lot_table else set(where.lots)
    return _numbered(sources, wanted, result.missing)


def _numbered(
    sources: list[Iterator[Record]], wanted: set[str], missing: list[list[Any]]
) -> Iterator[list[Any]]:
    """The spreadsheet rows of the records wanted, numbered as in the sheet; fills `missing`."""
    number = 0
    for source in sources:
        for record in source:
            if wanted and not wanted & {record.get(TLC), record.get(INPUT_TLC), record.get(INTERNAL_LOT)}:
                continue  # another input of a transformation the lot went into
            number += 1
            for kde, clause in _missing(record):
                missing.append([number + 1, record[TYPE], record.get(TLC), record.get(DATE), kde, clause,
                                record.get(EVENT_ID)])  # fmt: skip
            yield [record.get(c) for c in COLUMNS]


@dataclass
class Prepared:
    """Everything a drill's spreadsheet reads from the database, read up front (`prepare`), so
    `write_prepared` needs no connection: a drill writes the spreadsheet in a forked process."""

    kde: list[Record]
    events: list[StoredEvent]
    payloads: list[Payload | None]
    look: _Batch
    directory: Directory
    wanted: set[str]


def prepare(conn: Connection, where: Filter, read: list[StoredEvent]) -> Prepared:
    """`read`: the events of `where.lot_table` (records.lot_table_events)."""
    directory = Directory.load(conn)
    kde = [] if where.tasks else list(_kde_record_rows(conn, where, directory))
    events = records.record_events(read, where)
    payloads = [read_payload(e) for e in events]
    look = _Batch({}, {}, {}, {})
    step = records.BATCH  # bounded IN lists on SQLite
    for start in range(0, len(events), step):
        part = _batch_lookups(conn, events[start : start + step], payloads[start : start + step])
        look.items.update(part.items)
        look.tasks.update(part.tasks)
        look.lots.update(part.lots)
        look.origins.update(part.origins)
    wanted = records.lot_codes(conn, where.lot_table) if where.lot_table else set(where.lots)
    return Prepared(kde, events, payloads, look, directory, wanted)


def write_prepared(prepared: Prepared, out: Path) -> tuple[int, list[list[Any]]]:
    """The XLSX of `fsma.write` from prepared data: (records, the Missing KDEs rows)."""
    p = prepared
    made = (
        record
        for event, payload in zip(p.events, p.payloads, strict=True)
        if isinstance(payload, RECORD_PAYLOADS)
        for record in _records_of(event, payload, p.look, p.directory)
    )
    result = FsmaExport(iter(()))
    result.rows = _numbered([iter(p.kde), made], p.wanted, result.missing)
    counts = write_xlsx(
        out, [Sheet(SHEET, COLUMNS, result.rows), Sheet(MISSING_SHEET, MISSING_COLUMNS, iter_missing(result))]
    )
    return counts[SHEET], result.missing


def _missing(record: Record) -> Iterator[tuple[str, str]]:
    for options, clause, locations in _CHECKS[record[TYPE]]:
        if not any(record.get(o) not in (None, "") for o in options):
            yield " or ".join(options), clause
            continue
        if len(options) > 1 and record.get(options[1]) not in (None, ""):
            continue  # the TLC source reference stands in for the description
        for column in locations:
            gaps = record.get(f"{column}/gaps")
            if gaps:
                who = record[column].split(",")[0]
                yield f"{column}: no {' or '.join(gaps)} for {who!r}", clause


# REQUIRED, prepared once: (columns any of which will do, "21 CFR clause", location columns).
_CHECKS = {
    kind: [
        (
            (wanted if isinstance(wanted, tuple) else (wanted,)),
            f"21 CFR {clause}",
            tuple(c for c in (wanted if isinstance(wanted, tuple) else (wanted,)) if c in LOCATION_COLUMNS),
        )
        for wanted, clause in rules
    ]
    for kind, rules in REQUIRED.items()
}


def _filled(value: Any) -> bool:
    return value is not None and value != ""


def _place(record: Record, column: str, party: PartyInfo | None) -> None:
    if party is None:
        return
    record[column] = party.description()
    if party.missing():
        record[f"{column}/gaps"] = party.missing()


def _reference(party: PartyInfo | None) -> str | None:
    return party.reference() if party else None


# --------------------------------------------------------------------------- farms and vessels


def _kde_record_rows(conn: Connection, where: Filter, directory: Directory) -> Iterator[Record]:
    k = kde_records
    query = select(k).order_by(k.c.event_date, k.c.id)
    if where.lots and not where.lot_table:  # a lot table: the caller keeps the records it wants
        query = query.where(k.c.tlc.in_(where.lots))
    if where.start:
        query = query.where(k.c.event_date >= where.start)
    if where.end:
        query = query.where(k.c.event_date <= where.end)
    for r in conn.execute(query):
        record: Record = {
            TYPE: KDE_RECORD_TYPES[r.cte],
            TLC: r.tlc,
            PRODUCT: r.product,
            QTY: r.qty,
            UOM: r.unit,
            DATE: _iso(r.event_date),
            SOURCE_REF: r.tlc_source_reference,
            DOC_TYPE: r.doc_type,
            DOC: r.doc_number,
            COMMODITY: r.commodity_variety,
            HARVEST_DATE: r.harvest_date,
            FIELD: r.field_name,
            COOLING_DATE: _iso(r.cooling_date),
            EVENT_ID: f"kde_records/{r.id}",
        }
        harvester = directory.party(r.harvester)
        record[HARVESTER] = harvester.name_and_phone() if harvester else r.harvester
        for column, name in (
            (LOCATION, r.location),
            (PREVIOUS, r.previous_source),
            (RECIPIENT, r.recipient),
            (SOURCE, r.tlc_source),
            (FARM, r.farm),
            (COOLING_LOCATION, r.cooling_location),
        ):
            _place(record, column, directory.partner(name))
        if r.cte == "first_land_based_receiving":
            # 1.1335(d): the harvest locations of the trip (an ocean area), not a farm's address
            record[FARM] = r.farm
            record.pop(f"{FARM}/gaps", None)
        if record[SOURCE_REF] is None:
            record[SOURCE_REF] = _reference(directory.party(r.tlc_source))
        yield record


# --------------------------------------------------------------------------- our events


@dataclass
class _Batch:
    items: dict[str, Any]
    tasks: dict[str, Any]
    lots: dict[tuple[str, str], Any]
    origins: dict[tuple[str, str], str | None]  # (item, lot) -> location code where it got its TLC


def _batch_lookups(conn: Connection, events: list[Any], payloads: list[Payload | None]) -> _Batch:
    read = [p for p in payloads if p is not None]
    items = {p.item for p in read if isinstance(p, RECORD_PAYLOADS)}
    items |= {i.item for p in read if isinstance(p, LotProduced) for i in p.inputs}
    lots = {p.lot for p in read if isinstance(p, RECORD_PAYLOADS)}
    lots |= {p.new_lot for p in read if isinstance(p, LotRelabelled)}
    lots |= {i.lot for p in read if isinstance(p, LotProduced | LotMerged) for i in p.inputs}
    lots |= {o.lot for p in read if isinstance(p, LotSplit) for o in p.outputs}
    tasks = {p.task for p in read if isinstance(p, RECORD_PAYLOADS)} | {e.task_code for e in events}
    item_rows = conn.execute(
        select(Item.code, Item.description, Item.unit).where(among(conn, Item.code, [i for i in items if i]))
    )
    task_rows = conn.execute(
        select(Task.code, Task.kind, Task.partner).where(among(conn, Task.code, [t for t in tasks if t]))
    )
    lot_rows = conn.execute(
        select(Item.code, Lot.code, Lot.supplier, Lot.supplier_lot)
        .join(Item, Item.id == Lot.item_id)
        .where(among(conn, Lot.code, sorted(lots)))
    )
    shipped = sorted({p.lot for p in read if isinstance(p, StockShipped)})
    return _Batch(
        {r.code: r for r in item_rows},
        {r.code: r for r in task_rows},
        {(r[0], r[1]): r for r in lot_rows},
        records.origins(conn, shipped),
    )


def _event_records(
    conn: Connection, events: list[Any], directory: Directory, left_out: list[LeftOut]
) -> Iterator[Record]:
    payloads = [read_payload(e) for e in events]
    look = _batch_lookups(conn, events, payloads)
    for event, p in zip(events, payloads, strict=True):
        if p is None:
            left_out.append(records.unreadable(event))  # every event here is of a record type
        elif isinstance(p, RECORD_PAYLOADS):
            yield from _records_of(event, p, look, directory)


def _records_of(event: Any, p: RecordPayload, look: _Batch, directory: Directory) -> Iterator[Record]:
    item = look.items.get(p.item)
    task = look.tasks.get(p.task or event.task_code)
    at = local(records.occurred(event), directory.time_zone(p.location, event.site))
    unit = getattr(p, "unit", None)
    base: Record = {
        PRODUCT: item.description if item else None,
        UOM: unit or (item.unit if item else None),
        DATE: at.date().isoformat(),
        DOC_TYPE: (DOCUMENT_TYPES.get(task.kind, task.kind) if task else None),
        DOC: p.task or event.task_code,
        EVENT_ID: event.id,
    }
    _place(base, LOCATION, directory.location(p.location))
    if isinstance(p, StockReceived):
        receiving = _receiving(base, p, look, task, directory)
        if p.origin is not None:
            yield from _harvest_and_cooling(receiving, p.origin, directory)
        yield receiving
    elif isinstance(p, StockShipped):
        yield _shipping(base, p, look, task, directory)
    elif isinstance(p, LotProduced) and not p.inputs:
        yield _initial_packing(base, p, directory)
    else:
        yield from _transformation(base, p, look, directory)


def _tlc(look: _Batch, item: str | None, lot: str) -> tuple[str, str | None]:
    """(traceability lot code, our internal lot code when it differs): a lot received under the
    supplier's code keeps that code as its TLC (21 CFR 1.1320(b))."""
    row = look.lots.get((item or "", lot))
    if row is not None and row.supplier_lot and row.supplier_lot != lot:
        return row.supplier_lot, lot
    return lot, None


def _receiving(base: Record, p: StockReceived, look: _Batch, task: Any, directory: Directory) -> Record:
    lot_row = look.lots.get((p.item, p.lot))
    tlc, internal = _tlc(look, p.item, p.lot)
    if p.supplier_lot and p.supplier_lot != p.lot:
        tlc, internal = p.supplier_lot, p.lot
    supplier = directory.partner(
        p.supplier or (lot_row.supplier if lot_row else None) or (task.partner if task else None)
    )
    source = directory.partner(p.tlc_source) or supplier
    record = {**base, TYPE: "Receiving", TLC: tlc, INTERNAL_LOT: internal, QTY: p.qty}
    _place(record, PREVIOUS, supplier)
    _place(record, SOURCE, source)
    record[SOURCE_REF] = p.tlc_source_reference or _reference(source)
    return record


def _harvest_and_cooling(receiving: Record, origin: Origin, directory: Directory) -> Iterator[Record]:
    """The farm's harvesting and cooling records (1.1325) of a raw agricultural commodity, as the
    receiving station recorded them: we are the immediate subsequent recipient, the quantity and
    reference document are the receipt's. Cooling only when the farm says it was cooled."""
    common: Record = {
        key: receiving.get(key) for key in (TLC, PRODUCT, QTY, UOM, DOC_TYPE, DOC, INTERNAL_LOT, EVENT_ID)
    }
    common[COMMODITY] = origin.commodity_variety
    if LOCATION in receiving:
        common[RECIPIENT] = receiving[LOCATION]
        if f"{LOCATION}/gaps" in receiving:
            common[f"{RECIPIENT}/gaps"] = receiving[f"{LOCATION}/gaps"]
    _place(common, FARM, directory.partner(origin.farm))
    harvester = directory.partner(origin.harvester)
    harvesting = {
        **common,
        TYPE: "Harvesting",
        DATE: origin.harvest_date,
        HARVEST_DATE: origin.harvest_date,
        FIELD: origin.field_name,
        HARVESTER: harvester.name_and_phone() if harvester else origin.harvester,
    }
    _place(harvesting, LOCATION, directory.partner(origin.farm))
    yield harvesting
    if origin.cooling_date or origin.cooling_location:
        cooling = {**common, TYPE: "Cooling", DATE: origin.cooling_date, COOLING_DATE: origin.cooling_date}
        _place(cooling, COOLING_LOCATION, directory.partner(origin.cooling_location))
        _place(cooling, LOCATION, directory.partner(origin.cooling_location))
        yield cooling


def _shipping(base: Record, p: StockShipped, look: _Batch, task: Any, directory: Directory) -> Record:
    tlc, internal = _tlc(look, p.item, p.lot)
    record = {**base, TYPE: "Shipping", TLC: tlc, INTERNAL_LOT: internal, QTY: p.qty}
    _place(record, RECIPIENT, directory.partner(p.customer or (task.partner if task else None)))
    key = (p.item, p.lot)
    lot_row = look.lots.get(key)
    source = directory.tlc_source(look.origins, key, lot_row.supplier if lot_row else None, p.location)
    _place(record, SOURCE, source)
    record[SOURCE_REF] = _reference(source)
    return record


def _initial_packing(base: Record, p: LotProduced, directory: Directory) -> Record:
    origin = p.origin or Origin()
    record = {
        **base,
        TYPE: "Initial Packing",
        TLC: p.lot,
        QTY: p.qty,
        COMMODITY: origin.commodity_variety,
        FIELD: origin.field_name,
        HARVEST_DATE: origin.harvest_date,
        COOLING_DATE: origin.cooling_date,
    }
    harvester = directory.partner(origin.harvester)
    record[HARVESTER] = harvester.name_and_phone() if harvester else None
    _place(record, PREVIOUS, directory.partner(origin.previous_source or origin.farm))
    _place(record, FARM, directory.partner(origin.farm))
    _place(record, COOLING_LOCATION, directory.partner(origin.cooling_location))
    here = directory.location(p.location)
    _place(record, SOURCE, here)
    record[SOURCE_REF] = _reference(here)
    return record


def _transformation(base: Record, p: RecordPayload, look: _Batch, directory: Directory) -> Iterator[Record]:
    here = directory.location(p.location)
    base = {**base, TYPE: "Transformation", SOURCE_REF: _reference(here)}
    _place(base, SOURCE, here)
    for (new_lot, qty), (input_item, input_lot, input_qty) in _pairs(p):
        tlc, _internal = _tlc(look, input_item, input_lot)
        source_item = look.items.get(input_item)
        yield {
            **base,
            TLC: new_lot,
            QTY: qty,
            INPUT_TLC: tlc,
            INPUT_PRODUCT: source_item.description if source_item else None,
            INPUT_QTY: input_qty,
            INPUT_UOM: source_item.unit if source_item else None,
        }


Pair = tuple[tuple[str, float | None], tuple[str, str, float | None]]


def _pairs(p: RecordPayload) -> list[Pair]:
    """(new lot, its quantity) x (input item, input lot, quantity used), one per row."""
    if isinstance(p, LotProduced):
        return [((p.lot, p.qty), (i.item, i.lot, i.qty)) for i in p.inputs]
    if isinstance(p, LotSplit):
        return [((o.lot, o.qty), (p.item, p.lot, o.qty)) for o in p.outputs]
    if isinstance(p, LotMerged):
        total = sum(i.qty for i in p.inputs)
        return [((p.lot, total), (p.item, i.lot, i.qty)) for i in p.inputs]
    if isinstance(p, LotRelabelled):
        return [((p.new_lot, p.qty), (p.item, p.lot, p.qty))]
    return []


def _qty(value: Any) -> float | None:
    return None if value is None else float(value)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]
