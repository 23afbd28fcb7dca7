"""Issue 14 at the station screen, as an operator meets it: the help, the reason field, per-scan
values, reason codes on the banner, neutral notices, the offline line."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.services.demo import demo_barcodes
from lotscan.services.session import HELP
from lotscan.settings import load_settings
from lotscan.station.factory import station_app
from lotscan.station.keys import ACTIONS
from lotscan.station.syncstate import SyncUpdate
from lotscan.station.widgets.statusbar import StatusFacts, status_text
from tests.plant import FLOUR, SUGAR
from tests.ui.conftest import (
    FIXED_CLOCK,
    banner_text,
    events_of,
    payload,
    post_scan,
    press_letter,
    scan,
    scroll_to_the_longest_help_code,
    settle,
)

pytestmark = pytest.mark.anyio


def help_body(app) -> str:
    return str(app.screen.query_one("#menu-body").render())


@pytest.mark.parametrize("size", [(40, 16), (120, 40)], ids=["40x16", "120x40"])
async def test_help_scrolls_lists_everything_and_closes_with_esc_or_f1(tmp_path, size) -> None:
    database = tmp_path / "demo.db"  # the demo's help lists the demo barcodes
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        body = help_body(app)
        for action in ACTIONS:
            assert f"{action.fkey.upper()} or {action.letter}" in body
        for line in HELP.splitlines()[1:8]:
            assert line.split()[0] in body  # /mode /qty /override /reason /produce /short /signout
        assert [code for _what, code in demo_barcodes()] == help_codes(app)
        scroller = app.screen.query_one("#help-scroll")
        for key in ("pagedown", "down", "space", "end"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.id != "_default", f"{key} closed the help"
        if size == (40, 16):
            assert scroller.scroll_y > 0  # the end of the help is reachable on a handheld
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "_default"
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.id == "_default"


def help_codes(app) -> list[str]:
    """The barcodes the help lists, as shown: each on one line of its own."""
    shown = []
    for line in app.screen.query(".code"):
        rendered = line.render()
        assert line.size.height == 1 and "\n" not in rendered.plain, rendered.plain
        shown.append(rendered.plain.strip())
    return shown


async def test_no_demo_barcode_is_broken_across_lines_on_a_handheld(tmp_path) -> None:
    """Tester U13: at 40x16 the help's demo barcodes wrapped mid-code, and a user types them.
    Each code is on a line of its own, whole; one wider than the handheld scrolls sideways
    (right arrow) until its last character is on screen."""
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    settings = replace(load_settings(), database=database)
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        scroller = app.screen.query_one("#help-scroll")
        widest = max(app.screen.query(".code"), key=lambda line: line.size.width)
        visible = scroller.scrollable_content_region
        assert widest.size.width > visible.width  # wider than the handheld
        assert widest.region.right > visible.right  # its end is off screen to the right, at first
        assert await scroll_to_the_longest_help_code(pilot) is widest
        assert visible.y <= widest.region.y < visible.bottom
        assert widest.region.right <= visible.right  # its last character is on screen now
        for line in app.screen.query(".code"):
            assert line.size.height == 1 and line.size.width >= len(line.render().plain.strip())


async def test_a_reason_typed_fast_or_pasted_is_the_reason_not_a_scan(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await scan(pilot, "OP:900") == "ACCEPTED"
        await scan(pilot, "/mode hold")
        await press_letter(pilot, "r")
        post_scan(app, "mould on two sacks")  # a burst: as fast as a scanner
        await settle(pilot)
        assert app.session.reason == "mould on two sacks"
        assert await scan(pilot, f"(01){SUGAR}(10)S-1") == "ACCEPTED"
    [held] = [e for e in events_of(engine) if "mould" in e.payload]
    assert payload(held)["reason"] == "mould on two sacks"


async def test_a_reason_never_carries_over_to_another_mode(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await scan(pilot, "OP:900")
        await scan(pilot, "/mode hold")
        await scan(pilot, "/reason mould")
        await scan(pilot, "/mode release")
        assert await scan(pilot, f"(01){FLOUR}(10)F-HOLD") == "REJECTED"  # asks for its own reason
        assert "reason" in banner_text(app).lower()
    assert not [e for e in events_of(engine) if "released" in e.payload]


async def test_a_warning_shows_its_reason_code_and_a_badge_is_no_verdict(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:100")
        assert app.banner.has_class("-notice") and "ACCEPTED" not in banner_text(app)
        await scan(pilot, "PL:PL-1")
        assert app.banner.has_class("-notice")
        assert await scan(pilot, f"(01){FLOUR}(10)F-LATE(30)5") == "WARNING"
        assert "NOT_FEFO" in banner_text(app) and app.banner.has_class("-warning")


def test_the_offline_line_says_what_is_wrong_and_since_when() -> None:
    facts = StatusFacts(
        central="10.0.0.5:8080", online=False, sync_detail="ConnectError: refused", offline_since="14:02"
    )
    facts.pending = 23
    line = str(status_text(facts, 120))
    assert "OFFLINE: central 10.0.0.5:8080 unreachable since 14:02, 23 events waiting" in line


async def test_the_station_tells_when_it_went_offline(make_app) -> None:
    app = make_app(server_url="http://10.0.0.5:8080")
    async with app.run_test(size=(120, 40)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "WO:WO-1")
        await scan(pilot, f"(01){SUGAR}(10)S-1(30)1")  # one event waiting to sync
        app.post_message(SyncUpdate(False, "ConnectError: connection refused", pending=1))
        await settle(pilot)
        status = str(app.query_one("#status").render())
        assert "OFFLINE: central 10.0.0.5:8080 unreachable since 08:30, 1 event waiting" in status


def test_statusfacts_default_is_not_enrolled() -> None:
    # Tester U18: it read "OFFLINE: not enrolled with central since 06:21" (when the app started).
    line = str(status_text(StatusFacts(pending=3), 120))
    assert "NOT ENROLLED (local only): 3 events kept" in line and "OFFLINE" not in line, line
    assert "LOCAL ONLY 3 kept" in str(status_text(StatusFacts(pending=3, offline_since="06:21"), 40))


def test_a_supervisors_narrow_status_line_keeps_online_or_offline() -> None:
    """The sessions list goes last on a narrow line: at 40 columns the line cuts it, not the sync state."""
    sessions = "3 sessions (2 ssh 1 web, 2 signed in)"
    for online, word in ((True, "ONLINE"), (False, "OFFLINE")):
        facts = StatusFacts(
            operator="Sam Supervisor",
            mode="lookup",
            online=online,
            pending=4,
            sessions=sessions,
            central="10.0.0.5:8080",
        )
        line = str(status_text(facts, 40))
        assert line.index(word) < line.index("3 sessions") and line.index(word) + len(word) <= 40, line
        wide = str(status_text(facts, 120))
        assert wide.index(sessions) < wide.index(word)  # where there is room, next to who and mode


async def test_an_enrolled_station_offline_names_the_address_it_enrolled_with(tmp_path) -> None:
    """The URL `lotscan enroll --server` stored is the one the worker syncs to: the line names it
    (no `server` in station.toml), and the whole line fits at 100 columns."""
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    with sqlite3.connect(database) as conn:
        conn.execute("insert into sync_state(key, value) values ('server_url', 'http://127.0.0.1:18480')")
    settings = replace(load_settings(), database=database)
    assert settings.server_url is None
    app = station_app(settings, clock=lambda: FIXED_CLOCK, start_sync=False, start_devices=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1003")
        app.post_message(SyncUpdate(False, "ConnectError: connection refused", pending=0))
        await settle(pilot)
        status = str(app.query_one("#status").render())
        assert "OFFLINE: central 127.0.0.1:18480 unreachable since 08:30, 0 events waiting" in status, status
        assert "…" not in status and len(status.rstrip()) <= 100
