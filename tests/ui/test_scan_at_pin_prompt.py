"""A scan at the PIN prompt that is no PIN (a location, a task, a product label, a command) is
refused, naming what it was, and never spends a PIN try (tester tz2, A3, issue 14): three such
reads locked a supervisor out for 5 minutes though no PIN was ever typed. And Esc at the line
station's `PIN>` cancels, as its prompt says, instead of being a wrong PIN (tester tz2, A4)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.ui.conftest import banner_text, scan
from tests.ui.test_badge_at_pin_prompt import type_pin
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_line_station_words import line_station, said_after
from tests.ui.test_terminal import Terminal

PIN = "4321"  # Sam Supervisor's, badge 9001, on the demo cache
NOT_PINS = ("LOC:RM-A01", "WO:WO-3001", "(01)09521234001348(10)FG3526E")

pytestmark = pytest.mark.anyio


def said_at_pin(terminal: Terminal, line: str, needle: str, timeout: float = 30.0) -> str:
    """Type `line` at `PIN>` (not echoed) and Enter; what the station printed up to `needle`."""
    start = len(terminal.text)
    terminal.send(line + "\r")
    deadline = time.monotonic() + timeout
    while needle not in terminal.text[start:]:
        assert time.monotonic() < deadline, terminal.text[-2000:]
        terminal.read_until("\x00", 0.1)
    return " ".join(terminal.text[start:].replace("\a", "").split())


async def test_scans_at_the_pin_prompt_are_named_and_spend_no_try_in_the_app(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)  # the shipped policy: 3 tries, then 5 min locked
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:9001")
        for code, named in zip(NOT_PINS, ("location code", "work order code", "product label"), strict=True):
            await scan(pilot, code)  # a scanner burst at PIN>
            said = " ".join(banner_text(app).split())
            assert f"That was a {named}" in said and "no PIN try was spent (3 tries left)" in said, said
            assert "Wrong PIN" not in said and "PIN_LOCKED" not in said, said
            assert app.session.awaiting_pin_for == "9001"
        await type_pin(pilot, PIN)
        assert app.session.operator is not None and app.session.operator.badge == "9001", banner_text(app)


def test_scans_at_the_line_stations_pin_prompt_are_named_and_spend_no_try(tmp_path: Path) -> None:
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:9001", "PIN>")
        for code in (*NOT_PINS, "/signout"):
            said = said_at_pin(terminal, code, "PIN>")
            assert "not a PIN: no PIN try was spent (3 tries left)" in said, said
            assert "Wrong PIN" not in said and "PIN_LOCKED" not in said, said
        assert "That was a location code (LOC:RM-A01)" in terminal.text, terminal.text[-2000:]
        said = said_at_pin(terminal, PIN, "Signed in")
        assert "Sam Supervisor" in said and PIN not in said, said


def test_esc_at_the_line_stations_pin_prompt_cancels_and_spends_no_try(tmp_path: Path) -> None:
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:9001", "PIN>")
        said = said_at_pin(terminal, "\x1b", "> ")
        assert "No PIN asked any more; no try was spent" in said and "Wrong PIN" not in said, said
        said_after(terminal, "OP:9001", "PIN>")  # the badge again: asked afresh
        wrong = said_at_pin(terminal, "1111", "PIN>")
        assert "Type it again (2 tries left)" in wrong, wrong  # the Esc was no try
        said_at_pin(terminal, PIN, "Signed in")
