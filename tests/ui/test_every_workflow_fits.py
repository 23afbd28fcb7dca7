"""Issue 14 (tester Y3): every workflow, at an RF gun's 20x16 and 24x16, a handheld's 40x16, a
terminal's 80x24 and a kiosk's 120x40, after each step (the mode or task opened, an accepted
scan, a warning, a refusal, a long verdict of two warnings), shows every essential whole on the
terminal's rows: the keys, the verdict with its next action, the prompt, the line to pick and the
lot to take, the lot in the last scans. One may be cut only when the rows ran out on those before
it (`lotscan.station.rows`): the rows of the screen, not the widgets' own idea of them, are read.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widget import Widget

from lotscan.services.context import ScanContext, Workflow
from lotscan.station.app import StationApp
from lotscan.station.widgets.history import History
from lotscan.station.widgets.keybar import KeyBar
from lotscan.station.widgets.workpanel import WorkPanel
from tests.plant import COOKIE, FLOUR, SUGAR, UNLISTED
from tests.ui.conftest import scan, settle
from tests.ui.test_told_is_recorded import screen_lines

pytestmark = pytest.mark.anyio

Size = tuple[int, int]
SIZES: list[Size] = [(20, 16), (24, 16), (40, 16), (80, 24), (120, 40)]


def flour(lot: str, days: int, count: int) -> str:
    expiry = (ScanContext(Workflow.LOOKUP).today + timedelta(days=days)).strftime("%y%m%d")
    return f"(01){FLOUR}(17){expiry}(10){lot}(30){count}"


# Each journey opens its mode (and task), then scans to an accepted, a warned and a refused
# verdict where the workflow has them; receive ends on two warnings, each with its next action.
JOURNEYS: dict[str, list[str]] = {
    "receive": [
        "OP:100",
        "ASN:ASN-1",
        flour("F-NEW", 300, 20),
        f"(01){UNLISTED}(10)X",
        "/qty 3",
        flour("F-SHORT", 20, 2),
    ],
    "pick": [
        "OP:100",
        "PL:PL-1",
        f"(01){FLOUR}(10)F-LATE(30)5",
        f"(01){FLOUR}(10)F-RECALL",
        f"(01){FLOUR}(10)F-EARLY(30)5",
    ],
    "consume": [
        "OP:100",
        "/mode consume",
        "WO:WO-1",
        f"(01){SUGAR}(10)S-1(30)10",
        f"(01){FLOUR}(10)F-LATE(30)1",
        f"(01){FLOUR}(10)F-RECALL",
    ],
    "produce": ["OP:100", "/mode produce", "WO:WO-1", "/produce", "/produce"],
    "move": ["OP:100", "/mode move", f"(01){COOKIE}(10)C-1", "LOC:A2", f"(01){FLOUR}(10)F-RECALL", "LOC:A1"],
    "ship": ["OP:100", "SHP:SHP-1", f"(01){FLOUR}(10)F-EARLY(30)5", f"(01){FLOUR}(10)F-RECALL"],
    "hold": ["OP:900", "/mode hold", f"(01){SUGAR}(10)S-1", "/reason mould found", f"(01){SUGAR}(10)S-1"],
    "release": ["OP:900", "/mode release", "/reason lab test passed", f"(01){FLOUR}(10)F-HOLD"],
    "quarantine": ["OP:900", "/mode quarantine", "/reason damp sacks", f"(01){SUGAR}(10)S-1"],
    "count": ["OP:100", "/mode count", "LOC:A2", "/qty 100", f"(01){SUGAR}(10)S-1", f"(01){FLOUR}(10)F-OLD"],
    "lookup": [f"(01){SUGAR}(10)S-1", f"(01){FLOUR}(10)F-RECALL", "LOC:A1"],
}


def bare(text: str) -> str:
    """Without any white space: a text wrapped (or a word folded) at any width reads the same."""
    return "".join(text.split())


def seen(app: StationApp, widget: Widget) -> str:
    """What the terminal shows inside the widget (its border and scrollbar left out)."""
    region = widget.scrollable_content_region
    lines = screen_lines(app)[region.y : region.y + region.height]
    return bare(" ".join(line[region.x : region.x + region.width] for line in lines))


def essentials(app: StationApp) -> list[tuple[str, Widget, str]]:
    """In the order the rows go to them: the region whose rows show it, and its text."""
    main = app.screen_stack[0]
    keys, work, history = main.query_one(KeyBar), main.query_one(WorkPanel), main.query_one(History)
    newest = history.entries[0] if history.entries else None
    return [
        ("keys", keys, str(keys.render())),
        ("verdict", app.banner, str(app.banner.render())),
        ("prompt", main.query_one("#prompt"), str(main.query_one("#prompt").render())),
        ("work", main.query_one("#work-scroll"), work.first_text),
        ("last scan", history, f"lot {newest.lot}" if newest is not None and newest.lot else ""),
    ]


def nothing_essential_cut(app: StationApp, size: tuple[int, int], step: str) -> list[str]:
    """Asserts each essential is whole on screen, or that the rows ran out before it; returns
    the essentials cut that way."""
    width, height = size
    main = app.screen_stack[0]
    lines = screen_lines(app)
    assert len(lines) == height and all(len(line) <= width for line in lines), lines
    used = main.query_one("#status").region.height + main.query_one("#capture").region.height
    cut: list[str] = []
    for name, widget, text in essentials(app):
        rows = widget.region.height
        if name == "last scan" and width >= 70:
            rows = 0  # beside the work panel: the body's rows are counted once
        used += rows
        if bare(text) in seen(app, widget):
            continue
        assert used == height, f"{step}: {name} cut with rows to spare\n{text}\n" + "\n".join(lines)
        cut.append(name)
    return cut


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("workflow", list(JOURNEYS))
async def test_nothing_essential_is_cut_in_any_workflow(make_app, workflow: str, size: Size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        cut = nothing_essential_cut(app, size, "idle")
        assert not cut, cut
        for step in JOURNEYS[workflow]:
            await scan(pilot, step)
            await settle(pilot)
            cut = nothing_essential_cut(app, size, step)
            if size[0] >= 40:  # from a handheld's 40 columns up everything fits, always
                assert not cut, f"{step}: {cut}"
            # On an RF gun a verdict longer than the rows the keys leave (two warnings, a produced
            # lot's number and label) takes them all: cut, but only then (nothing_essential_cut).
            assert "keys" not in cut, f"{step}: {cut}"
