"""Tester tz's walk, the station side fixed by helper fixa: scans a wedge scanner fires while the
station is still starting are taken one by one, never glued into one line (Z4)."""

from __future__ import annotations

import os
from pathlib import Path

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
