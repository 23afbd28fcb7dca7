"""Labels the station asked for: a receive whose supplier label lacks a lot or expiry records a
``label.requested`` event; the UI prints our own label for each (see docs/labels.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lotscan.domain.events import EventType, LabelRequested
from lotscan.services.station import StationService
from lotscan.store import queries as q
from lotscan.store.schema import Event

EVENT_TYPE = EventType.LABEL_REQUESTED


@dataclass(frozen=True, slots=True)
class LabelRequest:
    event_id: str
    item: str
    gtin: str | None
    lot: str | None
    task: str | None
    why: str


def label_requests(service: StationService, event_ids: Iterable[str]) -> list[LabelRequest]:
    """The label requests among these events (e.g. a Verdict's ``event_ids``), oldest first."""
    ids = list(event_ids)
    if not ids:
        return []
    with service.engine.connect() as conn:
        rows = conn.execute(
            select(Event.id, Event.payload)
            .where(Event.id.in_(ids), Event.type == EVENT_TYPE)
            .order_by(Event.seq)
        ).all()
        requests = []
        for event_id, payload in rows:
            asked = LabelRequested.model_validate_json(payload)
            item = q.item_by_code(conn, asked.item)
            requests.append(
                LabelRequest(
                    event_id=event_id,
                    item=asked.item,
                    gtin=item.gtin if item else None,
                    lot=asked.lot,
                    task=asked.task,
                    why=asked.why,
                )
            )
    return requests
