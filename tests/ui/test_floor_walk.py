"""The tester's walk of the floor (issue 14), replayed as the operator's keys on the demo cache:
what the label says against what was typed, the lot in the last scans at every width."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.settings import load_settings
from lotscan.station.app import StationApp
from lotscan.station.factory import station_app
from tests.ui.conftest import FIXED_CLOCK, banner_text, events_of, payload, scan

pytestmark = pytest.mark.anyio

BUTTER_20_BLOCKS = "(01)19521234001055(17)270301(10)BU77(30)20"  # butter, pack size 10 KG a block


def demo_app(tmp_path: Path) -> tuple[StationApp, Path]:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    return app, database


async def test_a_typed_quantity_that_is_not_the_labels_count_says_both(tmp_path: Path) -> None:
    """Finding 13: `/qty 3` then a label of 20 blocks: recorded as typed, but never silently."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "PO:PO-2001")
        await scan(pilot, "/qty 3")
        assert await scan(pilot, BUTTER_20_BLOCKS) == "WARNING"
        shown = banner_text(app)
        assert "QTY_DIFFERS_FROM_LABEL" in shown
        assert "You typed 3 KG, the label says 20 BLOCK = 200 KG" in " ".join(shown.split())
    received = [payload(e) for e in events_of(create_engine(f"sqlite:///{database}")) if e.type == "stock.received"]
    assert [(p["lot"], p["qty"]) for p in received] == [("BU77", 3)]


@pytest.mark.parametrize("size", [(100, 30), (40, 16)], ids=["100x30", "40x16"])
async def test_the_last_scans_show_the_lot_of_a_gs1_scan_at_every_width(tmp_path: Path, size) -> None:
    """Finding 21: the raw GS1 string filled the row and the lot was cut off at 100 columns."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "(01)09521234001348(10)FG6624F")
        last = str(app.query_one("#history").render()).splitlines()
        row = next(line for line in last if "FG6624F" in line)
        assert "lot FG6624F" in row
