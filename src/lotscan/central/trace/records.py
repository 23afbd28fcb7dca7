"""The one query both record exports (FSMA 204, EPCIS) read central's event log with: the event
types that are traceability records, and the selection by lot code and/or event day.

By lot code: the lot's own events and the transformations it went into or came out of, each
found through an index (type+lot_code; lot_links by parent and by child); by dates: a range
scan on occurred_at. Only events central applied (or applied and flagged) count: rejected and
failed ones never changed any stock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, text

from lotscan.central.trace.genealogy import bind_list, in_list
from lotscan.domain.events import (
    LotMerged,
    LotProduced,
    LotRelabelled,
    LotSplit,
    Payload,
    StockReceived,
    StockShipped,
    UnknownEventType,
    payload_class,
)
from lotscan.protocol import APPLIED, FLAGGED

COUNTED = (APPLIED, FLAGGED)
# Their payloads in the event vocabulary: each names an item, a lot, a location and a task.
RECORD_PAYLOADS = (StockReceived, StockShipped, LotProduced, LotSplit, LotMerged, LotRelabelled)
RECORD_TYPES = tuple(model.type.value for model in RECORD_PAYLOADS)
RecordPayload = StockReceived | StockShipped | LotProduced | LotSplit | LotMerged | LotRelabelled
BATCH = 5_000


@dataclass(frozen=True)
class Filter:
    lots: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None  # inclusive
    # A temporary table of lot ids (lot_id column), e.g. a trace closure: its lots, however many.
    lot_table: str | None = None
    # Documents (task codes): the shipment export passes a shipment's records to its recipient.
    tasks: tuple[str, ...] = ()

    def day_bounds(self) -> dict[str, datetime]:
        bounds = {}
        if self.start:
            bounds["start"] = datetime.combine(self.start, datetime.min.time())
        if self.end:
            bounds["end"] = datetime.combine(self.end + timedelta(days=1), datetime.min.time())
        return bounds


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
# The events of a table of lot ids: their own (by lot code; `{of_type}` may narrow the types) and
# those that made an edge into or out of one of them.
_LOT_TABLE_EVENT_SEQS = """
    SELECT e.server_seq FROM {table} c JOIN lots o ON o.id = c.lot_id
    JOIN received_events e ON e.lot_code = o.code{of_type}
    UNION
    SELECT e.server_seq FROM {table} c JOIN lot_links k ON k.parent_lot_id = c.lot_id
    JOIN received_events e ON e.id = k.event_id
    UNION
    SELECT e.server_seq FROM {table} c JOIN lot_links k ON k.child_lot_id = c.lot_id
    JOIN received_events e ON e.id = k.event_id
"""
_BY_LOT_TABLE = (
    "WITH candidates(server_seq) AS ("
    + _LOT_TABLE_EVENT_SEQS.replace("{of_type}", " AND e.type IN :types")
    + ")\n"
)
_COLUMNS = "e.id, e.type, e.occurred_at, e.station, e.site, e.operator, e.task_code, e.payload"


def _query(where: Filter) -> tuple[Any, dict[str, Any]]:
    conditions = ["e.type IN :types", "e.outcome IN :counted"]
    if where.tasks:
        conditions.append("e.task_code IN :tasks")
    params: dict[str, Any] = {"types": list(RECORD_TYPES), "counted": list(COUNTED), **where.day_bounds()}
    if where.start:
        conditions.append("e.occurred_at >= :start")
    if where.end:
        conditions.append("e.occurred_at < :end")
    sql = f"SELECT {_COLUMNS} FROM received_events e"
    if where.lot_table:
        sql = _BY_LOT_TABLE.replace("{table}", where.lot_table) + sql
        sql += " JOIN candidates c ON c.server_seq = e.server_seq"
    elif where.lots:
        sql = _BY_LOT + sql + " JOIN candidates c ON c.server_seq = e.server_seq"
        params["lots"] = list(where.lots)
    sql += " WHERE " + " AND ".join(conditions) + " ORDER BY e.occurred_at, e.server_seq"
    query = text(sql).bindparams(bindparam("types", expanding=True), bindparam("counted", expanding=True))
    if where.lots and not where.lot_table:
        query = query.bindparams(bindparam("lots", expanding=True))
    if where.tasks:
        params["tasks"] = list(where.tasks)
        query = query.bindparams(bindparam("tasks", expanding=True))
    return query, params


def lot_codes(conn: Connection, table: str) -> set[str]:
    """The lot codes (and the suppliers' codes of received lots) of a table of lot ids."""
    rows = conn.execute(text(f"SELECT o.code, o.supplier_lot FROM {table} c JOIN lots o ON o.id = c.lot_id"))
    return {code for row in rows for code in row if code}


def event_batches(
    conn: Connection, where: Filter, read: list[StoredEvent] | None = None
) -> Iterator[list[Any]]:
    """The record events, in event-time order, in batches (for per-batch master-data look-ups).
    `read`: the filter's lot table's events, already read (lot_table_events): no query."""
    if read is not None:
        chosen = record_events(read, where)
        for start in range(0, len(chosen), BATCH):
            yield list(chosen[start : start + BATCH])
        return
    query, params = _query(where)
    batch: list[Any] = []
    # per statement: Connection.execution_options() would change the connection for good
    for event in conn.execute(query, params, execution_options={"yield_per": BATCH}):
        batch.append(event)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def events(conn: Connection, where: Filter, read: list[StoredEvent] | None = None) -> list[Any]:
    return [e for batch in event_batches(conn, where, read) for e in batch]


def read_payload(event: Any) -> Payload | None:
    """The event's typed payload (lotscan.domain.events); None for one the vocabulary cannot
    read (central checks pushed events with it, so only events stored before it could be)."""
    if isinstance(event, StoredEvent):
        return event.parsed
    return _parsed(event.type, event.payload)


def _parsed(kind: str, payload: str) -> Payload | None:
    try:
        return payload_class(kind).model_validate_json(payload)  # JSON read by pydantic, in one pass
    except (UnknownEventType, ValidationError, ValueError):
        return None


def why_unreadable(kind: str, payload: str) -> str:
    """Why `read_payload` gave None for this stored payload: the first problem, named."""
    try:
        payload_class(kind).model_validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "payload"
        return f"its {kind} payload is not valid at {where}: {first.get('msg')}"
    except (UnknownEventType, ValueError) as exc:
        return f"its {kind} payload is not readable: {exc}"
    return f"its {kind} payload is not readable"


@dataclass(frozen=True)
class LeftOut:
    """A stored row an export could not carry (stored before central validated pushed events,
    or edited by hand): which row, and why. The rest of the export goes on without it."""

    row: str
    reason: str

    def __str__(self) -> str:
        return f"{self.row}: {self.reason}"


def event_row(e: Any) -> str:
    """How a left-out row names a stored event: its id, type and station."""
    return f"event {e.id} ({e.type} from station {e.station})"


def unreadable(e: Any) -> LeftOut:
    """A record event whose payload `read_payload` could not read, named with the first problem."""
    return LeftOut(event_row(e), why_unreadable(e.type, e.payload))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An applied event of central's log with its payload read once (see lot_table_events)."""

    server_seq: int
    id: str
    type: str
    occurred_at: Any  # a datetime; text on SQLite (see occurred)
    station: str
    site: str | None
    operator: str | None
    task_code: str | None
    payload: str
    parsed: Payload | None


# Every applied event of a set of lots, of any type: what the mass balance replays, and (of the
# record types) what the FSMA and EPCIS exports write.
_LOT_TABLE_EVENTS = (
    "SELECT e.server_seq, e.id, e.type, e.occurred_at, e.station, e.site, e.operator, e.task_code,"
    " e.payload FROM received_events e JOIN ("
    + _LOT_TABLE_EVENT_SEQS.replace("{of_type}", "")
    + ") found ON found.server_seq = e.server_seq"
    " WHERE e.outcome IN :counted ORDER BY e.occurred_at, e.server_seq"
)


def lot_table_events(conn: Connection, table: str) -> list[StoredEvent]:
    """The events of a table of lot ids, in event-time order, each payload parsed once: a drill
    hands the same list to the mass balance and both exports instead of each reading its own."""
    query = text(_LOT_TABLE_EVENTS.replace("{table}", table)).bindparams(bindparam("counted", expanding=True))
    return [
        StoredEvent(seq, event_id, kind, at, station, site, operator, task, payload, _parsed(kind, payload))
        for seq, event_id, kind, at, station, site, operator, task, payload in conn.execute(
            query, {"counted": list(COUNTED)}
        ).all()
    ]


def record_events(events: list[StoredEvent], where: Filter) -> list[StoredEvent]:
    """The traceability records among already read events, as `event_batches` would select
    them (by record type and, if the filter has them, by event day and document)."""
    bounds = where.day_bounds()
    start, end = bounds.get("start"), bounds.get("end")
    tasks = set(where.tasks)
    return [
        e
        for e in events
        if e.type in RECORD_TYPES
        and (start is None or occurred(e) >= start)
        and (end is None or occurred(e) < end)
        and (not tasks or e.task_code in tasks)
    ]


def occurred(event: Any) -> datetime:
    at = event.occurred_at
    return at if isinstance(at, datetime) else datetime.fromisoformat(str(at))


# Where a lot got its TLC: the event that made it here (a link into it, or a production without
# inputs). A lot with neither was received (its TLC source is the supplier's).
_ORIGINS = (
    "SELECT i.code, o.code, e.payload FROM lots o JOIN items i ON i.id = o.item_id "
    "JOIN lot_links k ON k.child_lot_id = o.id JOIN received_events e ON e.id = k.event_id "
    "WHERE {lot_in} "
    "UNION ALL SELECT NULL, e.lot_code, e.payload FROM received_events e "
    "WHERE e.type = 'lot.produced' AND {event_lot_in} AND e.outcome IN ('applied', 'flagged')"
)
assert COUNTED == ("applied", "flagged")  # as written out in _ORIGINS


def origins(conn: Connection, lots: list[str]) -> dict[tuple[str, str], str | None]:
    sql = _ORIGINS.format(
        lot_in=in_list(conn, "o.code", "lots"), event_lot_in=in_list(conn, "e.lot_code", "lots")
    )
    query = bind_list(conn, text(sql), "lots")
    found: dict[tuple[str, str], str | None] = {}
    for start in range(0, len(lots), BATCH):
        chunk = lots[start : start + BATCH]
        for item, lot, payload in conn.execute(query, {"lots": chunk}):
            p = json.loads(payload)
            found.setdefault((item or p.get("item"), lot), p.get("location"))
    return found
