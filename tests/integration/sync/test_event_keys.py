"""`event_keys` names every row an event's effect changes: the change log and read-your-writes
depend on it. Each event type the effects know must have a sample here (a new type fails this
test until its keys are covered)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from lotscan.domain.events.keys import event_keys
from lotscan.store.effects import HANDLERS, apply_event
from lotscan.store.rows import read_row
from lotscan.store.schema import Container, Item, Location, Lot, LotLink, Serial, Stock, Task, TaskLine
from tests.plant import build_plant

SAMPLES: list[tuple[str, dict[str, Any]]] = [
    (
        "stock.received",
        {"item": "FLOUR", "lot": "NEW1", "location": "DOCK", "qty": 5, "task": "ASN-1", "line_no": 1,
         "sscc": "095212340000000099", "serial": "S1"},
    ),
    ("stock.moved", {"item": "FLOUR", "lot": "F-EARLY", "from": "A1", "to": "A2", "qty": 3}),
    ("stock.consumed", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 2,
                        "task": "WO-1", "line_no": 1}),
    (
        "lot.produced",
        {"item": "COOKIE", "lot": "C-NEW", "location": "LINE", "qty": 10, "task": "WO-1",
         "inputs": [{"item": "FLOUR", "lot": "F-EARLY", "qty": 2}]},
    ),
    ("stock.picked", {"item": "FLOUR", "lot": "F-LATE", "from": "A2", "to": "OUT", "qty": 1,
                      "task": "PL-1", "line_no": 1}),
    ("pick.short", {"task": "PL-1", "line_no": 1, "short_qty": 19, "reason": "damaged"}),
    ("stock.shipped", {"item": "FLOUR", "lot": "F-LATE", "location": "OUT", "qty": 1,
                       "task": "SHP-1", "line_no": 1}),
    ("lot.status_changed", {"item": "FLOUR", "lot": "F-LATE", "to": "hold", "reason": "audit"}),
    ("stock.counted", {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "counted": 7}),
    ("label.requested", {"item": "FLOUR", "lot": "F-EARLY", "why": "no expiry"}),
    (
        "lot.split",
        {"item": "FLOUR", "lot": "F-LATE", "location": "A2",
         "outputs": [{"lot": "F-S1", "qty": 5}, {"lot": "F-S2", "qty": 3, "location": "A1"}]},
    ),
    (
        "lot.merged",
        {"item": "FLOUR", "lot": "F-M", "location": "A2",
         "inputs": [{"lot": "F-EARLY", "qty": 2, "location": "A1"}, {"lot": "F-LATE", "qty": 3}]},
    ),
    ("lot.relabelled", {"item": "FLOUR", "lot": "F-LATE", "new_lot": "F-R", "location": "A2", "qty": 4}),
    ("pallet.built", {"sscc": "095212340000000105", "location": "A1",
                      "contents": [{"item": "FLOUR", "lot": "F-EARLY", "qty": 5}]}),
    ("pallet.broken", {"sscc": "095212340000000099"}),
]  # fmt: skip


def all_rows(conn: Connection) -> dict[tuple[str, ...], Any]:
    keys: list[tuple[str, ...]] = []
    keys += [
        ("lot", i, lot)
        for i, lot in conn.execute(select(Item.code, Lot.code).join(Lot, Lot.item_id == Item.id))
    ]
    keys += [
        ("stock", i, lot, loc)
        for i, lot, loc in conn.execute(
            select(Item.code, Lot.code, Location.code)
            .select_from(Stock)
            .join(Lot, Lot.id == Stock.lot_id)
            .join(Item, Item.id == Lot.item_id)
            .join(Location, Location.id == Stock.location_id)
        )
    ]
    keys += [
        ("task_line", t, str(n))
        for t, n in conn.execute(select(Task.code, TaskLine.line_no).join(Task, Task.id == TaskLine.task_id))
    ]
    keys += [("container", s) for s in conn.execute(select(Container.sscc)).scalars()]
    keys += [
        ("serial", i, s)
        for i, s in conn.execute(select(Item.code, Serial.serial).join(Item, Item.id == Serial.item_id))
    ]
    keys += [("links", e) for e in conn.execute(select(LotLink.event_id).distinct()).scalars() if e]
    return {key: read_row(conn, key)[0] for key in keys}


def test_every_event_type_has_a_sample() -> None:
    assert {name for name, _ in SAMPLES} == set(HANDLERS)


@pytest.mark.parametrize(("index"), range(len(SAMPLES)), ids=[name for name, _ in SAMPLES])
def test_event_keys_cover_every_row_the_effect_changes(tmp_path: Path, index: int) -> None:
    engine = build_plant(tmp_path / "cache.db")
    with engine.begin() as conn:
        for number, (event_type, payload) in enumerate(SAMPLES[: index + 1]):
            before = all_rows(conn)
            event_id = f"ev-{number}"
            apply_event(conn, event_type, payload, datetime(2026, 11, 1), event_id)
            after = all_rows(conn)
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert changed <= set(event_keys(event_type, payload, event_id)), event_type


def test_a_status_change_names_no_stock_rows() -> None:
    from lotscan.domain.events.keys import event_keys, stock_places

    payload = {"item": "FLOUR", "lot": "F1", "from": "released", "to": "hold", "reason": "lab"}
    assert stock_places("lot.status_changed", payload) == []
    assert event_keys("lot.status_changed", payload, "e1") == [("lot", "FLOUR", "F1")]
    moved = {"item": "FLOUR", "lot": "F1", "qty": 1, "from": "A1", "to": "A2"}
    assert stock_places("stock.moved", moved) == ["A1", "A2"]
