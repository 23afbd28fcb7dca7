"""What traceability adds to storing a pushed event, in the same transaction (called by push):
the audit chain (the events, then the decisions the push made: reconciliation items opened and
lot status changes) and pallet contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from lotscan.central.db import Tail
from lotscan.central.schema import lot_status_history, reconciliation_items
from lotscan.central.trace import audit, pallets
from lotscan.central.trace.audited import (
    EVENT,
    EVENT_SOURCE,
    KINDS,
    RECONCILIATION_OPENED,
    STATUS,
    unchained_query,
)
from lotscan.domain.events import EventType
from lotscan.protocol import APPLIED, FLAGGED

PALLET_EVENTS = (EventType.PALLET_BUILT, EventType.PALLET_BROKEN)
STATUS_EVENTS = (EventType.LOT_STATUS_CHANGED,)


def events_stored(
    conn: Connection, rows: list[dict[str, Any]], server_seqs: list[int], *, tail: Tail | None = None
) -> None:
    """`rows` are received_events rows as inserted, `server_seqs` the sequence each one got.
    `tail`: the chain's append is put there, to go with the commit (audit.append)."""
    chain_stored(conn, rows, server_seqs, tail=tail)
    pallets_stored(conn, rows)


def chain_stored(
    conn: Connection, rows: list[dict[str, Any]], server_seqs: list[int], *, tail: Tail | None = None
) -> None:
    """The audit chain's records of stored events and the decisions they caused (deferred audit
    mode: right after the push's commit, central/chaining.py)."""
    events = [{**row, "server_seq": seq} for row, seq in zip(rows, server_seqs, strict=True)]
    audit.append(conn, _records(conn, events), tail=tail)


def pallets_stored(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Pallet contents of stored pallet events, always in the push's own transaction: a pallet
    without a location belongs to the site that built it by its contents row (validation.py), so
    in deferred audit mode too no moment passes (nor a crash before chaining) in which another
    site's station could break or re-home it."""
    pallets.record(
        conn, [e for e in rows if e["type"] in PALLET_EVENTS and e["outcome"] in (APPLIED, FLAGGED)]
    )


def _records(conn: Connection, events: list[dict[str, Any]]) -> list[audit.Record]:
    """Each event's record, followed by the records of the decisions it caused, in server order."""
    made: dict[str, list[tuple[str, Mapping[Any, Any]]]] = {}
    station = events[0]["station"] if events else None  # one push: one station
    flagged = [e["id"] for e in events if e["outcome"] != APPLIED]
    if flagged:
        r = reconciliation_items
        query = unchained_query(KINDS[RECONCILIATION_OPENED]).where(
            r.c.event_id.in_(flagged), r.c.station == station
        )
        for row in conn.execute(query):
            made.setdefault(row.event_id, []).append((RECONCILIATION_OPENED, row._mapping))
    changed = [e["id"] for e in events if e["type"] in STATUS_EVENTS and e["outcome"] in (APPLIED, FLAGGED)]
    if changed:
        h = lot_status_history
        sources = {EVENT_SOURCE + event_id: event_id for event_id in changed}
        for row in conn.execute(unchained_query(KINDS[STATUS]).where(h.c.source.in_(list(sources)))):
            made.setdefault(sources[row.source], []).append((STATUS, row._mapping))
    records: list[audit.Record] = []
    for event in sorted(events, key=lambda e: (e["site"], e["server_seq"])):
        records.append((str(event["site"]), EVENT, event))
        records += [(str(event["site"]), kind, row) for kind, row in made.pop(event["id"], [])]
    return records
