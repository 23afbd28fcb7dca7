"""Mass balance of a set of lots from central's event log: for every lot,
received + produced + opening = consumed + shipped + adjusted + on hand, and where it does not
hold, the difference with the lot's events, so whoever checks can see which record is missing or
wrong.

  received   stock.received
  produced   lot.produced (its own lot); the new lots of lot.split, lot.merged, lot.relabelled
  consumed   stock.consumed; the source of a split, the inputs of a merge, a relabelled lot
  shipped    stock.shipped (and stock.picked with no destination: it left stock)
  adjusted   stock.counted: what the count wrote off (stock before the count - counted)
  opening    stock written by `lotscan central import` (opening stock, trace/opening.py): what
             the import changed, in its place among the events
  on hand    the stock table now
Stock before a count, and the quantity of a relabel that did not say, come from replaying the
lot's events per location in the order central applied them. Events are read in two statements
(by lot code, and through the genealogy edges) for however many lots the table holds.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, text

from lotscan.central.trace.opening import DECISION, Opening, openings
from lotscan.central.trace.records import COUNTED, StoredEvent
from lotscan.domain.events import (
    LotMerged,
    LotProduced,
    LotRelabelled,
    LotSplit,
    Payload,
    StockConsumed,
    StockCounted,
    StockMoved,
    StockPicked,
    StockReceived,
    StockShipped,
    UnknownEventType,
    parse_payload,
)

TOLERANCE = 1e-6
TERMS = ("received", "produced", "opening", "consumed", "shipped", "adjusted", "on_hand")
LotKey = tuple[str, str]
Stock = dict[tuple[str, str, str], float]  # (item, lot, location) -> qty, replayed


@dataclass
class LotBalance:
    item: str
    lot: str
    unit: str
    received: float = 0.0
    produced: float = 0.0
    opening: float = 0.0
    consumed: float = 0.0
    shipped: float = 0.0
    adjusted: float = 0.0
    on_hand: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def difference(self) -> float:
        value = (
            self.received
            + self.produced
            + self.opening
            - self.consumed
            - self.shipped
            - self.adjusted
            - self.on_hand
        )
        return 0.0 if abs(value) < TOLERANCE else round(value, 6)

    def to_dict(self, with_events: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"item": self.item, "lot": self.lot, "unit": self.unit}
        data.update({term: round(getattr(self, term), 6) for term in TERMS})
        data["difference"] = self.difference
        if with_events:
            data["events"] = self.events
        return data


# Each lot's stock and events through their indexes (stock by lot, events by lot code, edges by
# parent and by child): after a trace the transaction prefers nested loops (genealogy.py).
_LOTS = """
SELECT c.lot_id, i.code, o.code, i.unit,
       COALESCE((SELECT SUM(s.qty) FROM stock s WHERE s.lot_id = c.lot_id), 0)
FROM {table} c JOIN lots o ON o.id = c.lot_id JOIN items i ON i.id = o.item_id
"""
_EVENTS = """
SELECT e.server_seq, e.id, e.type, e.occurred_at, e.payload FROM {table} c
JOIN lots o ON o.id = c.lot_id JOIN received_events e ON e.lot_code = o.code
WHERE e.outcome IN :counted
UNION
SELECT e.server_seq, e.id, e.type, e.occurred_at, e.payload FROM {table} c
JOIN lot_links k ON k.parent_lot_id = c.lot_id JOIN received_events e ON e.id = k.event_id
WHERE e.outcome IN :counted
UNION
SELECT e.server_seq, e.id, e.type, e.occurred_at, e.payload FROM {table} c
JOIN lot_links k ON k.child_lot_id = c.lot_id JOIN received_events e ON e.id = k.event_id
WHERE e.outcome IN :counted
"""


def mass_balance(conn: Connection, table: str, read: list[StoredEvent] | None = None) -> list[LotBalance]:
    """The balance of every lot in `table` (a temporary table of lot ids), by item and lot.
    `read`: the table's events, already read (records.lot_table_events): not read again."""
    return mass_balance_and_stock(conn, table, read)[0]


def mass_balance_and_stock(
    conn: Connection, table: str, read: list[StoredEvent] | None = None
) -> tuple[list[LotBalance], Stock]:
    """`mass_balance`, and the stock per (item, lot, location) the same replay left (exact for
    the lots in `table`; a lot outside it only has what events of the lots inside moved)."""
    balances: dict[LotKey, LotBalance] = {}
    for _id, item, lot, unit, on_hand in conn.execute(text(_LOTS.replace("{table}", table))):
        balances[(item, lot)] = LotBalance(item, lot, unit or "", on_hand=float(on_hand))
    rows: list[tuple[Any, ...]]
    if read is None:
        query = text(_EVENTS.replace("{table}", table)).bindparams(bindparam("counted", expanding=True))
        rows = [tuple(r) for r in conn.execute(query, {"counted": list(COUNTED)})]
    else:
        rows = [(e.server_seq, e.id, e.type, e.occurred_at, e.parsed) for e in read if e.parsed is not None]
    rows.sort(key=lambda r: r[0])  # the order central applied them in
    stock: Stock = defaultdict(float)
    pending = deque(openings(conn, set(balances)))
    for seq, event_id, kind, at, payload in rows:
        while pending and pending[0].after_server_seq < seq:
            _open(pending.popleft(), balances, stock)
        p = payload if isinstance(payload, Payload) else json.loads(payload)
        for key, term, qty in _effects(kind, p, stock):
            balance = balances.get(key)
            if balance is None:
                continue  # the other side of an edge, outside the set
            setattr(balance, term, getattr(balance, term) + qty)
            balance.events.append(
                {"event_id": event_id, "type": kind, "at": str(at), "term": term, "qty": round(qty, 6)}
            )
    for rest in pending:
        _open(rest, balances, stock)
    return sorted(balances.values(), key=lambda b: (b.difference == 0, b.item, b.lot)), stock


def _open(found: Opening, balances: dict[LotKey, LotBalance], stock: Stock) -> None:
    """An import's stock change: the lot's opening term, and its stock at that location."""
    _move(stock, found.item, found.lot, found.location, found.qty)
    balance = balances[(found.item, found.lot)]
    balance.opening += found.qty
    balance.events.append(
        {
            "event_id": f"decision {found.decision_id}",
            "type": DECISION,
            "at": str(found.at),
            "term": "opening",
            "qty": round(found.qty, 6),
        }
    )


def _move(stock: Stock, item: str, lot: str, where: str | None, qty: float) -> None:
    stock[(item, lot, where or "")] += qty


Effect = tuple[LotKey, str, float]


def _effects(kind: str, data: dict[str, Any] | Payload, stock: Stock) -> list[Effect]:
    """What one event adds to which lot's terms, keeping the per-location replay up to date.
    Payloads are read through the event vocabulary (lotscan.domain.events)."""
    try:
        p = parse_payload(kind, data)
    except (UnknownEventType, ValidationError):
        return []  # not a stock event, or not readable: it moved no quantity we can count
    if isinstance(p, StockReceived | LotProduced):
        _move(stock, p.item, p.lot, p.location, p.qty)
        return [((p.item, p.lot), "received" if isinstance(p, StockReceived) else "produced", p.qty)]
    if isinstance(p, StockConsumed | StockShipped):
        _move(stock, p.item, p.lot, p.location, -p.qty)
        return [((p.item, p.lot), "consumed" if isinstance(p, StockConsumed) else "shipped", p.qty)]
    if isinstance(p, StockMoved | StockPicked):
        _move(stock, p.item, p.lot, p.from_location, -p.qty)
        if p.to_location:
            _move(stock, p.item, p.lot, p.to_location, p.qty)
            return []
        return [((p.item, p.lot), "shipped", p.qty)]  # picked with no destination: left stock
    if isinstance(p, StockCounted):
        before = stock[(p.item, p.lot, p.location)]
        stock[(p.item, p.lot, p.location)] = p.counted
        return [((p.item, p.lot), "adjusted", before - p.counted)]
    if isinstance(p, LotSplit):
        found: list[Effect] = []
        for output in p.outputs:
            _move(stock, p.item, p.lot, p.location, -output.qty)
            _move(stock, p.item, output.lot, output.location or p.location, output.qty)
            found += [
                ((p.item, p.lot), "consumed", output.qty),
                ((p.item, output.lot), "produced", output.qty),
            ]
        return found
    if isinstance(p, LotMerged):
        found = []
        for source in p.inputs:
            _move(stock, p.item, source.lot, source.location or p.location, -source.qty)
            _move(stock, p.item, p.lot, p.location, source.qty)
            found += [
                ((p.item, source.lot), "consumed", source.qty),
                ((p.item, p.lot), "produced", source.qty),
            ]
        return found
    if isinstance(p, LotRelabelled):
        amount = p.qty if p.qty is not None else stock[(p.item, p.lot, p.location)]
        _move(stock, p.item, p.lot, p.location, -amount)
        _move(stock, p.item, p.new_lot, p.location, amount)
        return [((p.item, p.lot), "consumed", amount), ((p.item, p.new_lot), "produced", amount)]
    return []
