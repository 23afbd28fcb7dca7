"""Failures never show ACCEPTED; idle sign-out; typing with letters; Escape cancels."""

from __future__ import annotations

import time

import pytest

from lotscan.domain.policy import Policy
from lotscan.domain.verdict import Level
from tests.plant import SUGAR
from tests.ui.conftest import banner_text, events_of, post_scan, press_letter, scan, settle, type_line

pytestmark = pytest.mark.anyio


async def test_a_failure_inside_the_station_shows_rejected_not_recorded(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "WO:WO-1") == "ACCEPTED"

        service = app.session.service
        real_handle = service.handle

        def broken(*args, **kwargs):
            raise RuntimeError("disk on fire")

        service.handle = broken
        assert await scan(pilot, f"(01){SUGAR}(10)S-1(30)1") == "REJECTED"
        assert "NOT recorded" in banner_text(app)
        service.handle = real_handle
        level = await scan(pilot, f"(01){SUGAR}(10)S-1(30)2")
        assert level == "ACCEPTED", banner_text(app)  # the queue keeps going
    assert len(events_of(engine)) == 1


async def test_idle_operator_is_signed_out(make_app) -> None:
    app = make_app(policy=Policy(idle_signout_s=1))
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        app.last_activity = time.monotonic() - 5
        app._check_idle()
        await settle(pilot)
        assert app.session.operator is None
        assert "Signed out" in banner_text(app)


async def test_typing_mode_takes_letters_and_escape_cancels_a_field(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await press_letter(pilot, "e")
        assert app.capture.label == "Type"
        await type_line(pilot, "op:100")  # lower case would be hotkeys outside typing mode
        assert app.banner.verdict is not None
        await press_letter(pilot, "q")
        assert app.capture.label == "Qty"
        await pilot.press("escape")
        await settle(pilot)
        assert app.capture.label == "Scan"
        assert app.session.qty is None


async def test_function_keys_work_like_letters(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        await pilot.press("f2")
        await settle(pilot)
        assert "Mode" in str(app.screen.query_one("#menu-title").render())
        await pilot.press("k")
        await settle(pilot)
        assert app.session.workflow.value == "pick"
        await pilot.press("f10")
        await settle(pilot)
        assert app.session.operator is None
        assert app.banner.verdict.level is Level.ACCEPTED


async def test_sync_worker_state_shows_online_and_scanning_goes_on(make_app, monkeypatch) -> None:
    import threading

    from lotscan.station import syncstate

    class FakeWorker:
        def __init__(self, settings, on_state):
            self.on_state = on_state
            self.nudged = threading.Event()

        def start(self) -> None:
            self.on_state(type("S", (), {"value": "ONLINE"})(), detail="", pending=0, cache_age_s=3.0)

        def nudge(self) -> None:
            self.nudged.set()

        def stop(self) -> None:
            pass

    app = make_app(server_url="http://central.invalid")
    app.sync = syncstate.SyncLink(FakeWorker, app.settings, app.post_message)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(50):
            await pilot.pause(0.01)
            if "ONLINE" in str(app.query_one("#status").render()):
                break
        assert "ONLINE" in str(app.query_one("#status").render())
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "WO:WO-1") == "ACCEPTED"
        assert await scan(pilot, f"(01){SUGAR}(10)S-1(30)1") == "ACCEPTED"
        assert app.sync.worker.nudged.is_set()


async def test_help_lists_every_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        body = str(app.screen.query_one("#menu-body").render())
        assert "F10 or x" in body and "Sign out" in body and "/override" in body
        await pilot.press("space")  # scrolls; Esc or F1 close
        await settle(pilot)
        assert app.screen.id != "_default"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "_default"
        post_scan(app, "/help")
        await settle(pilot)
        assert "Help" in str(app.screen.query_one("#menu-title").render())
        post_scan(app, "OP:100")  # a scan fired at the help screen closes it and is not lost
        await settle(pilot, 1)
        assert app.screen.id == "_default"
        assert app.session.operator is not None


async def test_page_keys_scroll_the_work_panel_on_a_handheld(make_app) -> None:
    app = make_app()
    # 24x16, an RF gun: at 40x16 the rows the station shares (station/rows.py) now hold the whole
    # location list, and there is nothing to scroll.
    async with app.run_test(size=(24, 16)) as pilot:
        assert await scan(pilot, "LOC:A1") == "ACCEPTED"
        panel = app.query_one("#work-scroll")
        assert panel.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert panel.scroll_y > 0


async def test_the_real_sync_worker_starts_without_a_server_url_and_says_not_enrolled(make_app) -> None:
    from lotscan.station import syncstate

    app = make_app()
    assert app.settings.server_url is None
    app.sync = syncstate.SyncLink.create(app.settings, app.post_message)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            await pilot.pause(0.02)
            if app.sync.worker is not None and app.sync.live:
                break
        assert app.sync.worker.status.enrolled is False
        assert "not enrolled" in (app.sync.worker.status.last_error or "")
        assert "NOT ENROLLED (local only)" in str(app.query_one("#status").render())
        assert await scan(pilot, "OP:100") == "ACCEPTED"
