"""Tester V4, in the station app: after a short pick the line read `0/0` and a rescan of it
said "already complete (0 of 0 EA)", the ordered quantity lost. A line closed short keeps what
was ordered, says it was closed short, and a rescan says so with its figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotscan.domain.verdict import Level
from tests.ui.conftest import banner_text, press_letter, scan, type_line
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_told_is_recorded import on_screen

pytestmark = pytest.mark.anyio

GINGER_NUTS_FEFO = "(01)09521234001348(10)FG3526E"  # the demo's line 1 of PL-4001: 30 EA


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_line_closed_short_keeps_its_quantity_and_says_so_on_rescan(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await press_letter(pilot, "s")
        await type_line(pilot, "shelf empty")
        assert app.banner.verdict.level is Level.WARNING, banner_text(app)
        await scan(pilot, "PL:PL-4001")  # a notice: at 40x16 the banner gives the panel its rows back
        shown = on_screen(app)
        assert "0/30 closed short" in shown and "0/0" not in shown, shown
        assert await scan(pilot, GINGER_NUTS_FEFO) == "REJECTED"
        said = " ".join(banner_text(app).split())
        assert "was closed short (0 of 30 EA picked, 30 EA short)" in said, said
        assert "0 of 0" not in said


async def test_a_pick_list_done_with_a_line_closed_short_does_not_say_complete() -> None:
    """Tester W8 (hfixN's report): with every line done and one closed short, the panel said
    "Pick list complete." while the rescan said "done (1 of 2 closed short)"."""
    from datetime import date

    from lotscan.services.context import Workflow
    from lotscan.station.views import Workspace
    from lotscan.station.widgets.workpanel import workspace_text

    lines = [
        {"line_no": 1, "item": "A", "description": "Ginger nuts", "expected": 30, "done": 0, "short": 30},
        {"line_no": 2, "item": "B", "description": "Crackers", "expected": 20, "done": 20, "short": 0},
    ]
    details = {"task": "PL-1", "partner": None, "status": "open", "lines": lines}
    space = Workspace(Workflow.PICK, task="PL-1", task_details=details, pick_prompt=None)
    shown = workspace_text(space, None, date(2026, 11, 29), width=40).plain
    assert "Pick list done (1 line closed short)." in shown and "complete" not in shown, shown
    lines[0]["short"], lines[0]["done"] = 0, 30
    shown = workspace_text(space, None, date(2026, 11, 29), width=40).plain
    assert "Pick list complete." in shown, shown
