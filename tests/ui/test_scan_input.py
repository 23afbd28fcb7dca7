"""Scan input through the real app: fast bursts with GS, pastes, scans into an open menu, devices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from textual import events

from lotscan.codes.scan import RawScan, Source
from lotscan.devices.messages import DeviceState, PortalResult, ScanRead, State
from lotscan.station.devicelink import DeviceEvent
from lotscan.station.wedge import GS
from tests.plant import FLOUR, SUGAR
from tests.ui.conftest import events_of, payload, post_scan, press_letter, scan, settle

pytestmark = pytest.mark.anyio


async def test_fifty_scans_as_fast_as_keys_can_be_posted_are_each_recorded_once(make_app, engine) -> None:
    app = make_app()
    expiry = (date.today() + timedelta(days=300)).strftime("%y%m%d")
    labels = [f"01{FLOUR}17{expiry}10F-B{n:02d}{GS}301" for n in range(50)]
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-1") == "ACCEPTED"
        before = app.feed.handled
        for label in labels:  # no waiting between keys or scans
            post_scan(app, label)
        await settle(pilot, before + 50)
        assert app.feed.handled == before + 50
    rows = events_of(engine)
    assert [r.raw for r in rows] == labels  # each exactly once, in order, GS intact
    assert [payload(r)["lot"] for r in rows] == [f"F-B{n:02d}" for n in range(50)]
    assert all(payload(r)["qty"] == 1 for r in rows)


async def test_each_line_of_a_paste_is_a_scan(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.capture.post_message(events.Paste("OP:100\nPL:PL-1\n"))
        await settle(pilot, 2)
        assert app.session.operator is not None and app.session.task == "PL-1"
        history = str(app.query_one("#history").render())
        assert "paste: PL:PL-1" in history


async def test_a_scan_fired_while_a_menu_is_open_is_not_lost(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await press_letter(pilot, "m")
        assert app.screen.id != "_default"
        post_scan(app, "OP:100")
        await settle(pilot, 1)
        assert app.session.operator is not None and app.session.operator.badge == "100"


async def test_a_digital_link_fired_at_the_mode_menu_is_a_scan_not_hold(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:900") == "ACCEPTED"  # a supervisor: hold would be allowed
        await press_letter(pilot, "m")
        post_scan(app, f"https://id.gs1.org/01/{FLOUR}/10/F-EARLY")
        await settle(pilot, 2)
        assert app.screen.id == "_default"
        assert app.session.workflow.value == "lookup"
        assert "Lot F-EARLY" in str(app.banner.render())


async def test_device_scans_join_the_queue_and_device_state_shows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        app.post_message(DeviceEvent(DeviceState("dock-scanner", State.CONNECTED)))
        app.post_message(
            DeviceEvent(ScanRead(RawScan(b"OP:100", source=Source.SERIAL, device_id="dock-scanner")))
        )
        await settle(pilot, 1)
        assert app.session.operator is not None
        assert "dock-scanner ●connected" in str(app.query_one("#status").render())
        assert "dock-scanner" in str(app.query_one("#history").render())
        now = datetime.now()
        app.post_message(
            DeviceEvent(PortalResult("door-1", ("a", "b"), ("a",), ("c",), ("b",), now, now, 1.0))
        )
        await settle(pilot)
        assert "door-1: 2 tags, 1 expected; MISSING c; 1 unexpected" in str(
            app.query_one("#history").render()
        )


async def test_a_serial_scanner_on_a_pty_feeds_the_same_queue(make_app, engine) -> None:
    from lotscan.devices.profiles import load_profile
    from lotscan.devices.simulate import PtyPort, ScannerSimulator

    with PtyPort() as pty:
        app = make_app(devices=({"id": "dock-scanner", "profile": "honeywell-serial", "port": pty.address},))
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(300):
                await pilot.pause(0.01)
                if app.facts.devices.get("dock-scanner") == "connected":
                    break
            assert "dock-scanner ●connected" in str(app.query_one("#status").render())
            sim = ScannerSimulator(pty, load_profile("honeywell-serial"))
            sim.send("OP:100")
            sim.send("WO:WO-1")
            sim.send(f"01{SUGAR}10S-1{GS}302", aim_id="]C1")
            for _ in range(300):
                await pilot.pause(0.01)
                if app.feed.handled >= 3 and not app._refreshing:
                    break
            assert app.banner.verdict.level.value == "ACCEPTED", app.banner.verdict
    (consumed,) = events_of(engine)
    assert consumed.raw == f"01{SUGAR}10S-1{GS}302" and payload(consumed)["qty"] == 2
