"""A supervisor mode chosen with key m opens the reason field at once; the banner then does not
say "give the reason first (key r)" (tester tz, Z9c, issue 14): the field was already open, so r
typed an `r` into the reason. It says where to type it, and the reason typed there is the one
the lot's hold is recorded with."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import banner_text, press_letter, scan, settle, type_line
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode_key", ["h", "e", "q"])  # hold, release, quarantine
async def test_a_supervisor_mode_opened_from_the_menu_does_not_send_to_key_r(
    tmp_path: Path, mode_key: str
) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        await type_line(pilot, "4321")
        await press_letter(pilot, "m")
        await pilot.pause(0.3)
        await pilot.press(mode_key)
        await pilot.pause(0.3)
        await settle(pilot)
        said = " ".join(banner_text(app).split())
        assert str(app.capture.render()).startswith("Reason> "), app.capture.render()
        assert "key r" not in said, said
        assert "give the reason first (type it at Reason>)" in said, said


async def test_key_r_still_named_when_the_reason_field_is_not_open(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:9001")
        await type_line(pilot, "4321")
        await scan(pilot, "/mode hold")  # typed: no field opens
        said = " ".join(banner_text(app).split())
        assert "give the reason first (key r)" in said, said
        await press_letter(pilot, "r")
        await type_line(pilot, "mould found")
        assert app.session.reason == "mould found"
