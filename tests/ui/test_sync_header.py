"""Issue 14 with issue 9's authority rules: the station's header says what central refused.

The user's action: a supervisor's station recorded a release central refuses (the station held
a lot, central quarantined it meanwhile, the station released it: RELEASE_NOT_ALLOWED). After
the sync round, the header reads "1 refused by central — F11 flagged" (F11 lists them), at 40x16
as at 120x40; offline, the offline line (issue 14 Build 6: "OFFLINE: central ... unreachable
since 14:02, 23 events waiting") keeps its place next to it. A real station cache, a real
central (SQLite and PostgreSQL) answering over its HTTP app, the real sync worker; an
unreachable central is a real closed port.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from lotscan.services.context import Workflow
from lotscan.station.factory import station_app
from lotscan.station.syncstate import SyncLink
from lotscan.sync import local
from lotscan.sync.worker import SyncWorker
from tests.central.conftest import central, db_url
from tests.central.support import Central, Station, record_a_release_central_refuses
from tests.plant import SUGAR
from tests.ui.conftest import FIXED_CLOCK, settle

__all__ = ["central", "db_url"]
pytestmark = pytest.mark.anyio


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refused_release(central: Central, tmp_path: Any) -> Station:
    """A station that recorded a release central will refuse."""
    station = Station(central, tmp_path, "ST1")
    assert record_a_release_central_refuses(central, station).recorded
    return station


async def sync_round(app: Any, station: Station, transport: Any) -> None:
    """One round of the station's real sync worker, reporting to the app as in `lotscan station`."""
    link = SyncLink.create(station.settings, app.post_message)
    worker = SyncWorker(station.engine, station.settings, link.on_state, transport=transport)
    await asyncio.to_thread(worker.sync_now)


def status_of(app: Any) -> tuple[str, int]:
    status = app.query_one("#status")
    return str(status.render()), status.region.height


@pytest.mark.parametrize("size", [(40, 16), (120, 40)], ids=["40x16", "120x40"])
async def test_the_header_says_how_many_events_central_refused(central: Central, tmp_path, size) -> None:
    station = refused_release(central, tmp_path)
    app = station_app(station.settings, service=station.service, clock=lambda: FIXED_CLOCK, start_sync=False)
    async with app.run_test(size=size) as pilot:
        await sync_round(app, station, central.transport)  # central refuses the release
        await settle(pilot)
        text, rows = status_of(app)
        assert "ONLINE" in text and "1 refused by central — F11 flagged" in text, text
        assert all(len(line) <= size[0] for line in text.splitlines()), text  # nothing cut
        assert rows == (2 if size[0] < 70 else 1)  # a handheld gives it a row of its own
    with station.engine.connect() as conn:
        assert local.set_aside_count(conn) == 1


async def test_offline_with_refused_events_at_40x16(central: Central, tmp_path) -> None:
    station = refused_release(central, tmp_path)
    app = station_app(station.settings, service=station.service, clock=lambda: FIXED_CLOCK, start_sync=False)
    async with app.run_test(size=(40, 16)) as pilot:
        await sync_round(app, station, central.transport)
        assert station.scan(f"(01){SUGAR}(10)S-1(30)2", Workflow.CONSUME, task="WO-1", location="A2").recorded
        with station.engine.begin() as conn:  # central moved away: nothing listens there
            local.set_state(conn, local.SERVER_URL, f"http://127.0.0.1:{closed_port()}")
        await sync_round(app, station, None)
        await settle(pilot)
        text, rows = status_of(app)
        first, second = text.splitlines()
        assert "OFFLINE since 08:30 ⇡1" in first and len(first) <= 40, first
        assert second.strip() == "1 refused by central — F11 flagged"
        assert rows == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one picture is enough
def test_offline_line_with_refused_events_snapshot(snap_compare, central: Central, tmp_path) -> None:
    """What a handheld shows offline with a refused event: the snapshot's SVG."""
    station = refused_release(central, tmp_path)
    app = station_app(station.settings, service=station.service, clock=lambda: FIXED_CLOCK, start_sync=False)

    async def before(pilot: Any) -> None:
        await sync_round(app, station, central.transport)
        with station.engine.begin() as conn:
            local.set_state(conn, local.SERVER_URL, "http://127.0.0.1:9")  # the discard port: refused
        assert station.scan(f"(01){SUGAR}(10)S-1(30)2", Workflow.CONSUME, task="WO-1", location="A2").recorded
        await sync_round(app, station, None)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(40, 16), run_before=before)
