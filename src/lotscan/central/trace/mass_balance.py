"""Mass balance of a set of lots from central's event log: for every lot,
received + produced = consumed + shipped + adjusted + on hand, and where it does not hold, the
difference with the lot's events, so whoever checks can see which record is missing or wrong.

  received   stock.received
  produced   lot.produced (its own lot); the new lots of lot.split, lot.merged, lot.relabelled
  consumed   stock.consumed; the source of a split, the inputs of a merge, a relabelled lot
  shipped    stock.shipped (and stock.picked with no destination: it left stock)
  adjusted   stock.counted: what the count wrote off (stock before the count - counted)
  on hand    the stock table now
Stock before a count, and the quantity of a relabel that did not say, come from replaying the
lot's events per location in the order central applied them. Events are read in two statements
(by lot code, and through the genealogy edges) for however many lots the table holds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, text

from lotscan.central.trace.records import COUNTED

TOLERANCE = 1e-6
TERMS = ("received", "produced", "consumed", "shipped", "adjusted", "on_hand")
LotKey = tuple[str, str]


@dataclass
class LotBalance:
    item: str
    lot: str
    unit: str
    received: float = 0.0
    produced: float = 0.0
    consumed: float = 0.0
    shipped: float = 0.0
    adjusted: float = 0.0
    on_hand: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def difference(self) -> float:
        value = self.received + self.produced - self.consumed - self.shipped - self.adjusted - self.on_hand
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


def mass_balance(conn: Connection, table: str) -> list[LotBalance]:
    """The balance of every lot in `table` (a temporary table of lot ids), by item and lot."""
    balances: dict[LotKey, LotBalance] = {}
    for _id, item, lot, unit, on_hand in conn.execute(text(_LOTS.replace("{table}", table))):
        balances[(item, lot)] = LotBalance(item, lot, unit or "", on_hand=float(on_hand))
    query = text(_EVENTS.replace("{table}", table)).bindparams(bindparam("counted", expanding=True))
    rows = sorted(conn.execute(query, {"counted": list(COUNTED)}).all(), key=lambda r: r[0])
    stock: dict[tuple[str, str, str], float] = defaultdict(float)  # (item, lot, location) -> qty
    for _seq, event_id, kind, at, payload in rows:
        p = json.loads(payload)
        for key, term, qty in _effects(kind, p, stock):
            balance = balances.get(key)
            if balance is None:
                continue  # the other side of an edge, outside the set
            setattr(balance, term, getattr(balance, term) + qty)
            balance.events.append(
                {"event_id": event_id, "type": kind, "at": str(at), "term": term, "qty": round(qty, 6)}
            )
    return sorted(balances.values(), key=lambda b: (b.difference == 0, b.item, b.lot))


def _move(
    stock: dict[tuple[str, str, str], float], item: str, lot: str, where: str | None, qty: float
) -> None:
    stock[(item, lot, where or "")] += qty


def _effects(
    kind: str, p: dict[str, Any], stock: dict[tuple[str, str, str], float]
) -> list[tuple[LotKey, str, float]]:
    """What one event adds to which lot's terms, keeping the per-location replay up to date."""
    item, lot, where = p.get("item") or "", p.get("lot") or "", p.get("location")
    qty = float(p["qty"]) if p.get("qty") is not None else None
    if kind in ("stock.received", "lot.produced", "stock.consumed", "stock.shipped") and qty is not None:
        sign = 1.0 if kind in ("stock.received", "lot.produced") else -1.0
        _move(stock, item, lot, where, sign * qty)
        term = {"stock.received": "received", "lot.produced": "produced"}.get(kind)
        return [((item, lot), term or kind.split(".")[1], qty)]
    if kind in ("stock.moved", "stock.picked") and qty is not None:
        source = p.get("from")
        _move(stock, item, lot, source, -qty)
        if p.get("to"):
            _move(stock, item, lot, p["to"], qty)
            return []
        return [((item, lot), "shipped", qty)]
    if kind == "stock.counted":
        before = stock[(item, lot, where or "")]
        counted = float(p["counted"])
        stock[(item, lot, where or "")] = counted
        return [((item, lot), "adjusted", before - counted)]
    if kind == "lot.split":
        found = []
        for output in p.get("outputs", []):
            amount = float(output.get("qty") or 0.0)
            _move(stock, item, lot, where, -amount)
            _move(stock, item, output["lot"], output.get("location") or where, amount)
            found += [((item, lot), "consumed", amount), ((item, output["lot"]), "produced", amount)]
        return found
    if kind == "lot.merged":
        found = []
        for source in p.get("inputs", []):
            amount = float(source.get("qty") or 0.0)
            _move(stock, item, source["lot"], source.get("location") or where, -amount)
            _move(stock, item, lot, where, amount)
            found += [((item, source["lot"]), "consumed", amount), ((item, lot), "produced", amount)]
        return found
    if kind == "lot.relabelled":
        amount = qty if qty is not None else stock[(item, lot, where or "")]
        _move(stock, item, lot, where, -amount)
        _move(stock, item, p["new_lot"], where, amount)
        return [((item, lot), "consumed", amount), ((item, p["new_lot"]), "produced", amount)]
    return []
