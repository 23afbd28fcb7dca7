"""Tester X5, in the station app at 40x16: after the README pick journey (PL-4001 line 1 30/30),
Carla scanned FG-B01 and FG3526E (which is at DOCK-OUT and FG-B07, not at FG-B01). The screen said
only QTY_EXCEEDS_TASK; a supervisor's override of it also passed a WRONG_LOCATION nobody was shown,
and FG-B01 was booked at -1. A refusal lists every reason that blocks the scan, and taking a lot
from a place the records say holds none is never overridden (count the place first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from textual.pilot import Pilot

from lotscan.domain.policy import Policy
from lotscan.domain.verdict import Level
from lotscan.station.app import StationApp
from tests.integration.cli.test_tester_hfixG import stock_of
from tests.ui.conftest import (
    events_of,
    payload,
    post_scan,
    press_letter,
    scan,
    settle,
    type_line,
)
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_told_is_recorded import on_screen

pytestmark = pytest.mark.anyio

GINGER_NUTS_FEFO = "(01)09521234001348(10)FG3526E"  # line 1 of PL-4001; at FG-B07 in the demo
GINGER_NUTS_LATER = "(01)09521234001348(10)FG6624F"


async def test_a_complete_line_scanned_at_a_place_without_the_lot_names_both_and_no_override_passes_it(
    tmp_path: Path,
) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "/qty 10")
        assert await scan(pilot, GINGER_NUTS_LATER) == "WARNING"
        assert await scan(pilot, GINGER_NUTS_FEFO) == "ACCEPTED"  # line 1: 30/30
        before = stock_of(database, "FG3526E")
        assert "FG-B01" not in before, before
        recorded = len(events_of(create_engine(f"sqlite:///{database}")))
        await scan(pilot, "LOC:FG-B01")
        assert await scan(pilot, GINGER_NUTS_FEFO) == "REJECTED"
        verdict = app.last_scan_verdict
        assert verdict is not None
        refusing = [r.code for r in verdict.reasons if r.level is Level.REJECTED]
        assert refusing == ["QTY_EXCEEDS_TASK", "WRONG_LOCATION"], refusing
        shown = on_screen(app)
        assert "WRONG_LOCATION" in shown and "QTY_EXCEEDS_TASK" in shown, shown
        assert "Ovr" not in shown, shown  # no override is offered for it
        await press_letter(pilot, "o")
        shown = on_screen(app)
        assert "No override passes WRONG_LOCATION" in shown, shown
        assert await scan(pilot, GINGER_NUTS_FEFO) == "REJECTED"
        assert stock_of(database, "FG3526E") == before
        assert len(events_of(create_engine(f"sqlite:///{database}"))) == recorded


async def approve_override(app: StationApp, pilot: Pilot[Any]) -> str:
    """Key o, Sam's badge and PIN, reason 1: the title of the reason menu the supervisor saw."""
    await press_letter(pilot, "o")
    post_scan(app, "OP:9001")
    await settle(pilot)
    await type_line(pilot, "4321")
    for _ in range(200):
        await pilot.pause(0.01)
        if app.screen.id != "_default" and app.screen.query("#menu-title"):
            break
    title = str(app.screen.query_one("#menu-title").render())
    await press_letter(pilot, "1")  # SUPERVISOR_APPROVED
    return title


async def test_an_override_passes_only_the_reasons_the_supervisor_was_shown(tmp_path: Path) -> None:
    """The approval of an over-pick (QTY_EXCEEDS_TASK) was spent on the next scan whatever it
    found: a later lot, refused NOT_FEFO at this site, passed on an approval nobody gave for it."""
    app, database = demo_app(tmp_path, Policy.from_mapping({"levels": {"NOT_FEFO": "REJECTED"}}))
    engine = create_engine(f"sqlite:///{database}")
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "/qty 40")
        assert await scan(pilot, GINGER_NUTS_FEFO) == "REJECTED"  # the line needs 30
        assert [r.code for r in app.last_scan_verdict.reasons] == ["QTY_EXCEEDS_TASK"]
        title = await approve_override(app, pilot)
        assert "QTY_EXCEEDS_TASK" in title and "Sam" in title, title
        assert "SUPERVISOR_APPROVED of QTY_EXCEEDS_TASK only" in on_screen(app), on_screen(app)
        recorded = len(events_of(engine))
        await scan(pilot, "/qty 40")
        assert await scan(pilot, GINGER_NUTS_LATER) == "REJECTED"
        said = [(r.code, r.message) for r in app.last_scan_verdict.reasons]
        assert [code for code, _ in said] == ["NOT_FEFO", "QTY_EXCEEDS_TASK", "BAD_OVERRIDE"], said
        assert "also refused for NOT_FEFO" in said[-1][1], said
        assert len(events_of(engine)) == recorded
        assert app.session.override is None  # spent: asked again
        title = await approve_override(app, pilot)
        assert "NOT_FEFO, QTY_EXCEEDS_TASK" in title, title
        await scan(pilot, "/qty 40")
        assert await scan(pilot, GINGER_NUTS_LATER) == "WARNING"
    picked = payload(events_of(engine)[-1])
    assert (picked["lot"], picked["qty"], picked["override_by"]) == ("FG6624F", 40, "9001")
