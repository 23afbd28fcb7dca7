"""The supervisor's list of shelves whose book stock went below zero (issue 14). Before, only
the STOCK_BELOW_ZERO warning of the scan that did it, and a lookup of that lot or place, said
so: nothing listed them for the supervisor the operator was told to tell.

55 SACK of F-EARLY consumed from A1 where the cache knew of 50 (the policy warns and records):
on a 40x16 handheld the supervisor presses z and reads A1, the lot, the item, -5 SACK, the scan
that took it and what to do (count the shelf); counted, the shelf leaves the list. The same
list from `lotscan cache below-zero`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from tests.plant import FLOUR
from tests.ui.conftest import press_letter, scan, settle
from tests.ui.test_told_is_recorded import on_screen

pytestmark = pytest.mark.anyio


async def test_a_supervisor_lists_the_shelves_below_zero_and_counts_them(make_app, tmp_path: Path) -> None:
    database = tmp_path / "station.db"
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "WO:WO-1")
        await scan(pilot, "LOC:A1")
        await scan(pilot, "/qty 55")
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "WARNING"
        await scan(pilot, "/signout")
        await scan(pilot, "OP:900")
        await press_letter(pilot, "z")
        await settle(pilot)
        shown = on_screen(app)
        assert "Stock below zero (1)" in shown, shown
        assert "A1 -5 SACK" in shown and "lot F-EARLY FLOUR" in shown, shown
        assert "by #1" in shown and "stock.consumed, operator 100" in shown, shown
        assert "Count the shelf" in shown and "Esc/F1 close" in shown, shown
        await pilot.press("escape")
        await settle(pilot)
        # Counted: 3 SACK are there. The count sets the book stock; A1 leaves the list.
        await scan(pilot, "/mode count")
        await scan(pilot, "LOC:A1")
        await scan(pilot, "/qty 3")
        await scan(pilot, f"(01){FLOUR}(10)F-EARLY")
        await scan(pilot, "/belowzero")  # typed, as the help lists it
        await settle(pilot)
        shown = on_screen(app)
        assert "Stock below zero (0)" in shown and "No shelf has book stock below zero" in shown, shown
    result = CliRunner().invoke(cli, ["cache", "below-zero", "--db", str(database)])
    assert result.exit_code == 0 and "No shelf has book stock below zero." in result.output, result.output


async def test_the_cli_lists_the_shelves_below_zero(make_app, tmp_path: Path) -> None:
    database = tmp_path / "station.db"
    async with make_app().run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "WO:WO-1")
        await scan(pilot, "LOC:A1")
        await scan(pilot, "/qty 55")
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "WARNING"
    result = CliRunner().invoke(cli, ["cache", "below-zero", "--db", str(database)])
    assert result.exit_code == 0, result.output
    assert "1 shelf/lot with book stock below zero. Count the shelf" in result.output
    assert "A1  lot F-EARLY  FLOUR" in result.output and "-5 SACK" in result.output
    assert "#1 stock.consumed, operator 100" in result.output
    result = CliRunner().invoke(cli, ["cache", "below-zero", "--json", "--db", str(database)])
    [row] = [json.loads(line) for line in result.output.splitlines()]
    assert (row["location"], row["lot"], row["item"], row["qty"], row["unit"]) == (
        "A1",
        "F-EARLY",
        "FLOUR",
        -5,
        "SACK",
    )
    assert row["seq"] == 1 and row["event_type"] == "stock.consumed" and row["occurred_at"]
