"""What traceability adds to storing a pushed event, in the same transaction (called by push)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from lotscan.central.trace import audit, pallets
from lotscan.protocol import APPLIED, FLAGGED

PALLET_EVENTS = ("pallet.built", "pallet.broken")


def events_stored(conn: Connection, rows: list[dict[str, Any]], server_seqs: list[int]) -> None:
    """`rows` are received_events rows as inserted, `server_seqs` the sequence each one got."""
    events = [{**row, "server_seq": seq} for row, seq in zip(rows, server_seqs, strict=True)]
    audit.append(conn, events)
    pallets.record(
        conn, [e for e in events if e["type"] in PALLET_EVENTS and e["outcome"] in (APPLIED, FLAGGED)]
    )
