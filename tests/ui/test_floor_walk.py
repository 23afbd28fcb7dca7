"""The tester's walk of the floor (issue 14), replayed as the operator's keys on the demo cache:
what the label says against what was typed, the lot in the last scans at every width."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from rich.text import Text
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.policy import Policy
from lotscan.domain.verdict import Level
from lotscan.settings import load_settings
from lotscan.station.app import StationApp
from lotscan.station.factory import station_app
from tests.ui.conftest import FIXED_CLOCK, banner_text, events_of, payload, press_letter, scan, type_line

pytestmark = pytest.mark.anyio

BUTTER_20_BLOCKS = "(01)19521234001055(17)270301(10)BU77(30)20"  # butter, pack size 10 KG a block


def demo_app(tmp_path: Path, policy: Policy | None = None) -> tuple[StationApp, Path]:
    """The station on a fresh demo cache, under the shipped policy or `policy`."""
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    if policy is not None:
        settings = replace(settings, policy=policy)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    return app, database


async def test_a_typed_quantity_that_is_not_the_labels_count_says_both(tmp_path: Path) -> None:
    """Finding 13: `/qty 3` then a label of 20 blocks: recorded as typed, but never silently.
    A typed receipt quantity of an item with a pack size counts packs, as on the pallet (W24)."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "PO:PO-2001")
        await scan(pilot, "/qty 3")
        assert await scan(pilot, BUTTER_20_BLOCKS) == "WARNING"
        shown = banner_text(app)
        assert "QTY_DIFFERS_FROM_LABEL" in shown
        assert "You typed 3 BLOCK = 30 KG, the label says 20 BLOCK = 200 KG" in " ".join(shown.split())
    engine = create_engine(f"sqlite:///{database}")
    received = [payload(e) for e in events_of(engine) if e.type == "stock.received"]
    assert [(p["lot"], p["qty"]) for p in received] == [("BU77", 30)]


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


async def test_produce_from_consume_asks_the_quantity_and_warns_before_recording(tmp_path: Path) -> None:
    """Finding 8: `p` in consume mode recorded the whole planned 480 EA at once, silently past
    three BOM lines with nothing consumed, and the key bar did not show `p`."""
    app, database = demo_app(tmp_path)
    engine = create_engine(f"sqlite:///{database}")
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1002")
        await scan(pilot, "WO:WO-3001")
        await scan(pilot, "/qty 5")
        assert await scan(pilot, "(01)19521234001017(10)FLO9313B") == "ACCEPTED"
        assert "p  Produce" in str(app.query_one("#keys").render())
        before = len(events_of(engine))
        await press_letter(pilot, "p")
        asked = app.banner.verdict
        assert asked.level is Level.WARNING and not asked.recorded
        assert [r.code for r in asked.reasons] == ["INPUTS_MISSING"]
        shown = " ".join(banner_text(app).split())
        assert "Nothing recorded yet" in shown and "480 EA" in shown and "INPUTS_MISSING" in shown
        assert len(events_of(engine)) == before
        await press_letter(pilot, "q")
        await type_line(pilot, "240")
        await press_letter(pilot, "p")
        assert "240 EA" in " ".join(banner_text(app).split()) and not app.banner.verdict.recorded
        await press_letter(pilot, "p")
        assert app.banner.verdict.recorded
    [made] = [payload(e) for e in events_of(engine) if e.type == "lot.produced"]
    assert made["qty"] == 240 and [i["lot"] for i in made["inputs"]] == ["FLO9313B"]


async def test_at_40x16_the_fefo_prompt_and_the_line_stay_in_view_after_a_quantity(tmp_path: Path) -> None:
    """Finding 4: after `/qty 5` the work panel's 3 rows showed `Next scan: qty 5` and the NEXT
    line, the "Take lot X at Y" prompt was pushed out while the notice banner's rows stayed blank."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "/qty 5")
        await pilot.pause()
        work = app.query_one("#work")
        scroller = app.query_one("#work-scroll")
        shown = str(work.render())
        assert "Next scan: qty 5" in shown and "NEXT" in shown and "Take lot" in shown
        prompt = Text(shown.split("PL-4001")[0].rstrip("\n"))  # qty, the line to pick, the lot to take
        rows = len(prompt.wrap(app.console, work.content_size.width))
        assert scroller.scroll_y == 0 and rows <= scroller.scrollable_content_region.height, (rows, shown)


async def test_a_scan_for_a_complete_pick_line_is_one_refusal_naming_the_next_line(tmp_path: Path) -> None:
    """Finding 3: LOCATION_NEEDED first, then "needs only 0 EA more", with the finished line's
    FEFO lot suggested: a finished line asks nothing about where or which lot."""
    app, database = demo_app(tmp_path)
    engine = create_engine(f"sqlite:///{database}")
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        assert await scan(pilot, "(01)09521234001348(10)FG3526E") == "ACCEPTED"  # line 1: 30/30
        before = len(events_of(engine))
        await scan(pilot, "/qty 5")
        assert await scan(pilot, "(01)09521234001348(10)FG6624F") == "REJECTED"
        refused = app.banner.verdict
        assert [r.code for r in refused.reasons] == ["QTY_EXCEEDS_TASK"]
        assert "line 1 (Ginger nuts 250 g) is already complete (30 of 30 EA)" in refused.message
        assert "Next: line 2, Salted crackers 200 g, 20 EA." in refused.message
        assert refused.suggestion is None and "done" not in refused.details
    assert len(events_of(engine)) == before
