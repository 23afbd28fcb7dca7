"""Tester T5: a station enrolled while its app is open takes up central's name and lot part at once.

Before: the lot part was read only when StationService started, so the open app went on numbering
produced lots with its config id (`...-ST-01`, the same on every station left at the default) and
the screen kept saying "Station ST-01" until a restart. Real central (`lotscan central serve`,
SQLite), `lotscan enroll` over HTTP, the app driven with Pilot.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lotscan.central.db import write_tx
from lotscan.central.tokens import add_station
from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.station.factory import station_app
from lotscan.station.syncstate import SyncUpdate
from lotscan.store.db import open_cache
from lotscan.store.schema import LOT_PART_KEY, SyncState
from tests.central.processes import LOTSCAN, Server, free_port
from tests.central.support import Central
from tests.ui.conftest import FIXED_CLOCK, banner_text, events_of, payload, scan, settle

pytestmark = pytest.mark.anyio


async def test_an_enrolment_while_the_app_is_open_names_the_station_and_its_lots(tmp_path: Path) -> None:
    central = Central(f"sqlite:///{tmp_path / 'central.db'}")
    imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", central.url])
    assert imported.exit_code == 0, imported.output
    with write_tx(central.engine) as conn:
        name, code = add_station(conn, "PLANT1")
    server = Server(central.url, free_port(), tmp_path / "central.log")
    server.start()
    cache = tmp_path / "station.db"
    engine = open_cache(cache)
    settings = StationSettings(station_id="ST-01", database=cache)
    app = station_app(
        settings, service=StationService(engine, settings), clock=lambda: FIXED_CLOCK, start_sync=False
    )
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            assert "Station ST-01" in banner_text(app)
            enrolled = subprocess.run(
                [*LOTSCAN, "enroll", "--server", server.url, "--code", code, "--db", str(cache)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert enrolled.returncode == 0, enrolled.stderr
            app.post_message(SyncUpdate(True, "", pending=0))  # the worker's next report: ONLINE
            await settle(pilot)
            assert f"Station {name}" in banner_text(app)  # before: still "Station ST-01"
            for line in ("OP:1002", "/mode produce", "WO:WO-3001", "/produce", "/produce"):
                await scan(pilot, line)
    finally:
        server.stop()
        central.close()
    with engine.connect() as conn:
        part = conn.execute(select(SyncState.value).where(SyncState.key == LOT_PART_KEY)).scalar_one()
    [made] = [payload(e) for e in events_of(engine) if e.type == "lot.produced"]
    assert made["lot"].endswith(f"-{part}"), made  # before: ...-ST-01
    assert {e.station_id for e in events_of(engine)} == {name}
