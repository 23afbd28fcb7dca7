"""Writing accepted scans: the events and their effect on the cache, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert

from lotscan.domain.events import EventType, Payload
from lotscan.domain.ids import uuid7
from lotscan.domain.verdict import Verdict
from lotscan.services.context import ScanContext
from lotscan.store import fastread
from lotscan.store.effects import apply_event
from lotscan.store.queries import max_seq
from lotscan.store.schema import Event

_INSERT_EVENT = insert(Event)
# The encoders of the stored JSON, made once: json.dumps with any option builds a new encoder
# per call. Same text as json.dumps(..., sort_keys=True, default=str) and json.dumps(...).
_PAYLOAD_JSON = json.JSONEncoder(sort_keys=True, default=str).encode
_REASONS_JSON = json.JSONEncoder().encode


@dataclass
class PlannedEvent:
    """One event a plan records: its typed payload (the type comes with it)."""

    payload: Payload
    lot_code: str | None = None

    @property
    def type(self) -> EventType:
        return self.payload.type


@dataclass
class Plan:
    """What an accepted scan will write, and the sentence that says so."""

    events: list[PlannedEvent] = field(default_factory=list)
    message: str = "Done."
    details: dict[str, Any] = field(default_factory=dict)
    before_record: Callable[[Connection], None] | None = None


def record(
    conn: Connection,
    station_id: str,
    ctx: ScanContext,
    raw: str | None,
    verdict: Verdict,
    plan: Plan,
) -> list[str]:
    """Append the plan's events with the next gapless station seqs and apply their effects.

    The caller owns the transaction: events and cache change commit together or not at all.
    """
    if plan.before_record is not None:
        plan.before_record(conn)
    seq = max_seq(conn)
    reasons = _REASONS_JSON([r.to_json() for r in verdict.reasons])
    ids: list[str] = []
    for planned in plan.events:
        seq += 1
        event_id = str(uuid7())
        typed = planned.payload
        if ctx.override and verdict.overridden:
            typed = typed.with_override(ctx.override, ctx.override_by or ctx.operator)
        apply_event(conn, planned.type, typed, ctx.now, event_id)
        payload = typed.to_json()
        fastread.write(
            conn,
            _INSERT_EVENT,
            {
                "id": event_id,
                "seq": seq,
                "station_id": station_id,
                "operator": ctx.operator,
                "occurred_at": ctx.now,
                "type": planned.type,
                "workflow": ctx.workflow.value,
                "task_code": typed.task_code(),
                "lot_code": planned.lot_code or getattr(typed, "lot", None),
                "raw": raw,
                "payload": _PAYLOAD_JSON(payload),
                "verdict": verdict.level.value,
                "reasons": reasons,
                "sync_state": "pending",
            },
        )
        ids.append(event_id)
    return ids
