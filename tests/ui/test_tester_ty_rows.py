"""Tester ty's re-walk of issue 14 (finding Y3), on the demo: "At 40x16 nothing essential is cut".
After an accepted FEFO pick the next prompt's "Take lot ... at ..." line scrolled out of the work
panel at 40x16 (blank banner rows above it); at 20x16 the prompt was cut to "Take FG1252E",
without the place and quantity, while rows stayed blank; at 24x16 `?Help` dropped from the key
bar when the `oOvr` key came. The screen's rows are now shared by what is essential
(`lotscan.station.rows`); each test reads the terminal's rows, as a person does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.settings import load_settings
from lotscan.station.app import StationApp
from lotscan.station.factory import station_app
from tests.ui.conftest import FIXED_CLOCK, scan, settle
from tests.ui.test_told_is_recorded import on_screen, screen_lines

pytestmark = pytest.mark.anyio

GINGER_FEFO = "(01)09521234001348(10)FG3526E"  # the demo's FEFO lot of line 1 of PL-4001, 30 EA
GINGER_LATER = "(01)09521234001348(10)FG6624F"  # a later-expiring lot: NOT_FEFO
# The FEFO lot straight away, and the README's journey: 10 of the later lot first, then the rest.
JOURNEYS = {"fefo": [GINGER_FEFO], "readme": ["/qty 10", GINGER_LATER, GINGER_FEFO]}
HANDHELDS = [(20, 16), (24, 16), (32, 16), (40, 16)]


def demo_station(tmp_path: Path) -> StationApp:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    return station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)


def fits(app: StationApp, size: tuple[int, int]) -> None:
    lines = screen_lines(app)
    assert len(lines) == size[1] and all(len(line) <= size[0] for line in lines), lines


@pytest.mark.parametrize("journey", list(JOURNEYS))
@pytest.mark.parametrize("size", HANDHELDS, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_after_an_accepted_pick_the_next_lot_its_place_and_quantity_are_on_screen(
    tmp_path, size, journey
) -> None:
    """Y3 at 40x16 and 20x16: the verdict, the prompt, the next line to pick with the lot to take,
    its place, how many and how many are there, the lot just picked in the last scans, every key."""
    app = demo_station(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        for line in JOURNEYS[journey]:
            await scan(pilot, line)
        assert app.banner.verdict is not None and app.banner.verdict.level.value == "ACCEPTED"
        await settle(pilot)
        prompt = app.query_one("#work").space.pick_prompt  # type: ignore[attr-defined]
        assert prompt["line_no"] == 2 and prompt["lot"] == "FG1252E", prompt
        shown = on_screen(app)
        assert "ACCEPTED" in shown and "EA of lot FG3526E" in shown, shown  # the verdict
        assert "Pick: scan a label." in shown, shown  # the prompt
        assert "FG1252E" in shown and "FG-B06" in shown and "20 EA" in shown, shown  # lot, place, qty
        assert "5 there" in shown and "d left" in shown, shown  # the Take-lot line to its end
        assert "line 2" in shown, shown  # the line to pick
        assert "lot FG3526E" in shown, shown  # the lot in the last scans
        assert "Scan>" in shown and "?Help" in shown and "qQty" in shown and "sShort" in shown, shown
        fits(app, size)


@pytest.mark.parametrize("size", HANDHELDS, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_help_key_stays_when_the_override_key_comes(tmp_path, size) -> None:
    """Y3 at 24x16: `?Help` dropped off the key bar when `oOvr` joined it. A rescan of the
    complete line is refused QTY_EXCEEDS_TASK, which an override may pass: `o` is offered."""
    app = demo_station(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        assert await scan(pilot, GINGER_FEFO) == "ACCEPTED"
        assert await scan(pilot, GINGER_FEFO) == "REJECTED"
        await settle(pilot)
        shown = on_screen(app)
        assert "QTY_EXCEEDS_TASK" in shown, shown  # the verdict's code
        assert "oOvr" in shown and "?Help" in shown and "xOut" in shown, shown  # every key
        assert "Scan>" in shown, shown
        if size[0] >= 24:
            assert "FG1252E" in shown and "FG-B06" in shown, shown  # the next lot still named
        else:  # 20x16: the refusal takes the 11 rows the keys leave; its next action names the line
            assert "Next: line 2, Salted crackers 200 g, 20 EA." in shown, shown
        fits(app, size)


async def test_a_resize_to_a_gun_redraws_the_prompt_for_its_width(tmp_path) -> None:
    """Opened at 40x16, then shrunk to 20x16 (a terminal resized): the work panel redraws the
    lot to take for 20 columns, with its place and quantity, rather than keeping the 40-column
    text cut after its first words."""
    app = demo_station(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        assert await scan(pilot, GINGER_FEFO) == "ACCEPTED"
        await pilot.resize_terminal(20, 16)
        await settle(pilot)
        shown = on_screen(app)
        assert "FG1252E" in shown and "FG-B06" in shown and "20 EA" in shown, shown
        assert "?Help" in shown and "lot FG3526E" in shown, shown
        fits(app, (20, 16))
