"""A big synthetic genealogy for `lotscan bench trace`, written straight into a central database.

Six lot levels: raw lots received from suppliers (level 0), four intermediate levels, finished
goods (level 5) shipped to customers. Each produced lot consumes two inputs from the level below,
close to it in time, and half of the level-1 lots also take a "common" raw lot (salt, sugar: one
lot used by thousands of batches); those common raw lots are the busy lots the benchmark traces.
Every event is in received_events with a payload like the stations', every edge in lot_links,
and the audit chain is built as push would, so verification has real hashes to check.

Events per lot: level 0: received + moved; levels 1-4: 2.5 consumed + produced + moved;
level 5: the same + 2 shipped; 26.5 events per lot position in total.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Index, insert

from lotscan.central.schema import metadata
from lotscan.central.trace.audit_master_data import record_unrecorded
from lotscan.central.trace.audited import EVENT, EVENT_FIELDS, GENESIS, SEPARATOR, TIME_FORMAT
from lotscan.central.trace.tables import audit_heads

LEVELS = 6
SITES = ("S1", "S2", "S3", "S4")
ITEMS_PER_LEVEL = 20
CUSTOMERS = 50
SUPPLIERS = 20
EVENTS_PER_POSITION = 24.5  # measured: nearby inputs sometimes coincide
WINDOW = 3
COMMON_EVERY = 3000  # one common raw lot per this many raw lots
START = datetime(2026, 1, 1, 6, 0)
DAYS = 360
BATCH = 50_000
US = SEPARATOR
NULL = "\\N"  # COPY's NULL
# The fields _Events.add writes out by hand, in the chain's order: it must follow any change.
assert EVENT_FIELDS[8] == "clock_skew_s" and EVENT_FIELDS[-1] == "outcome_reason" and len(EVENT_FIELDS) == 19


def gtin(body13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Shape:
    events: int
    lot_prefix: str = ""  # e.g. "NVF261128-": 20-character lot codes, as some plants print them

    @property
    def per_level(self) -> int:
        return max(20, int(self.events / EVENTS_PER_POSITION))

    @property
    def common(self) -> list[int]:
        """Positions of the common raw lots, spread over the year."""
        n = max(1, self.per_level // COMMON_EVERY)
        return [int((i + 0.5) * self.per_level / n) for i in range(n)]

    def lot_id(self, level: int, position: int) -> int:
        return level * self.per_level + position + 1

    def lot_code(self, level: int, position: int) -> str:
        return f"{self.lot_prefix}L{level}-{position:07d}"

    def item_code(self, level: int, position: int) -> str:
        return f"I{level}-{position % ITEMS_PER_LEVEL:02d}"

    def site(self, position: int) -> str:
        return SITES[position * len(SITES) // self.per_level]

    def when(self, level: int, position: int) -> datetime:
        return START + timedelta(days=DAYS * position / self.per_level, hours=4 * level)

    def inputs(self, level: int, position: int) -> list[int]:
        """Positions at level-1 that lot (level, position) consumes."""
        n = self.per_level
        offsets = (-1 - (position * 7) % WINDOW, (position * 13) % WINDOW)
        local = sorted({min(n - 1, max(0, position + d)) for d in offsets})
        if level == 1 and position % 2 == 0:
            common = self.common
            nearest = min(common, key=lambda c: abs(c - position))
            if nearest not in local:
                local.append(nearest)
        return local


class Writer:
    """Rows to a table: COPY on PostgreSQL, executemany on SQLite. `add_line` takes a row already
    in COPY text form (PostgreSQL only): the hot loops format their rows once, with no per-value
    conversion."""

    def __init__(self, conn: Connection, table: str, columns: list[str]):
        self.conn, self.table, self.columns = conn, table, columns
        self.rows: list[tuple[Any, ...]] = []
        self.lines: list[str] = []
        self.postgres = conn.dialect.name == "postgresql"

    def add(self, row: tuple[Any, ...]) -> None:
        if self.postgres:
            self.add_line("\t".join(map(_copy_value, row)))
            return
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def add_line(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            raw = self.conn.connection.dbapi_connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy,
            ):
                self.lines.append("")
                copy.write("\n".join(self.lines))
            self.lines = []
        if self.rows:
            marks = ", ".join("?" for _ in self.columns)
            self.conn.exec_driver_sql(
                f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in row) for row in self.rows],
            )
            self.rows = []


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


BULK_TABLES = ("received_events", "lot_links", "lots", "stock", "audit_log")


def _bulk_indexes() -> list[Index]:
    found = []
    for name in BULK_TABLES:
        found += [i for i in metadata.tables[name].indexes]
    return found


def build(engine: Engine, shape: Shape) -> dict[str, Any]:
    """Fill an empty, migrated central database with the genealogy; returns what it made."""
    indexes = _bulk_indexes()
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
        _master(conn, shape)
        _lots(conn, shape)
        counts = _events(conn, shape)
        # Sites, locations, items, tasks and parties as `central import` leaves them: each a
        # recorded decision in the company chain, which `audit verify` judges them by.
        record_unrecorded(conn)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # sorts for the indexes of 10M rows in memory
            conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
        for index in indexes:
            index.create(conn)
    with engine.connect() as conn:
        # Only the tables written here: a bare ANALYZE on PostgreSQL visits every schema of the
        # database and waits behind any other schema's bulk load.
        tables = ", ".join(FILLED)
        statement = f"ANALYZE {tables}" if conn.dialect.name == "postgresql" else "ANALYZE"
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(statement)
    return counts


FILLED = (
    "sites", "locations", "items", "tasks", "parties", "lots", "received_events", "audit_log", "lot_links",
    "stock", "audit_heads", "central_decisions",
)  # fmt: skip


def _master(conn: Connection, shape: Shape) -> None:
    conn.execute(
        insert(metadata.tables["sites"]),
        [{"id": i + 1, "code": s, "name": s, "time_zone": "America/Chicago"} for i, s in enumerate(SITES)],
    )
    locations = []
    for i, site in enumerate(SITES):
        for j, kind in enumerate(("DOCK", "STORE", "LINE", "OUT")):
            locations.append(
                {
                    "id": i * 4 + j + 1,
                    "site_id": i + 1,
                    "code": f"{kind}-{site}",
                    "name": f"{kind} {site}",
                    "gln": gtin(f"952123400{i * 4 + j:03d}"),
                }
            )
    conn.execute(insert(metadata.tables["locations"]), locations)
    items = []
    for level in range(LEVELS):
        for n in range(ITEMS_PER_LEVEL):
            items.append(
                {
                    "id": level * ITEMS_PER_LEVEL + n + 1,
                    "code": f"I{level}-{n:02d}",
                    "gtin": gtin(f"0952123{level}{n:05d}"),
                    "description": f"Level {level} item {n}",
                    "unit": "KG" if level < 5 else "EA",
                }
            )
    conn.execute(insert(metadata.tables["items"]), items)
    tasks = [{"code": f"ASN-{s}", "kind": "asn", "partner": f"Supplier {s}"} for s in SITES]
    tasks += [{"code": f"WO-{s}", "kind": "work_order", "partner": None} for s in SITES]
    tasks += [
        {"code": f"SHP-{c:02d}", "kind": "shipment", "partner": f"Customer {c:02d}"} for c in range(CUSTOMERS)
    ]
    conn.execute(insert(metadata.tables["tasks"]), tasks)
    # Every site, supplier and customer as a party (FSMA 204 location descriptions, EPCIS GLNs).
    names = [(site, "site", site) for site in SITES]
    names += [(f"SUP{n:02d}", "supplier", f"Supplier {n:02d}") for n in range(SUPPLIERS)]
    names += [(f"CUS{n:02d}", "customer", f"Customer {n:02d}") for n in range(CUSTOMERS)]
    parties = [
        {
            "code": code,
            "kind": kind,
            "name": name,
            "street": f"{n + 1} Industrial Way",
            "city": "Springfield",
            "postal_code": f"{62700 + n}",
            "country": "US",
            "phone": f"+1 217 555 {1000 + n}",
            "gln": gtin(f"952123409{n:03d}"),
            "ffrn": f"{11000000000 + n}" if kind == "site" else None,
        }
        for n, (code, kind, name) in enumerate(names)
    ]
    conn.execute(insert(metadata.tables["parties"]), parties)


def _item_id(level: int, position: int) -> int:
    return level * ITEMS_PER_LEVEL + position % ITEMS_PER_LEVEL + 1


def _lots(conn: Connection, shape: Shape) -> None:
    writer = Writer(
        conn,
        "lots",
        [
            "id",
            "item_id",
            "code",
            "status",
            "expiry",
            "production_date",
            "supplier",
            "supplier_lot",
            "received_at",
        ],
    )
    for level in range(LEVELS):
        for p in range(shape.per_level):
            at = shape.when(level, p)
            raw = level == 0
            writer.add(
                (
                    shape.lot_id(level, p),
                    _item_id(level, p),
                    shape.lot_code(level, p),
                    "released",
                    (at + timedelta(days=365)).date().isoformat(),
                    None if raw else at.date().isoformat(),
                    f"Supplier {p % SUPPLIERS:02d}" if raw else None,
                    f"SL{p:07d}" if raw else None,
                    at,
                )
            )
    writer.flush()


EVENT_COLUMNS = [
    "server_seq",
    "id",
    "station",
    "station_seq",
    "site",
    "operator",
    "occurred_at",
    "received_at",
    "type",
    "task_code",
    "lot_code",
    "payload",
    "verdict",
    "reasons",
    "outcome",
]


class _Events:
    def __init__(self, conn: Connection, shape: Shape):
        self.shape = shape
        self.events = Writer(conn, "received_events", EVENT_COLUMNS)
        self.chain = Writer(conn, "audit_log", ["site", "site_seq", "kind", "ref", "prev_hash", "hash"])
        self.links = Writer(
            conn, "lot_links", ["parent_lot_id", "child_lot_id", "qty", "task_code", "event_id"]
        )
        self.server_seq = 0
        self.site_seq = dict.fromkeys(SITES, 0)
        self.heads = dict.fromkeys(SITES, GENESIS)

    def add(self, site: str, at: datetime, kind: str, lot: str, payload: str, task: str | None) -> str:
        """One event and its chain record. The chain hash is `audited.chain_hash` of the row,
        with the canonical text written out here (the same text as `audited.canonical` of the
        event's fields; the bench's audit verification checks every record), and on PostgreSQL
        the COPY lines are formatted here too: at 10M events every conversion counts."""
        self.server_seq += 1
        seq = self.server_seq
        site_seq = self.site_seq[site] = self.site_seq[site] + 1
        event_id = str(uuid.UUID(int=seq))
        station = f"{site}-ST01"
        operator = f"op-{seq % 7}"
        occurred = TIME_FORMAT.format(
            at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond
        )
        received_at = at + timedelta(seconds=30)
        received = TIME_FORMAT.format(
            received_at.year,
            received_at.month,
            received_at.day,
            received_at.hour,
            received_at.minute,
            received_at.second,
            received_at.microsecond,
        )
        # EVENT_FIELDS: clock_skew_s, workflow, raw and outcome_reason are empty
        covered = US.join(
            (
                EVENT, str(seq), event_id, station, str(site_seq), site, operator, occurred, received, "",
                kind, "", task or "", lot, "", payload, "ACCEPTED", "[]", "applied", "",
            )
        )  # fmt: skip
        prev = self.heads[site]
        digest = hashlib.sha256((prev + US + covered).encode("utf-8")).hexdigest()
        self.heads[site] = digest
        if self.events.postgres:
            self.chain.add_line(f"{site}\t{site_seq}\t{EVENT}\t{seq}\t{prev}\t{digest}")
            self.events.add_line(
                f"{seq}\t{event_id}\t{station}\t{site_seq}\t{site}\t{operator}\t{occurred}\t{received}\t"
                f"{kind}\t{task or NULL}\t{lot}\t{payload}\tACCEPTED\t[]\tapplied"
            )
            return event_id
        self.chain.add((site, site_seq, EVENT, seq, prev, digest))
        self.events.add(
            (
                seq, event_id, station, site_seq, site, operator, at, received_at, kind, task, lot, payload,
                "ACCEPTED", "[]", "applied",
            )
        )  # fmt: skip
        return event_id

    def flush(self) -> None:
        for writer in (self.events, self.chain, self.links):
            writer.flush()


def _events(conn: Connection, shape: Shape) -> dict[str, Any]:
    out = _Events(conn, shape)
    n = shape.per_level
    remaining = [[100.0] * n for _ in range(LEVELS)]
    for p in range(n):
        site, at = shape.site(p), shape.when(0, p)
        item, lot = shape.item_code(0, p), shape.lot_code(0, p)
        supplier = f"Supplier {p % SUPPLIERS:02d}"
        out.add(
            site,
            at,
            "stock.received",
            lot,
            f'{{"item": "{item}", "location": "DOCK-{site}", "lot": "{lot}", "qty": 100.0, '
            f'"supplier": "{supplier}", "supplier_lot": "SL{p:07d}", "task": "ASN-{site}", "unit": "KG"}}',
            f"ASN-{site}",
        )
        out.add(
            site,
            at + timedelta(minutes=20),
            "stock.moved",
            lot,
            f'{{"from": "DOCK-{site}", "item": "{item}", "lot": "{lot}", "qty": 100.0, '
            f'"to": "STORE-{site}"}}',
            None,
        )
    for level in range(1, LEVELS):
        unit = "EA" if level == LEVELS - 1 else "KG"
        for p in range(n):
            site, at = shape.site(p), shape.when(level, p)
            item, lot = shape.item_code(level, p), shape.lot_code(level, p)
            inputs = []
            for q in shape.inputs(level, p):
                in_item, in_lot = shape.item_code(level - 1, q), shape.lot_code(level - 1, q)
                out.add(
                    site,
                    at - timedelta(minutes=30),
                    "stock.consumed",
                    in_lot,
                    # taken where the input lot is stored (its own site's store, as _stock writes it)
                    f'{{"item": "{in_item}", "location": "STORE-{shape.site(q)}", "lot": "{in_lot}", '
                    f'"qty": 2.0, "task": "WO-{site}"}}',
                    f"WO-{site}",
                )
                remaining[level - 1][q] -= 2.0
                inputs.append((q, in_item, in_lot))
            listed = ", ".join(f'{{"item": "{i}", "lot": "{lo}", "qty": 2.0}}' for _q, i, lo in inputs)
            expiry = (at + timedelta(days=365)).date().isoformat()
            event_id = out.add(
                site,
                at,
                "lot.produced",
                lot,
                f'{{"expiry": "{expiry}", "inputs": [{listed}], "item": "{item}", '
                f'"location": "LINE-{site}", "lot": "{lot}", "qty": 100.0, "task": "WO-{site}", '
                f'"unit": "{unit}"}}',
                f"WO-{site}",
            )
            for q, _i, _lo in inputs:
                out.links.add(
                    (shape.lot_id(level - 1, q), shape.lot_id(level, p), 2.0, f"WO-{site}", event_id)
                )
            target = "OUT" if level == LEVELS - 1 else "STORE"
            out.add(
                site,
                at + timedelta(minutes=20),
                "stock.moved",
                lot,
                f'{{"from": "LINE-{site}", "item": "{item}", "lot": "{lot}", "qty": 100.0, '
                f'"to": "{target}-{site}"}}',
                None,
            )
            if level == LEVELS - 1:
                for s in range(2):
                    customer = (p * 7 + s * 13) % CUSTOMERS
                    out.add(
                        site,
                        at + timedelta(days=2 + s),
                        "stock.shipped",
                        lot,
                        f'{{"customer": "Customer {customer:02d}", "item": "{item}", '
                        f'"location": "OUT-{site}", "lot": "{lot}", "qty": 10.0, '
                        f'"task": "SHP-{customer:02d}", "unit": "EA"}}',
                        f"SHP-{customer:02d}",
                    )
                    remaining[level][p] -= 10.0
    out.flush()
    _stock(conn, shape, remaining)
    conn.execute(
        insert(audit_heads), [{"site": s, "site_seq": out.site_seq[s], "hash": out.heads[s]} for s in SITES]
    )
    return {
        "events": out.server_seq,
        "lots": n * LEVELS,
        "per_level": n,
        "common_raw_lots": len(shape.common),
    }


def _stock(conn: Connection, shape: Shape, remaining: list[list[float]]) -> None:
    writer = Writer(conn, "stock", ["lot_id", "location_id", "qty", "received_at"])
    for level in range(LEVELS):
        kind = 3 if level == LEVELS - 1 else 1  # OUT or STORE
        for p, qty in enumerate(remaining[level]):
            if abs(qty) > 1e-9:  # over-consumed lots (the common raw lots) go negative, as on central
                site_index = SITES.index(shape.site(p))
                writer.add((shape.lot_id(level, p), site_index * 4 + kind + 1, qty, shape.when(level, p)))
    writer.flush()


def busy_candidates(shape: Shape) -> Iterator[str]:
    for p in shape.common:
        yield shape.lot_code(0, p)
