"""Which lots a pallet (SSCC) carried: kept centrally from pallet.built / pallet.broken events.

The station's container row holds one lot; a mixed pallet needs this table, so a trace can go
from an SSCC to every lot on it and a recall can name the pallets that carried a lot.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from lotscan.central.trace.tables import pallet_contents
from lotscan.domain.events import EventType
from lotscan.store.schema import Item, Lot


def record(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Events are stored rows (payload as JSON text) that were applied."""
    for event in events:
        payload = json.loads(event["payload"])
        if event["type"] == EventType.PALLET_BUILT:
            _built(conn, payload, event["id"], event["occurred_at"])
        elif event["type"] == EventType.PALLET_BROKEN:
            conn.execute(
                update(pallet_contents)
                .where(and_(pallet_contents.c.sscc == payload["sscc"], pallet_contents.c.broken_at.is_(None)))
                .values(broken_event_id=event["id"], broken_at=event["occurred_at"])
            )


def _built(conn: Connection, payload: dict[str, Any], event_id: str, at: datetime) -> None:
    rows = []
    for content in payload.get("contents", []):
        lot_id = conn.execute(
            select(Lot.id)
            .join(Item, Item.id == Lot.item_id)
            .where(Item.code == content["item"], Lot.code == content["lot"])
        ).scalar()
        if lot_id is None:
            continue
        qty = content.get("qty")
        rows.append(
            {
                "sscc": payload["sscc"],
                "lot_id": lot_id,
                "qty": None if qty is None else float(qty),
                "built_event_id": event_id,
                "built_at": at,
            }
        )
    if rows:
        conn.execute(insert(pallet_contents), rows)
