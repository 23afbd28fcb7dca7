"""Tester W13: on an RF gun of 20 columns (docs/handhelds.md: 16 to 24 rows of 20 to 40
columns) a NOT_FEFO warning was cut before it named the FEFO lot, the next action and `?Help`
were off screen, and three rows stayed blank. At 20x16 and 24x16 the verdict uses the rows the
panels give up, and the lot to take, the prompt and the help key are on screen."""

from __future__ import annotations

import pytest

from tests.plant import FLOUR
from tests.ui.conftest import scan, settle
from tests.ui.test_told_is_recorded import on_screen, screen_lines

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(20, 16), (24, 16)], ids=["20x16", "24x16"])
async def test_a_warning_on_a_20_column_gun_names_the_fefo_lot_and_keeps_the_keys(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for line in ("OP:100", "/mode consume", "WO:WO-1", "/qty 1"):
            await scan(pilot, line)
        assert await scan(pilot, f"(01){FLOUR}(10)F-LATE") == "WARNING"
        await settle(pilot)
        lines = screen_lines(app)
        shown = on_screen(app)
        assert "NOT_FEFO" in shown and "F-EARLY" in shown, shown  # the better lot, the point of it
        assert "?Help" in shown, shown
        assert "Scan>" in shown, shown
        assert len(lines) == size[1] and all(len(line) <= size[0] for line in lines)
        assert not any(line.strip() == "" for line in lines[-4:]), lines  # no blank rows at the foot
