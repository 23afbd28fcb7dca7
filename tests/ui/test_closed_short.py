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
