"""Tester tz's walk, the station side fixed by helper fixa: scans a wedge scanner fires while the
station is still starting are taken one by one, never glued into one line (Z4); a code with
nothing after its prefix is refused with its reason code (Z5)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.conftest import banner_text, scan
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_terminal import Terminal


def test_scans_fired_while_the_station_starts_are_taken_one_by_one(tmp_path: Path) -> None:
    """Z4: `OP:1003` Enter `PL:PL-4001` Enter sent in the first second of `lotscan demo` sat in the
    Scan field as `OP:1003PL:PL-4001`, without their Enters: the terminal, still in line mode,
    had turned each Enter into a newline, which the capture ignored. The next `m` was typed onto
    that line instead of opening the mode menu, and Enter refused badge `1003PL:PL-4001`."""
    env = dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    terminal = Terminal(["demo"], env)
    try:
        terminal.send("OP:1003\rPL:PL-4001\r")  # at once: the station has not started yet
        assert terminal.read_until("Scan>", timeout=90), terminal.text[-2000:]
        assert terminal.read_until("Pick on PL-4001", timeout=15), terminal.text[-2000:]
        assert "Carla Picker  PICK PL-4001" in terminal.text, terminal.text[-2000:]  # signed in
        assert "OP:1003PL" not in terminal.text and "UNKNOWN_OPERATOR" not in terminal.text
        terminal.send("m")  # the Scan field is empty: m is the mode key again
        assert terminal.read_until("Mode  (* supervisor)"), terminal.text[-2000:]
        terminal.send("\x11")  # Ctrl+Q
        assert terminal.wait() == 0
    finally:
        terminal.wait(0.1)
        os.close(terminal.fd)


@pytest.mark.anyio
async def test_a_code_with_nothing_after_its_prefix_is_refused_with_its_reason_on_the_station(
    tmp_path: Path,
) -> None:
    """Z5: in lookup, `LOC:` showed a big REJECTED and "Nothing to do with this scan." with no
    reason code; signed in, `WO:` was "(empty) does not exist on this station" and `OP:` "Badge
    (empty) is not known here". Each is an unreadable code, named, with what to do."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        for data, what in [("LOC:", "location"), ("OP:", "operator")]:
            assert await scan(pilot, data) == "REJECTED"
            shown = " ".join(banner_text(app).split())
            assert "MALFORMED_GS1" in shown, shown
            assert f"This {what} code has no valid identifier after '{data}'" in shown, shown
        await scan(pilot, "OP:1003")
        assert await scan(pilot, "WO:") == "REJECTED"
        shown = " ".join(banner_text(app).split())
        assert "MALFORMED_GS1" in shown and "This work order code has no valid identifier" in shown, shown
        assert "(empty)" not in shown
