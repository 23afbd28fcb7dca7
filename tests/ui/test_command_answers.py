"""Command mistakes in the station app are answered plainly, in the neutral command style, with
what to do next; never with a verdict word, since no scan was judged (the last tester: after
U12, `/override` mistakes, `/short` with no pick list, `/confirm` with nothing to confirm and
`/mode hold` by an operator still answered REJECTED). The override key too: a badge that is not
a supervisor's approves nothing, and says so plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lotscan.station.app import StationApp
from tests.ui.conftest import banner_text, events_of, press_letter, scan, type_line
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

VERDICT_WORDS = ("REJECTED", "ACCEPTED", "WARNING", "NOT RECORDED")
RECALLED_FLOUR = "(01)19521234001017(10)FLO3961E"


def said(app: StationApp) -> str:
    return " ".join(banner_text(app).split())


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_command_mistakes_are_answered_plainly_with_what_to_do_next(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, database = demo_app(tmp_path)
    answers = {
        "/override BOGUS": "'BOGUS' is not an override reason",
        "/override SUPERVISOR_APPROVED 9001": "scanning their badge",
        "/short": "Scan the pick list (PL:...) first",
        "/confirm": "Nothing to confirm",
        "/mode hold": "Carla Picker is not a supervisor",
    }
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        for typed, answer in answers.items():
            await scan(pilot, typed)
            shown = said(app)
            assert app.banner.notice, (typed, shown)
            assert not any(word in shown for word in VERDICT_WORDS), (typed, shown)
            assert answer in shown, (typed, shown)
        assert app.session.workflow.value == "lookup" and app.session.override is None
        await press_letter(pilot, "t")  # the task key in a mode that has no tasks
        assert app.banner.notice and "Lookup needs no task. Press m to change mode." in said(app), said(app)
        await press_letter(pilot, "o")
        assert app.capture.label == "Supervisor"
        await type_line(pilot, "1002")  # Bob's badge: an operator, not a supervisor
        assert app.banner.notice and "Bob" in said(app) and "is not a supervisor" in said(app), said(app)
        assert "REJECTED" not in said(app) and app.session.override is None
        await scan(pilot, "WO:WO-3001")
        assert await scan(pilot, RECALLED_FLOUR) == "REJECTED"  # a scan judged: its verdict stays
        await press_letter(pilot, "o")
        assert app.banner.notice and "No override passes LOT_RECALLED" in said(app), said(app)
        assert "REJECTED" not in said(app)
    assert events_of(create_engine(f"sqlite:///{database}")) == []  # nothing recorded by any of it
