"""Opening stock: what `lotscan central import` wrote into stock without an event, kept so a mass
balance can count it.

An import sets a lot's stock at a location to the file's quantity. For the mass balance that is
stock the lot had before (or besides) its events: received + produced + opening = consumed +
shipped + adjusted + on hand. Each import that changes stock is a central decision
(`stock.imported`, one per site, in that site's audit chain) with, per (item, lot, location), the
stock before and after and the last event central had stored then (`after_server_seq`), so a
replay of the lot's events can put the opening in its place among them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from lotscan.central.schema import received_events
from lotscan.central.trace.decisions import record_decision
from lotscan.central.trace.genealogy import among
from lotscan.central.trace.tables import central_decisions
from lotscan.store.schema import Item, Location, Lot, Site, Stock

DECISION = "stock.imported"
StockKey = tuple[str, str, str]  # item, lot, location


@dataclass(frozen=True)
class Opening:
    decision_id: int
    at: datetime
    after_server_seq: int
    item: str
    lot: str
    location: str
    qty: float  # stock after the import - stock before it


def stock_of(conn: Connection, keys: Iterable[StockKey]) -> dict[StockKey, tuple[float, str]]:
    """Stock now and the location's site of each (item, lot, location) that has a stock row."""
    wanted = set(keys)
    lots = {lot for _item, lot, _loc in wanted}
    if not lots:
        return {}
    query = (
        select(Item.code, Lot.code, Location.code, Stock.qty, Site.code)
        .select_from(Stock)
        .join(Lot, Lot.id == Stock.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .join(Location, Location.id == Stock.location_id)
        .join(Site, Site.id == Location.site_id)
        .where(among(conn, Lot.code, sorted(lots)))
    )
    found: dict[StockKey, tuple[float, str]] = {}
    for item, lot, location, qty, site in conn.execute(query):
        if (item, lot, location) in wanted:
            found[(item, lot, location)] = (float(qty), site)
    return found


def record_import(
    conn: Connection, keys: list[StockKey], before: dict[StockKey, tuple[float, str]], *, by: str
) -> int:
    """Record what an import just did to stock (call it after the import, in its transaction):
    one decision per site listing every (item, lot, location) whose stock changed. Returns how
    many stock rows changed."""
    after = stock_of(conn, keys)
    last_seq = conn.execute(select(func.max(received_events.c.server_seq))).scalar() or 0
    by_site: dict[str, list[list[Any]]] = {}
    for key in dict.fromkeys(keys):
        now, site = after.get(key, (0.0, ""))
        was = before.get(key, (0.0, site))[0]
        if abs(now - was) > 1e-9:
            by_site.setdefault(site, []).append([*key, was, now])
    for site, rows in sorted(by_site.items()):
        record_decision(
            conn,
            DECISION,
            by=by,
            subject=f"opening stock: {len(rows)} row(s)",
            detail={"after_server_seq": int(last_seq), "rows": rows},
            site=site or None,
        )
    return sum(len(rows) for rows in by_site.values())


def openings(conn: Connection, lots: set[tuple[str, str]]) -> list[Opening]:
    """Every recorded opening of these (item, lot) pairs, in the order they were imported."""
    query = (
        select(central_decisions.c.id, central_decisions.c.at, central_decisions.c.detail)
        .where(central_decisions.c.decision == DECISION)
        .order_by(central_decisions.c.id)
    )
    found = []
    for decision_id, at, detail in conn.execute(query):
        data = json.loads(detail or "{}")
        for item, lot, location, was, now in data.get("rows", []):
            if (item, lot) in lots:
                found.append(
                    Opening(
                        decision_id, at, int(data.get("after_server_seq", 0)), item, lot, location, now - was
                    )
                )
    return found
