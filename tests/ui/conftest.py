"""A station app on the small known plant, and helpers that drive it like a scanner would."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

from lotscan.domain.policy import Policy
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.app import StationApp
from lotscan.station.factory import station_app
from lotscan.station.wedge import GS
from lotscan.store.schema import Event
from tests.plant import build_plant

FIXED_CLOCK = datetime(2026, 1, 15, 8, 30, 0)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return build_plant(tmp_path / "station.db")


@pytest.fixture
def make_app(engine: Engine, tmp_path: Path) -> Callable[..., StationApp]:
    def make(policy: Policy | None = None, **settings: Any) -> StationApp:
        station_settings = StationSettings(
            station_id="ST1", database=tmp_path / "station.db", policy=policy or Policy(), **settings
        )
        return station_app(
            station_settings,
            service=StationService(engine, station_settings),
            clock=lambda: FIXED_CLOCK,
            start_sync=False,
        )

    return make


def key_event(char: str) -> events.Key:
    if char == GS:
        return events.Key("ctrl+right_square_bracket", GS)
    return events.Key(_character_to_key(char), char)


def post_scan(app: StationApp, text: str) -> None:
    """Post a scan's key events as fast as possible, like a keyboard-wedge burst."""
    for char in text:
        app.post_message(key_event(char))
    app.post_message(events.Key("enter", "\r"))


async def settle(pilot: Pilot[Any], expect: int | None = None) -> None:
    """Wait until every queued scan is judged and the work panel has caught up."""
    app = pilot.app
    assert isinstance(app, StationApp)
    for _ in range(500):
        await pilot.pause(0.01)
        queue = app.feed.queue
        done = expect is None or app.feed.handled >= expect
        busy = any(w.is_running and w.group in ("supervisor", "tasks", "refused") for w in app.workers)
        if done and not busy and queue.empty() and queue._unfinished_tasks == 0 and not app._refreshing:  # type: ignore[attr-defined]
            break
    await pilot.pause(0.02)


async def scan(pilot: Pilot[Any], text: str) -> str:
    """Scan one label; returns the banner's level word."""
    app = pilot.app
    assert isinstance(app, StationApp)
    before = app.feed.handled
    post_scan(app, text)
    await settle(pilot, before + 1)
    return app.banner.verdict.level.value if app.banner.verdict else "NONE"


async def press_letter(pilot: Pilot[Any], *keys: str) -> None:
    """Single-letter keys fire once no other key follows within the burst gap."""
    app = pilot.app
    assert isinstance(app, StationApp)
    for key in keys:
        await pilot.press(key)
        await pilot.pause(0.06)
        for _ in range(200):  # a loaded machine may fire the hotkey timer late
            held = getattr(app.screen, "held", None)  # a menu choice waits as long
            if app.capture.wedge.text == "" and held is None:
                break
            await pilot.pause(0.01)
    await settle(pilot)


async def scroll_to_the_longest_help_code(pilot: Pilot[Any]) -> Any:
    """With the help open, the arrow keys a user presses to read the longest barcode: down until
    its row is on screen, then right until its last character is. Returns that code's line."""
    visible = pilot.app.screen.query_one("#help-scroll").scrollable_content_region
    longest = max(pilot.app.screen.query(".code"), key=lambda line: line.size.width)
    for _ in range(100):
        if visible.y <= longest.region.y < visible.bottom - 1:
            break
        await pilot.press("down")
        await settle(pilot)
    for _ in range(longest.size.width):
        await pilot.press("right")
    await settle(pilot)
    return longest


async def type_line(pilot: Pilot[Any], text: str) -> None:
    """A person typing a value into the current field, then Enter."""
    for char in text:
        await pilot.press(_character_to_key(char) if not char.isalnum() else char)
        await pilot.pause(0.06)
    await pilot.press("enter")
    await settle(pilot)


def events_of(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(Event.__table__).order_by(Event.seq)).all())


def payload(event: Any) -> dict[str, Any]:
    return json.loads(event.payload)


def banner_text(app: StationApp) -> str:
    return str(app.banner.render())


def panel_text(app: StationApp) -> str:
    return str(app.query_one("#work").render())


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
