"""The readable audit log: who did what, when, from which station, with each record's chain hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, select

from lotscan.central.schema import received_events
from lotscan.central.trace.audited import KINDS
from lotscan.central.trace.tables import audit_log
from lotscan.domain.events import parse_payload

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
    """One line a supervisor reads (the vocabulary's `Payload.summary`); a payload central refused
    as not matching its type is shown as it was sent."""
    try:
        return parse_payload(event_type, payload).summary()
    except (ValueError, ValidationError):  # UnknownEventType is a ValueError
        return json.dumps(payload, sort_keys=True, default=str)[:200]


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
