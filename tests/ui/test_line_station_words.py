"""The line-by-line station (`lotscan demo --headless`, cli/interactive.py) in a pseudo-terminal:
what it calls a verdict is what the screen station calls it (station/wording.py), and what the
operator is told is what got recorded. A lookup, and a label to check before anything is
recorded, read NOT RECORDED, never ACCEPTED or WARNING; a recorded hold is not dressed up with
the lot's status as if it were a looked-up alarm."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.ui.test_terminal import Terminal


def said_after(terminal: Terminal, line: str, needle: str, timeout: float = 30.0) -> str:
    """Type `line` and return what the station printed for it, up to the next `needle` (the
    next prompt) after the echo of the line."""
    start = len(terminal.text)
    terminal.send(line + "\r")
    deadline = time.monotonic() + timeout
    while True:
        after = terminal.text[start:]
        echoed = after.find(line)
        if echoed >= 0 and needle in after[echoed + len(line) :]:
            said = after[echoed + len(line) :]
            return " ".join(said.replace("\a", "").split())
        assert time.monotonic() < deadline, terminal.text[-2000:]
        terminal.read_until("\x00", 0.1)


def said_after_secret(terminal: Terminal, secret: str, needle: str, timeout: float = 30.0) -> str:
    """Type `secret` (a PIN) at a prompt that does not echo it, then Enter; return what the station
    printed for it, up to `needle`. The secret itself is never in it."""
    start = len(terminal.text)
    terminal.send(secret + "\r")
    deadline = time.monotonic() + timeout
    while needle not in terminal.text[start:]:
        assert time.monotonic() < deadline, terminal.text[-2000:]
        terminal.read_until("\x00", 0.1)
    said = terminal.text[start:]
    assert secret not in said, said
    return " ".join(said.replace("\a", "").split())


@contextmanager
def line_station(tmp_path: Path) -> Iterator[Terminal]:
    """`lotscan demo --headless` in a pseudo-terminal on its own demo cache under tmp_path, at
    its first prompt; quit with Ctrl-D, which must exit 0."""
    env = dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    terminal = Terminal(["demo", "--headless"], env)
    try:
        assert terminal.read_until("> "), terminal.text[-2000:]
        yield terminal
        terminal.send("\x04")  # Ctrl-D
        assert terminal.wait() == 0
    finally:
        terminal.wait(0.1)
        os.close(terminal.fd)


def test_the_line_station_says_not_recorded_as_the_screen_does(tmp_path: Path) -> None:
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:9001", "PIN>")
        said_after_secret(terminal, "4321", "Signed in")
        said_after(terminal, "/mode lookup", "lookup]")
        recalled = said_after(terminal, "(01)19521234001017(10)FLO3961E", "lookup]")
        assert "NOT RECORDED RECALLED" in recalled and "ACCEPTED" not in recalled, recalled
        released = said_after(terminal, "(01)19521234001017(10)FLO9313B", "lookup]")
        assert "NOT RECORDED Lot FLO9313B" in released and "ACCEPTED" not in released, released
        place = said_after(terminal, "LOC:RM-A07", "lookup]")
        assert "NOT RECORDED Location RM-A07" in place and "ACCEPTED" not in place, place
        # A lot that swallowed the quantity (GS lost): asked about, nothing recorded yet.
        said_after(terminal, "/mode receive", "receive]")
        said_after(terminal, "ASN:ASN-1001", "ASN-1001]")
        suspicious = said_after(terminal, "01195212340010171727092510FL250033020", "ASN-1001]")
        assert "NOT RECORDED SUSPICIOUS_LOT" in suspicious, suspicious
        assert "WARNING" not in suspicious and "ACCEPTED" not in suspicious, suspicious
        # A hold that was recorded: the screen says ACCEPTED (or WARNING), the lot's new status
        # is what the sentence tells, not a code that reads like a looked-up alarm.
        said_after(terminal, "/mode hold", "hold]")
        said_after(terminal, "/reason damp sacks", "hold]")
        held = said_after(terminal, "(01)19521234001017(10)FLO9313B", "hold]")
        assert re.search(r"\b(ACCEPTED|WARNING)\b", held), held
        assert "NOT RECORDED" not in held and "ACCEPTED HOLD" not in held, held
    engine = create_engine(f"sqlite:///{tmp_path / 'lotscan' / 'demo.db'}")
    try:
        with engine.connect() as conn:
            types = [row.type for row in conn.execute(text("SELECT type FROM events ORDER BY seq"))]
    finally:
        engine.dispose()
    assert "stock.received" not in types  # the label to check recorded nothing
    assert len(types) == 1, types  # the hold, and nothing else
