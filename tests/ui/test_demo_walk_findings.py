"""What walking the README's demo journey in tmux found (issue 14, at 40x16 and 100x30, on a
machine at load 18), each as the operator's action on the demo cache with Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from lotscan.station.syncstate import SyncUpdate
from tests.ui.conftest import banner_text, key_event, scan, settle
from tests.ui.test_floor_walk import demo_app
from tests.ui.test_tester_hfix import recorded
from tests.ui.test_told_is_recorded import screen_lines

pytestmark = pytest.mark.anyio


async def test_a_receive_label_that_arrives_in_two_runs_is_received_whole(tmp_path: Path) -> None:
    """The README's receive line, fired at the station while the machine was busy, reached it in
    two runs of keys 0.1 s apart: '(01)...(17)271231' stayed on the scan line as if typed, and
    '(10)FL25001(30)20' was judged alone ('Read (10) FL25001, (30) 20; nothing recorded yet. Now
    scan the label's GTIN'). The junk then stayed on the scan line for every later scan."""
    app, database = demo_app(tmp_path)
    label = "(01)19521234001017(17)271231(10)FL25001(30)20"
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "ASN:ASN-1001")
        for char in label[:28]:
            app.post_message(key_event(char))
        await pilot.pause()
        await asyncio.sleep(0.12)  # the machine stalls between two reads of the terminal
        for char in label[28:]:
            app.post_message(key_event(char))
        await pilot.press("enter")
        await settle(pilot)
        assert app.capture.wedge.text == ""  # nothing left on the scan line
    [received] = recorded(database, "stock.received")
    assert received["lot"] == "FL25001", received


async def test_produce_mode_tells_the_operator_to_press_p_not_to_scan_a_label(tmp_path: Path) -> None:
    """Produce mode on WO-3001 said 'Produce: scan a label.', while any label scanned there
    plans the output lot: the action is p (or /produce). The prompt and the task's notice now
    say so, on a 40x16 handheld; p then asks before it records, as before."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "/mode produce")
        await scan(pilot, "WO:WO-3001")
        shown = " ".join(str(app.query_one("#prompt").render()).split())
        assert shown == "Produce on WO-3001: press p (or /produce) to make the output lot.", shown
        said = " ".join(banner_text(app).split())
        assert said == "Produce on WO-3001: press p (or /produce) to make the output lot.", said
        assert "scan a label" not in said


@pytest.mark.parametrize("size", [(40, 16), (100, 30)], ids=["40x16", "100x30"])
async def test_a_label_notice_in_the_last_scans_names_its_lot_first(tmp_path: Path, size) -> None:
    """After p, p in produce mode the last scans read 'label: Internal label requ…' at 100x30
    and 'Internal label requested f…' at 40x16: the lot the label is for was cut off. It now
    comes first, as for a scan."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "/mode produce")
        await scan(pilot, "WO:WO-3001")
        await scan(pilot, "/produce")
        await scan(pilot, "/produce")
        [made] = recorded(database, "lot.produced")
        for _ in range(100):
            await settle(pilot)
            if app.label_notices:
                break
        assert app.label_notices, "no label notice"
        await scan(pilot, "/qty 1")  # a short notice: the last scans get their rows back
        await settle(pilot)
        shown = screen_lines(app)
        assert any(f"lot {made['lot']}" in line for line in shown), "\n".join(shown)


async def test_hold_mode_asks_for_the_reason_before_the_lot(tmp_path: Path) -> None:
    """Hold mode's prompt said 'Hold: scan a label.' while a lot scanned without a reason is
    refused (MISSING_CONTEXT) and each lot needs its own reason (a reason never carries over);
    the work panel said 'then scan each lot'. The prompt now asks for the reason first, then
    names it while the lot is scanned; after the hold it asks again."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        await scan(pilot, "4321")
        await scan(pilot, "/mode hold")
        prompt = " ".join(str(app.query_one("#prompt").render()).split())
        assert prompt == "Hold: give the reason first (key r), then scan the lot.", prompt
        await scan(pilot, "/reason damp sacks")
        prompt = " ".join(str(app.query_one("#prompt").render()).split())
        assert prompt == "Hold with reason 'damp sacks': scan the lot.", prompt
        assert await scan(pilot, "(01)19521234001017(10)FLO9313B") == "ACCEPTED"
        prompt = " ".join(str(app.query_one("#prompt").render()).split())
        assert prompt.startswith("Hold: give the reason first"), prompt
    [held] = recorded(database, "lot.status_changed")
    assert held["reason"] == "damp sacks", held


async def test_the_handheld_offline_line_keeps_the_events_waiting(tmp_path: Path) -> None:
    """At 40x16 with PL-4001 the status line read 'Carla  PICK PL-4001  OFFLINE since 06:…':
    the events waiting were cut. It drops 'since' first: 'Carla  PICK PL-4001  OFFLINE ⇡2'."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        app.post_message(SyncUpdate(False, "central 10.0.0.5:8080 unreachable", pending=2))
        await settle(pilot)
        [status] = screen_lines(app)[:1]
        assert status.strip() == "Carla  PICK PL-4001  OFFLINE ⇡2", status
