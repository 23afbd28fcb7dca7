"""What one scan costs a served session's app (the CPU a served station spends per handheld scan
is mostly the app's key handling, styles, layout and paint, shared by every session of a
process): a network read's keys go to the scan line as one message, a run of verdicts of the
same kind and height restyles and lays out nothing, and the sync worker's counts reach the other
sessions spaced, not after every scan.

The session runs in this process on its real driver (`StreamDriver`), fed as a transport would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from textual import events

from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.app import StationApp
from lotscan.station.serve.driver import KeyBurst, TerminalLink
from lotscan.station.serve.hub import SharedSync, StationHub
from lotscan.station.serve.session import ServedSession
from lotscan.station.serve.terminal import TerminalKind
from lotscan.station.wedge import GS
from tests.plant import FLOUR
from tests.ui.conftest import events_of, key_event, payload, press_letter, settle

pytestmark = pytest.mark.anyio


def receive_label(lot: str) -> str:
    expiry = (date.today() + timedelta(days=300)).strftime("%y%m%d")
    return f"01{FLOUR}17{expiry}10{lot}{GS}301"


class Handheld:
    """A served session on a 40x16 VT100 (an RF gun), driven through its link."""

    def __init__(self, engine: Engine, tmp_path: Path) -> None:
        settings = StationSettings(station_id="ST1", database=tmp_path / "station.db")
        self.hub = StationHub(settings, service=StationService(engine, settings), start_sync=False)
        self.output: list[str] = []
        self.link = TerminalLink(TerminalKind.from_term("vt100"), self.output.append, (40, 16))
        self.served = ServedSession(self.hub, self.hub.open_session("ssh", "test"), self.link)
        self.task: asyncio.Task[None] | None = None

    @property
    def app(self) -> StationApp:
        return self.served.app

    async def start(self) -> None:
        self.task = asyncio.create_task(self.served.run())
        await self.until(lambda: "Scan>" in "".join(self.output))

    async def scan(self, keys: str) -> None:
        """The scanner's keys and Enter in one network read; back once the verdict is drawn and
        the work panel has caught up."""
        before = self.app.feed.handled
        self.link.feed(keys + "\r")
        await self.until(lambda: self.app.feed.handled > before and not self.app._refreshing)
        await asyncio.sleep(0.1)  # the frames after the verdict (last scans, work panel)

    async def until(self, done: Callable[[], bool]) -> None:
        for _ in range(1000):
            if done():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the session did not get there")

    async def stop(self) -> None:
        self.served.close()
        if self.task is not None:
            await self.task
        self.hub.close()


def counting(target: Any, name: str) -> list[int]:
    """Count the calls of one method of one object (the real method still runs)."""
    calls = [0]
    method = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return method(*args, **kwargs)

    setattr(target, name, counted)
    return calls


async def test_a_scan_read_off_the_network_at_once_reaches_the_scan_line_as_one_message(
    engine: Engine, tmp_path: Path
) -> None:
    handheld = Handheld(engine, tmp_path)
    await handheld.start()
    try:
        await handheld.scan("OP:100")
        await handheld.scan("ASN:ASN-1")
        bindings = counting(handheld.app, "_check_bindings")  # once per key when keys come one by one
        await handheld.scan(receive_label("F-NET1"))
        assert bindings[0] == 0
    finally:
        await handheld.stop()
    rows = events_of(engine)
    assert rows[-1].raw == receive_label("F-NET1")  # GS intact, recorded once
    assert payload(rows[-1])["lot"] == "F-NET1"


WARM_UP = 6  # accepted scans before the run is measured


async def test_a_run_of_accepted_scans_on_a_handheld_restyles_and_lays_out_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    handheld = Handheld(engine, tmp_path)
    await handheld.start()
    try:
        await handheld.scan("OP:100")
        await handheld.scan("ASN:ASN-1")
        # Until the last scans fill their rows the station shares rows anew (station/rows.py);
        # from then on a run of accepted scans is the steady state this measures.
        for n in range(WARM_UP):
            await handheld.scan(receive_label(f"F-RUN{n}"))
        app = handheld.app
        restyles = counting(app, "update_styles")
        layouts = counting(app.screen, "_refresh_layout")
        for n in range(WARM_UP, WARM_UP + 3):
            await handheld.scan(receive_label(f"F-RUN{n}"))
            assert "F-RUN" + str(n) in str(app.banner.render())
        assert (restyles[0], layouts[0]) == (0, 0)
        # A notice (fewer rows, another colour) restyles the banner once and lays it out again.
        await handheld.scan("/qty 2")
        assert restyles[0] == 1 and layouts[0] >= 1
    finally:
        await handheld.stop()
    runs = WARM_UP + 3
    assert [payload(r)["lot"] for r in events_of(engine)[-runs:]] == [f"F-RUN{n}" for n in range(runs)]


async def test_keys_that_came_together_into_an_open_menu_go_one_by_one_and_the_scan_is_kept(
    make_app: Callable[..., StationApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await press_letter(pilot, "m")
        assert app.screen.id != "_default"  # the mode menu has the focus, not the scan line
        app.post_message(KeyBurst([key_event(char) for char in "OP:100"] + [events.Key("enter", "\r")]))
        await settle(pilot, 1)
        assert app.session.operator is not None and app.session.operator.badge == "100"


def test_the_sync_workers_counts_reach_the_sessions_spaced_and_a_change_of_state_at_once(
    tmp_path: Path,
) -> None:
    """Every recorded scan nudges the sync worker, whose round then says how many events wait:
    passed on at once, each of twenty sessions would repaint its status line for every scan."""
    shared = SharedSync(StationSettings(station_id="ST1", database=tmp_path / "station.db"))
    shared.fanout_s = 0.3
    heard: list[tuple[str, int]] = []
    shared.listen(lambda state, **facts: heard.append((state, facts["pending"])))
    for pending in range(20):  # twenty scans recorded, a sync round after each
        shared._on_state("OFFLINE", detail="not enrolled", pending=pending)
    assert heard == [("OFFLINE", 0)]
    time.sleep(0.6)
    assert heard == [("OFFLINE", 0), ("OFFLINE", 19)]  # the latest count, once
    shared._on_state("ONLINE", detail="", pending=19)
    assert heard[-1] == ("ONLINE", 19)  # at once
    shared.stop()
