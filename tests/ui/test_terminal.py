"""The real `lotscan station` in a pseudo-terminal: keys typed as a wedge scanner types them,
GS as the byte 0x1D (what ctrl+] sends), a bracketed paste, and Ctrl+Q to quit."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

from tests.plant import SUGAR, build_plant
from tests.ui.conftest import events_of, payload

GS = "\x1d"


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the station
            os.execve(sys.executable, [sys.executable, "-m", "lotscan", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.output = b""
        self.status: int | None = None

    @property
    def text(self) -> str:
        """The output without escape sequences (a repaint may split a line into runs)."""
        return re.sub(
            r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]",
            "",
            self.output.decode(errors="replace"),
        )

    def read_until(self, needle: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while needle not in self.text and time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
        return needle in self.text

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def wait(self, timeout: float = 10.0) -> int | None:
        """The exit status; a station still running after `timeout` is killed (status None)."""
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            self.read_until("\x00", 0.1)  # keep draining so the child never blocks on output
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        if self.status is None:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
            self.status = -9
            return None
        return self.status


def test_station_in_a_real_terminal_keeps_gs_and_reads_pastes(tmp_path: Path) -> None:
    database = tmp_path / "station.db"
    engine = build_plant(database)
    env = dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    terminal = Terminal(["station", "--db", str(database)], env)
    try:
        assert terminal.read_until("Scan>"), terminal.text[-2000:]
        terminal.send("OP:100\r")
        assert terminal.read_until("Signed in"), terminal.text[-2000:]
        terminal.send("\x1b[200~WO:WO-1\r\x1b[201~")  # a bracketed paste
        assert terminal.read_until("Consume on WO-1"), terminal.text[-2000:]
        terminal.send(f"01{SUGAR}10S-1{GS}302\r")
        assert terminal.read_until("Consumed 2 SACK of lot S-1"), terminal.text[-2000:]
        terminal.send("\x11")  # Ctrl+Q
        assert terminal.wait() == 0
    finally:
        terminal.wait(0.1)
        os.close(terminal.fd)
    (consumed,) = events_of(engine)
    assert consumed.raw == f"01{SUGAR}10S-1{GS}302" and payload(consumed)["qty"] == 2
