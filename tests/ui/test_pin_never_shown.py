"""A PIN is never shown while it is typed, in every front end of the station (tester ty, issue 14):
the line-by-line station (`lotscan demo --headless`, cli/interactive.py) in a real
pseudo-terminal, where the terminal itself echoed the digits after `PIN>`; the full-screen
station's PIN field (Textual Pilot); a browser tab (textual-serve's websocket protocol) and an
RF gun over SSH (a VT100 at 40x16, an xterm at 24x16), typed key by key as a person types. The field shows a
mark per key (`•`, `*` on a VT100), and nothing after the PIN is typed names it either."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.ui.conftest import banner_text, scan
from tests.ui.served import SshHandheld, WebHandheld, served_station
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_line_station_words import line_station, said_after, said_after_secret

PIN = "4321"  # Sam Supervisor's, badge 9001, on the demo cache


pytestmark = pytest.mark.anyio


def test_the_line_station_does_not_echo_a_pin_typed_at_its_pin_prompt(tmp_path: Path) -> None:
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:9001", "PIN>")
        start = len(terminal.text)
        for key in "4329\x7f1":  # a person typing, with a slip put right by Backspace
            terminal.send(key)
            time.sleep(0.05)
        terminal.read_until("\x00", 0.3)
        typed = terminal.text[start:]
        assert not any(digit in typed for digit in "12349"), repr(typed)
        terminal.send("\r")
        assert terminal.read_until("Signed in: Sam Supervisor"), terminal.text[-2000:]
        assert PIN not in terminal.text[start:], terminal.text[start:]
        said_after(terminal, "/signout", "Signed out")
        said_after(terminal, "OP:9001", "PIN>")
        wrong = said_after_secret(terminal, "1111", "PIN>")  # asked again, and not said back
        assert "Wrong PIN" in wrong, wrong
        said_after_secret(terminal, PIN, "Signed in")
        # The echo is back for what is not a PIN: said_after finds the typed line on the screen.
        said_after(terminal, "/mode lookup", "lookup]")


def pin_line(screen: str) -> str:
    """The scan line while the PIN is asked for: `PIN> ` and what it shows of the keys."""
    lines = [line.strip() for line in screen.splitlines() if "PIN>" in line]
    assert lines, screen
    return lines[-1]


async def test_the_station_pin_field_shows_a_mark_per_key_never_the_digits(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        for n, key in enumerate(PIN, start=1):
            await pilot.press(key)
            await pilot.pause(0.1)  # typed, not a scanner burst
            shown = str(app.capture.render())
            assert shown == "PIN> " + "•" * n + "▏", shown
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.session.operator is not None and app.session.operator.badge == "9001"
        assert PIN not in banner_text(app) and PIN not in str(app.capture.render())


async def test_a_browser_tab_and_an_rf_gun_show_a_mark_per_pin_key_never_the_digits(tmp_path: Path) -> None:
    with served_station(tmp_path) as served:
        tab = await WebHandheld(served, 40, 16).connect()
        gun = await SshHandheld(served, "gun-01", 40, 16, term="vt100").connect()
        colour_gun = await SshHandheld(served, "gun-02", 24, 16, term="xterm").connect()
        guns = {gun: "*", colour_gun: "•"}  # a VT100 gets plain ASCII
        try:
            await tab.type("OP:9001\r")
            for each in guns:
                await each.scan("OP:9001")
                await each.wait_for("PIN>")
            for n, key in enumerate(PIN, start=1):
                await tab.type(key)
                for each in guns:
                    each.type(key)
                await asyncio.sleep(0.25)  # a person typing
                assert pin_line(tab.text).startswith("PIN> " + "•" * n), tab.text
                for each, mark in guns.items():
                    assert pin_line(each.screen).startswith("PIN> " + mark * n), each.screen
            await tab.type("\r")
            for each in guns:
                each.type("\r")
                await each.wait_for("Signed in")
                assert PIN not in each.screen
                assert each.session is not None and PIN.encode() not in each.session.raw  # nor in any frame
            deadline = time.monotonic() + 20
            while "Signed in" not in tab.text:
                assert time.monotonic() < deadline, tab.text
                await asyncio.sleep(0.05)
            assert PIN not in tab.text
        finally:
            for each in guns:
                await each.close()
            await tab.close()
