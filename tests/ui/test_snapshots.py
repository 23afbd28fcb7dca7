"""Snapshots of every workflow (the mode menu's eleven: receive, move, consume, produce, pick,
ship, hold, release, quarantine, count, lookup) at a handheld (40x16), a small terminal (80x24)
and a kiosk (120x40). Issue 14: at 40x16 nothing essential is cut (the prompt, the line to pick, the verdict
and its next action, the lot in the last scans, the keys).

The whole process travels to one fixed moment (time-machine) before the plant is built, so expiry
dates, days left and the date in a produced lot's code are the same on any day the suite runs.
Update with: pytest tests/ui/test_snapshots.py --snapshot-update. The README shows some of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
import time_machine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.policy import Policy
from lotscan.settings import load_settings
from lotscan.station.factory import station_app
from tests.plant import COOKIE, FLOUR, SUGAR
from tests.ui.conftest import FIXED_CLOCK, press_letter, scan, scroll_to_the_longest_help_code, settle

SIZES = [(40, 16), (80, 24), (120, 40)]
Steps = Callable[[Any], Awaitable[None]]


@pytest.fixture(autouse=True)
def fixed_day() -> Any:
    """Autouse fixtures are set up before `engine`, so the plant's relative dates use this day."""
    with time_machine.travel(FIXED_CLOCK, tick=True):
        yield


async def signed_in(pilot: Any, *scans: str) -> None:
    await scan(pilot, "OP:100")
    for code in scans:
        await scan(pilot, code)


async def sign_in(pilot: Any) -> None:
    await settle(pilot)


async def receive(pilot: Any) -> None:
    await signed_in(pilot, "ASN:ASN-1", f"(01){FLOUR}(17)271231(10)F-NEW(30)20", "(01)09521234009993(10)X")


async def pick(pilot: Any) -> None:
    await signed_in(pilot, "PL:PL-1", f"(01){FLOUR}(10)F-LATE(30)5")


async def pick_refused(pilot: Any) -> None:
    await signed_in(pilot, "PL:PL-1", f"(01){FLOUR}(10)F-RECALL")


async def consume(pilot: Any) -> None:
    await signed_in(pilot, "WO:WO-1", f"(01){SUGAR}(10)S-1(30)10")


async def produce(pilot: Any) -> None:
    await signed_in(pilot, "WO:WO-1", f"(01){SUGAR}(10)S-1(30)10")
    await press_letter(pilot, "m", "p")
    await scan(pilot, "/produce")
    await scan(pilot, "/produce")


async def move(pilot: Any) -> None:
    await signed_in(pilot)
    await press_letter(pilot, "m", "v")
    await scan(pilot, f"(01){COOKIE}(10)C-1")


async def moved(pilot: Any) -> None:
    """Tester U13: after the move, the last scans show the lot moved and where it went."""
    await move(pilot)
    await scan(pilot, "LOC:A2")


async def ship(pilot: Any) -> None:
    await signed_in(pilot, "SHP:SHP-1", f"(01){FLOUR}(10)F-EARLY(30)5")


async def hold(pilot: Any) -> None:
    await scan(pilot, "OP:900")
    await scan(pilot, "/mode hold")
    await scan(pilot, "/reason mould found")
    await scan(pilot, f"(01){SUGAR}(10)S-1")


async def release(pilot: Any) -> None:
    await scan(pilot, "OP:900")
    await scan(pilot, "/mode release")
    await scan(pilot, "/reason lab test passed")
    await scan(pilot, f"(01){FLOUR}(10)F-HOLD")


async def quarantine(pilot: Any) -> None:
    await scan(pilot, "OP:900")
    await scan(pilot, "/mode quarantine")
    await scan(pilot, "/reason damp sacks")
    await scan(pilot, f"(01){SUGAR}(10)S-1")


async def count(pilot: Any) -> None:
    await signed_in(pilot, "/mode count", "LOC:A2", "/qty 100", f"(01){SUGAR}(10)S-1")


async def lookup(pilot: Any) -> None:
    await scan(pilot, f"(01){SUGAR}(10)S-1")


async def two_warnings(pilot: Any) -> None:
    """Tester's #15a: two recorded warnings, each with its next action (long at 40x16)."""
    await signed_in(pilot, "ASN:ASN-1", "/qty 3", f"(01){FLOUR}(17)260204(10)F-SHORT(30)2")


async def label_to_check(pilot: Any) -> None:
    """Tester's #15b: a lost GS separator is asked about; nothing recorded (NOT RECORDED)."""
    await signed_in(pilot, "ASN:ASN-1", f"01{FLOUR}1727123110F-NEW3020")


async def stock_below_zero(pilot: Any) -> None:
    """Tester's #4: 55 consumed at A1 where 50 were known; A1's lookup shows -5. (The location,
    not the lot: a lot's lookup lists its events' times, which move with the machine's load.)"""
    await signed_in(pilot, "WO:WO-1", "LOC:A1", "/qty 55", f"(01){FLOUR}(10)F-EARLY")
    await scan(pilot, "/mode lookup")
    await scan(pilot, "LOC:A1")


async def below_zero_panel(pilot: Any) -> None:
    """Issue 14: the supervisor's list of shelves below zero (z), after the consumption above."""
    await signed_in(pilot, "WO:WO-1", "LOC:A1", "/qty 55", f"(01){FLOUR}(10)F-EARLY")
    await press_letter(pilot, "z")
    await settle(pilot)


async def help_screen(pilot: Any) -> None:
    await signed_in(pilot)
    await press_letter(pilot, "question_mark")


async def mode_menu(pilot: Any) -> None:
    await signed_in(pilot)
    await press_letter(pilot, "m")


SCREENS: dict[str, Steps] = {
    "sign-in": sign_in,
    "receive": receive,
    "pick-fefo-warning": pick,
    "pick-refused": pick_refused,
    "consume": consume,
    "produce": produce,
    "move": move,
    "moved": moved,
    "ship": ship,
    "hold": hold,
    "release": release,
    "quarantine": quarantine,
    "count": count,
    "lookup": lookup,
    "two-warnings": two_warnings,
    "label-to-check": label_to_check,
    "stock-below-zero": stock_below_zero,
    "below-zero-panel": below_zero_panel,
    "help": help_screen,
    "mode-menu": mode_menu,
}


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=SCREENS[screen])


async def not_fefo(pilot: Any) -> None:
    """Tester W13: a NOT_FEFO warning, long at 20 columns, naming the lot that was due first."""
    await signed_in(pilot, "/mode consume", "WO:WO-1", "/qty 1", f"(01){FLOUR}(10)F-LATE")


RF_GUNS = [(20, 16), (24, 16)]  # docs/handhelds.md: 16 to 24 rows of 20 to 40 columns
RF_GUN_SCREENS = {"pick": pick, "pick-refused": pick_refused, "not-fefo": not_fefo}


@pytest.mark.slow
@pytest.mark.parametrize("size", RF_GUNS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(RF_GUN_SCREENS))
def test_rf_gun_screen(snap_compare, make_app, screen: str, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=RF_GUN_SCREENS[screen])


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_pin_entry_is_masked(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await scan(pilot, "OP:100")
        await pilot.press("1", "2", "3")
        await pilot.pause(0.1)

    assert snap_compare(make_app(policy=Policy(require_pin=True)), terminal_size=size, run_before=before)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_demo_help_codes(snap_compare, tmp_path, size: tuple[int, int]) -> None:
    """Tester U13: the demo's help, scrolled down to the longest barcode, then sideways to its
    end: each code on a line of its own, never broken; at 40x16 it scrolls sideways."""
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), station_id="ST1", database=database)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)

    async def to_the_longest_code(pilot: Any) -> None:
        await press_letter(pilot, "question_mark")
        await scroll_to_the_longest_help_code(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=to_the_longest_code)
    finally:
        app.session.service.engine.dispose()
