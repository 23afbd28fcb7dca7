"""Rugged handhelds of 24 and 32 columns (issue 14: long verdicts were checked at 40 columns
and wider only). At 24x16 and 32x16 nothing essential is cut: the prompt, the line to pick, the
verdict with its next action, the lot in the last scans, the keys. Below 20x16 (24x12: the
verdict's next action, the status line and the last scans were cut off) the station says that
the terminal is too small, how big it is and what it needs, takes no scan meanwhile, and comes
back as it was once the terminal is larger.
"""

from __future__ import annotations

import pytest

from tests.plant import FLOUR
from tests.ui.conftest import scan, settle
from tests.ui.test_told_is_recorded import on_screen, screen_lines

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(24, 16), (32, 16)], ids=["24x16", "32x16"])
async def test_a_pick_on_a_narrow_handheld_shows_everything_a_scan_needs(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        shown = on_screen(app)
        assert "Pick: scan a label." in shown, shown  # the prompt
        assert "F-EARLY" in shown and "A1" in shown and "20" in shown, shown  # the line to pick
        assert await scan(pilot, f"(01){FLOUR}(10)F-RECALL") == "REJECTED"
        await settle(pilot)
        shown = on_screen(app)
        assert "LOT_RECALLED" in shown and "move it to the hold area" in shown, shown  # verdict
        assert "Take lot F-EARLY at A1" in shown, shown  # and its next action
        assert "lot F-RECALL" in shown, shown  # the lot in the last scans
        assert "Scan>" in shown and "?Help" in shown and "qQty" in shown, shown  # scan line, keys
        lines = screen_lines(app)
        assert len(lines) == size[1] and all(len(line) <= size[0] for line in lines)


async def test_a_terminal_too_small_says_so_and_takes_no_scan_until_it_is_larger(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(24, 12)) as pilot:
        await settle(pilot)
        shown = on_screen(app)
        assert "SCREEN TOO SMALL: 24x12" in shown and "needs 20x16 or more" in shown, shown
        assert "No scan is taken until then" in shown, shown
        for key in "OP:100":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.operator is None  # not judged: nobody could have read its verdict
        await pilot.resize_terminal(32, 16)
        await settle(pilot)
        shown = on_screen(app)
        assert "TOO SMALL" not in shown and "Scan>" in shown, shown
        await scan(pilot, "OP:100")
        assert app.session.operator is not None
        await pilot.resize_terminal(32, 12)
        await settle(pilot)
        assert "SCREEN TOO SMALL: 32x12" in on_screen(app)
        await pilot.resize_terminal(40, 16)
        await settle(pilot)
        await scan(pilot, "PL:PL-1")
        assert "Pick: scan a label." in on_screen(app)
