"""A badge scanned again at the PIN prompt restarts the sign-in and never spends a PIN try
(tester tz, Z15, issue 14): people re-scan their badge to start over, and the station took
`OP:9001` as a wrong PIN, so one typo and two re-scans locked a supervisor out for 5 minutes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import banner_text, scan
from tests.ui.test_floor_walk import demo_app

PIN = "4321"  # Sam Supervisor's, badge 9001, on the demo cache

pytestmark = pytest.mark.anyio


async def type_pin(pilot: Pilot[Any], pin: str) -> None:
    for key in pin:
        await pilot.press(key)
        await pilot.pause(0.1)  # typed, not a scanner burst
    await pilot.press("enter")
    await pilot.pause(0.3)


async def test_rescanning_the_badge_at_the_pin_prompt_is_not_a_wrong_pin(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)  # the shipped policy: 3 tries, then 5 min locked
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:9001")
        await type_pin(pilot, "1111")  # one typo
        assert "Wrong PIN. Type it again (2 tries left)" in banner_text(app), banner_text(app)
        for _ in range(3):  # the badge again, to start over: a badge, not a PIN
            await scan(pilot, "OP:9001")
            said = banner_text(app)
            assert "Wrong PIN" not in said and "PIN_LOCKED" not in said, said
            assert "enter your PIN" in said, said
            assert app.session.awaiting_pin_for == "9001"
        await type_pin(pilot, "2222")  # a second typo: the one typo before still counts
        assert "Wrong PIN. Type it again (1 try left)" in banner_text(app), banner_text(app)
        await type_pin(pilot, PIN)
        assert app.session.operator is not None and app.session.operator.badge == "9001", banner_text(app)
        assert PIN not in banner_text(app)


async def test_another_badge_at_the_pin_prompt_starts_that_badges_sign_in(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        await scan(pilot, "OP:1003")  # Carla came to the station instead: no PIN needed
        assert app.session.awaiting_pin_for is None
        assert app.session.operator is not None and app.session.operator.badge == "1003", banner_text(app)
        await scan(pilot, "/signout")
        await scan(pilot, "OP:9001")
        await type_pin(pilot, PIN)  # Sam's tries were never spent
        assert app.session.operator is not None and app.session.operator.badge == "9001", banner_text(app)


async def test_a_wrong_pin_shows_its_reason_code_and_one_sentence(tmp_path: Path) -> None:
    """Z15, also: the `Wrong PIN` refusal showed the big REJECTED with no reason code, unlike
    PIN_LOCKED (issue 14 Build 6: a warning or refusal shows its reason code)."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        await type_pin(pilot, "1111")
        said = " ".join(banner_text(app).split())
        assert "WRONG_PIN" in said and "Type it again (2 tries left), or Esc to cancel." in said, said
        assert "Try again or ask a supervisor" not in said, said
        assert "1111" not in said
