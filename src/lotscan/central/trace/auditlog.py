"""The readable audit log: who did what, when, from which station, with each record's chain hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from lotscan.central.schema import received_events
from lotscan.central.trace.audited import KINDS
from lotscan.central.trace.tables import audit_log

EVENT_KINDS = [kind for kind, audited in KINDS.items() if audited.table is received_events]

COLUMNS = [
    "site",
    "site_seq",
    "server_seq",
    "occurred_at",
    "received_at",
    "station",
    "station_seq",
    "operator",
    "event",
    "what",
    "outcome",
    "outcome_reason",
    "event_id",
    "hash",
]


@dataclass(frozen=True)
class Filter:
    site: str | None = None
    lot: str | None = None
    start: date | None = None
    end: date | None = None  # inclusive


def describe(event_type: str, payload: dict[str, Any]) -> str:
    """One line a supervisor reads: '12 KG of FLOUR lot F-1 at DOCK (task ASN-1)'."""
    parts = []
    if payload.get("qty") is not None:
        parts.append(f"{float(payload['qty']):g} {payload.get('unit') or ''}".strip() + " of")
    if payload.get("item"):
        parts.append(str(payload["item"]))
    if payload.get("lot"):
        parts.append(f"lot {payload['lot']}")
    if payload.get("new_lot"):
        parts.append(f"-> lot {payload['new_lot']}")
    if payload.get("sscc"):
        parts.append(f"pallet {payload['sscc']}")
    if payload.get("from") and payload.get("to"):
        parts.append(f"from {payload['from']} to {payload['to']}")
    elif payload.get("location"):
        parts.append(f"at {payload['location']}")
    if event_type == "lot.status_changed" and payload.get("to"):
        parts.append(f"status -> {payload['to']}")
    for key, word in (("customer", "for"), ("supplier", "from")):
        if payload.get(key):
            parts.append(f"{word} {payload[key]}")
    if payload.get("inputs"):
        parts.append(f"from {len(payload['inputs'])} input lot(s)")
    if payload.get("task"):
        parts.append(f"(task {payload['task']})")
    return " ".join(parts)


def rows(conn: Connection, where: Filter) -> Iterator[list[Any]]:
    e, a = received_events, audit_log
    query = select(
        e.c.site,
        a.c.site_seq,
        e.c.server_seq,
        e.c.occurred_at,
        e.c.received_at,
        e.c.station,
        e.c.station_seq,
        e.c.operator,
        e.c.type,
        e.c.payload,
        e.c.outcome,
        e.c.outcome_reason,
        e.c.id,
        a.c.hash,
    ).select_from(e.outerjoin(a, (a.c.kind.in_(EVENT_KINDS)) & (a.c.ref == e.c.server_seq)))
    if where.site:
        query = query.where(e.c.site == where.site)
    if where.lot:
        query = query.where(e.c.lot_code == where.lot)
    if where.start:
        query = query.where(e.c.occurred_at >= datetime.combine(where.start, datetime.min.time()))
    if where.end:
        query = query.where(
            e.c.occurred_at < datetime.combine(where.end + timedelta(days=1), datetime.min.time())
        )
    query = query.order_by(e.c.server_seq)
    for r in conn.execution_options(yield_per=5_000).execute(query):
        what = describe(r.type, json.loads(r.payload))
        yield [
            r.site,
            r.site_seq,
            r.server_seq,
            r.occurred_at,
            r.received_at,
            r.station,
            r.station_seq,
            r.operator,
            r.type,
            what,
            r.outcome,
            r.outcome_reason,
            r.id,
            r.hash,
        ]
