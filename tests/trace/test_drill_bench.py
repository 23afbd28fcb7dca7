"""Acceptance: a drill on the trace bench's generated genealogy balances to zero, and after one
hand-deleted consumption event it names that lot and that difference.

The bench genealogy is 1M events in the issue; CI builds a smaller one of the same shape
(LOTSCAN_DRILL_EVENTS, default 100,000) to keep the suite's time modest. Run with
LOTSCAN_DRILL_EVENTS=1000000 for the full size."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.tracegen import Shape, build, busy_candidates
from lotscan.central.db import open_central, write_tx
from lotscan.central.trace.drill import drill

EVENTS = int(os.environ.get("LOTSCAN_DRILL_EVENTS", "100000"))


@pytest.mark.slow
def test_bench_genealogy_balances_and_a_deleted_consumption_is_named(tmp_path: Path) -> None:
    engine = open_central(f"sqlite:///{tmp_path / 'bench.db'}")
    shape = Shape(EVENTS)
    made = build(engine, shape)
    assert made["events"] >= EVENTS * 0.9
    busy = next(busy_candidates(shape))
    with write_tx(engine) as conn:
        first = drill(conn, [busy], tmp_path / "first", by="ci", direction="forward")
    assert len(first.trace.lots) > 100
    assert first.differences == []

    # Delete one consumption of a lot two levels down from the busy lot (an intermediate).
    victim = next(x for x in first.trace.lots if x.depth == 2)
    with write_tx(engine) as conn:
        row = conn.execute(
            text(
                "SELECT id, payload FROM received_events WHERE type = 'stock.consumed' AND lot_code = :lot "
                "ORDER BY server_seq LIMIT 1"
            ),
            {"lot": victim.lot},
        ).one()
        conn.execute(text("DELETE FROM received_events WHERE id = :id"), {"id": row[0]})
    qty = json.loads(row[1])["qty"]
    with write_tx(engine) as conn:
        second = drill(conn, [busy], tmp_path / "second", by="ci", direction="forward")
    assert [(b["item"], b["lot"], b["difference"]) for b in second.differences] == [
        (victim.item, victim.lot, qty)
    ]
    saved = json.loads((tmp_path / "second" / "drill.json").read_text())
    assert saved["mass_balance"][0]["lot"] == victim.lot and saved["result"] == "differences"
    engine.dispose()
