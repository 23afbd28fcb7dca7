"""Shelves whose book stock went below zero: more was taken from a lot at a place than the
cache knew was there (two stations took the same sacks offline, a count was missed). Applying
never refuses a fact (store/effects.py); the scan that did it warned STOCK_BELOW_ZERO and told
the operator to tell a supervisor. This is the supervisor's list of them, with what to do:
count the shelf (count mode), which sets the book stock to what is there.

Read-only: the station's panel (F12 or z), the line-by-line station's /belowzero and
`lotscan cache below-zero` all show this list.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from lotscan.domain.events import EventType
from lotscan.store.schema import Event, Item, Location, Lot, Stock

# Below this a quantity is float noise from adding up fractions, not a shortfall.
NOISE = 1e-9
# The events that take stock out of a place, and the payload key that names the place (payloads
# are stored by their aliases: domain/events/payloads.py).
TAKEN_FROM: dict[str, str] = {
    EventType.STOCK_CONSUMED: "location",
    EventType.STOCK_PICKED: "from",
    EventType.STOCK_MOVED: "from",
    EventType.STOCK_SHIPPED: "location",
}
WHAT_TO_DO = "Count the shelf: mode Count (m, n), scan the location, then each lot with its quantity."


@dataclass(frozen=True)
class BelowZero:
    """One lot at one place with book stock below zero, and the last taking that emptied it."""

    location: str
    lot: str
    item: str
    description: str
    qty: float
    unit: str
    seq: int | None = None  # the station's last event that took this lot from this place
    event_type: str | None = None
    occurred_at: datetime | None = None
    operator: str | None = None

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["occurred_at"] = self.occurred_at.isoformat() if self.occurred_at else None
        return row

    @property
    def since(self) -> str:
        """When and by which event, as a sentence part."""
        if self.seq is None:
            return "no scan of this station took from it (central's stock said so)"
        when = f"{self.occurred_at:%Y-%m-%d %H:%M}" if self.occurred_at else "?"
        return f"last taken {when} by #{self.seq} {self.event_type}, operator {self.operator or '-'}"


def stock_below_zero(conn: Connection) -> list[BelowZero]:
    """Every lot at every place whose book stock is below zero, by location then lot."""
    rows = conn.execute(
        select(Location.code, Lot.code, Item.code, Item.description, Stock.qty, Item.unit)
        .join(Lot, Lot.id == Stock.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.qty < -NOISE)
        .order_by(Location.code, Lot.code)
    ).all()
    return [_with_last_taking(conn, BelowZero(*row)) for row in rows]


def _with_last_taking(conn: Connection, short: BelowZero) -> BelowZero:
    """The station's newest event that took this lot from this place (the events index by lot)."""
    events = conn.execute(
        select(Event.seq, Event.type, Event.occurred_at, Event.operator, Event.payload)
        .where(Event.lot_code == short.lot, Event.type.in_(tuple(TAKEN_FROM)))
        .order_by(Event.seq.desc())
    )
    for seq, kind, occurred_at, operator, payload in events:
        try:
            place = json.loads(payload).get(TAKEN_FROM[kind])
        except (ValueError, AttributeError):
            continue
        if place == short.location:
            return BelowZero(
                short.location,
                short.lot,
                short.item,
                short.description,
                short.qty,
                short.unit,
                seq,
                kind,
                occurred_at,
                operator,
            )
    return short


def below_zero_lines(shortfalls: list[BelowZero]) -> list[str]:
    """The list as plain lines (the CLI and the line-by-line station)."""
    if not shortfalls:
        return ["No shelf has book stock below zero."]
    lines = [f"{len(shortfalls)} shelf/lot with book stock below zero. {WHAT_TO_DO}"]
    for short in shortfalls:
        lines.append(
            f"  {short.location}  lot {short.lot}  {short.item} {short.description}: "
            f"{short.qty:g} {short.unit}; {short.since}"
        )
    return lines
