"""Checks the genealogy (`lot_links`, what trace and recall walk) against the chained events that
made it (tester W3: a deleted link hid a lot from `central trace --forward` and from a recall, and
`audit verify` said "intact").

Every link is made by one event (store/effects.py), and keeps its `event_id`:

- `lot.produced`: each input lot -> the produced lot, the input's quantity;
- `lot.split`: the lot -> each output lot, the output's quantity;
- `lot.merged`: each input lot -> the merged lot, the input's quantity;
- `lot.relabelled`: the lot -> the new lot, the event's quantity (or the stock it found, when the
  event names none: then the quantity is not compared).

The events are chained, payload and all, so the links they made can be listed again from them and
compared with the table: a link an applied event made that is no longer stored is `link_missing`
(deleted, or its lots changed); a stored link no such event made, or whose quantity or task differs
from its event's, is `link_unexplained` (inserted or altered). One pass over the linking events and
one over the links, whatever the size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, text

from lotscan.central.trace.audited import EVENT
from lotscan.domain.events.keys import LINKING_EVENTS
from lotscan.domain.events.payloads import LotMerged, LotProduced, LotRelabelled, LotSplit, parse_payload
from lotscan.protocol import APPLIED, FLAGGED

LINK_MISSING = "link_missing"
LINK_UNEXPLAINED = "link_unexplained"
LINK = "lot_link"  # the kind named in these findings: a lot_links row or the event that made it

# (event id, parent item, parent lot, child item, child lot, task): one genealogy link as an event
# makes it; the quantity is compared apart (a relabel without a quantity moved the stock it found).
LinkKey = tuple[str, str, str, str, str, str | None]

_LINKING_EVENTS = text("""
SELECT e.server_seq, e.id, e.station, e.station_seq, e.site, e.type, e.payload, a.site_seq
FROM received_events e
LEFT JOIN audit_log a ON a.kind = :event AND a.ref = e.server_seq
WHERE e.type IN :types AND e.outcome IN (:applied, :flagged)
""").bindparams(bindparam("types", expanding=True))

_STORED_LINKS = text("""
SELECT k.id, k.event_id, k.qty, k.task_code, pi.code AS parent_item, p.code AS parent_lot,
       ci.code AS child_item, c.code AS child_lot
FROM lot_links k
LEFT JOIN lots p ON p.id = k.parent_lot_id LEFT JOIN items pi ON pi.id = p.item_id
LEFT JOIN lots c ON c.id = k.child_lot_id LEFT JOIN items ci ON ci.id = c.item_id
""")


@dataclass(frozen=True)
class LinkMismatch:
    problem: str  # LINK_MISSING or LINK_UNEXPLAINED
    ref: int  # the event's server_seq (missing) or the lot_links row's id (unexplained)
    event_id: str | None
    station: str | None
    station_seq: int | None
    chain: str | None  # the chain recording the event (None: no such chained event)
    site_seq: int | None
    message: str


def links_made_by(
    event_id: str, event_type: str, payload: dict[str, Any]
) -> list[tuple[LinkKey, float | None]]:
    """The genealogy links an applied event of this type made, with their quantities (None: not
    known from the event). Raises ValidationError for a payload that is not its type's."""
    p = parse_payload(event_type, payload)
    if isinstance(p, LotProduced):
        return [((event_id, i.item, i.lot, p.item, p.lot, p.task), i.qty) for i in p.inputs]
    if isinstance(p, LotSplit):
        return [((event_id, p.item, p.lot, p.item, o.lot, p.task), o.qty) for o in p.outputs]
    if isinstance(p, LotMerged):
        return [((event_id, p.item, i.lot, p.item, p.lot, p.task), i.qty) for i in p.inputs]
    if isinstance(p, LotRelabelled):
        return [((event_id, p.item, p.lot, p.item, p.new_lot, p.task), p.qty)]
    return []


def link_mismatches(conn: Connection) -> list[LinkMismatch]:
    expected: dict[LinkKey, list[float | None]] = {}
    made_by: dict[str, Any] = {}
    params = {
        "event": EVENT,
        "types": [t.value for t in LINKING_EVENTS],
        "applied": APPLIED,
        "flagged": FLAGGED,
    }
    # yield_per on the statement: Connection.execution_options would stream every later statement
    # of the connection too (a server-side cursor refuses `SET LOCAL`).
    for r in conn.execute(_LINKING_EVENTS.execution_options(yield_per=10_000), params):
        payload = json.loads(r.payload) if isinstance(r.payload, str) else dict(r.payload or {})
        try:
            links = links_made_by(r.id, r.type, payload)
        except (ValidationError, ValueError):
            continue  # a payload altered past its type: the chain check names the event
        made_by[r.id] = r
        for made, qty in links:
            expected.setdefault(made, []).append(qty)
    found: list[LinkMismatch] = []
    for k in conn.execute(_STORED_LINKS.execution_options(yield_per=10_000)):
        key: LinkKey = (k.event_id or "", k.parent_item, k.parent_lot, k.child_item, k.child_lot, k.task_code)
        unmatched = expected.get(key, [])
        same = next((i for i, qty in enumerate(unmatched) if _same_qty(qty, k.qty)), None)
        if same is not None:
            unmatched.pop(same)  # each link an event made explains one stored row
            continue
        event = made_by.get(k.event_id or "")
        origin = (
            f"its event {k.event_id} made no such link"
            if event is not None
            else f"no applied event {k.event_id} is stored"
            if k.event_id
            else "it names no event"
        )
        found.append(
            LinkMismatch(
                LINK_UNEXPLAINED,
                int(k.id),
                k.event_id,
                event.station if event is not None else None,
                _int(event.station_seq) if event is not None else None,
                event.site if event is not None else None,
                _int(event.site_seq) if event is not None else None,
                f"genealogy link #{k.id} {_lot(k.parent_item, k.parent_lot)} -> "
                f"{_lot(k.child_item, k.child_lot)} ({_qty(k.qty)}): {origin} (inserted or altered "
                "behind the chain's back)",
            )
        )
    for key, quantities in expected.items():
        for qty in quantities:
            event = made_by[key[0]]
            where = (
                f"chain {event.site}, record {event.site_seq}"
                if event.site_seq is not None
                else "not in any chain"
            )
            found.append(
                LinkMismatch(
                    LINK_MISSING,
                    int(event.server_seq),
                    event.id,
                    event.station,
                    _int(event.station_seq),
                    event.site,
                    _int(event.site_seq),
                    f"event {event.id} from station {event.station} seq {event.station_seq} ({where}, "
                    f"{event.type}) linked {_lot(key[1], key[2])} -> {_lot(key[3], key[4])} ({_qty(qty)}): "
                    "that genealogy link is no longer stored (deleted or altered): trace and recall "
                    "do not follow it",
                )
            )
    return found


def _same_qty(expected: float | None, stored: float | None) -> bool:
    if expected is None:
        return True  # a relabel without a quantity moved the stock it found
    return stored is not None and abs(float(stored) - expected) <= 1e-6 * max(1.0, abs(expected))


def _lot(item: str | None, lot: str | None) -> str:
    return f"{item or '?'}/{lot or '(lot no longer stored)'}"


def _qty(qty: float | None) -> str:
    return "quantity not recorded" if qty is None else f"{qty:g}"


def _int(value: object) -> int | None:
    return None if value is None else int(str(value))
