"""A pick list whose every line is picked or closed short is done, not "open" (tester tz, Z9g,
issue 14): after "Pick list done (1 line closed short)" the panel still read `PL-4001 (FreshMart
DC 12) open`, and the list of open tasks (the panel's, key t's) still offered PL-4001."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import panel_text, press_letter, scan, settle, type_line
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

GINGER_NUTS_FEFO = "(01)09521234001348(10)FG3526E"  # PL-4001 line 1: 30 EA at FG-B07


async def test_a_pick_list_done_reads_done_and_is_not_offered_as_open(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        assert "PL-4001 (FreshMart DC 12) open" in " ".join(panel_text(app).split())
        assert await scan(pilot, GINGER_NUTS_FEFO) in ("ACCEPTED", "WARNING")
        await press_letter(pilot, "s")  # line 2 closed short
        await type_line(pilot, "shelf empty")
        await settle(pilot)
        shown = " ".join(panel_text(app).split())
        assert "Pick list done (1 line closed short)" in shown, shown
        assert "PL-4001 (FreshMart DC 12) done" in shown and ") open" not in shown, shown
        await scan(pilot, "/mode lookup")
        await scan(pilot, "/mode pick")  # no task: the panel lists the open pick lists
        listed = " ".join(panel_text(app).split())
        assert "PL-4001" not in listed, listed  # the demo's only pick list
        await press_letter(pilot, "t")
        await pilot.pause(0.5)
        menu = " ".join(str(widget.render()) for widget in app.screen.query("*"))
        assert "PL-4001" not in menu, menu
        await pilot.press("escape")
        await scan(pilot, "PL:PL-4001")  # scanned, a done list still opens and says so
        assert "PL-4001 (FreshMart DC 12) done" in " ".join(panel_text(app).split())
