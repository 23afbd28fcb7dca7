"""A served station (`lotscan station --web --ssh`, two session processes) enrolled while it
serves takes up the name central gave, everywhere, without a restart (issue 14: one station
name everywhere). Real central (`lotscan central serve`, SQLite), real `lotscan enroll`, real SSH
handhelds on VT100 screens, the page as a browser fetches it, a browser tab's websocket.

Before: the page title, the registry (`lotscan station sessions`), the sessions opened after
the enrolment and the handheld already open kept `ST-01` until the station was restarted.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from lotscan.central.db import write_tx
from lotscan.central.tokens import add_station
from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir
from tests.central.processes import LOTSCAN, Server
from tests.central.processes import free_port as central_port
from tests.central.support import Central
from tests.ui.served import Served, SshHandheld, WebHandheld, served_station

pytestmark = pytest.mark.anyio


async def page_title(url: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(url) as page:
        body = await page.text()
    return body.split("<title>", 1)[1].split("</title>", 1)[0]


async def title_becomes(url: str, title: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (shown := await page_title(url)) != title:
        assert time.monotonic() < deadline, f"the page's title is still {shown!r}"
        await asyncio.sleep(0.2)


async def registry_names(served: Served, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (shown := served.registry()["station"]) != name:
        assert time.monotonic() < deadline, f"the registry still says {shown!r}"
        await asyncio.sleep(0.2)


async def test_a_station_enrolled_while_it_serves_goes_by_central_s_name_everywhere(tmp_path: Path) -> None:
    central = Central(f"sqlite:///{tmp_path / 'central.db'}")
    imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", central.url])
    assert imported.exit_code == 0, imported.output
    with write_tx(central.engine) as conn:
        name, code = add_station(conn, "PLANT1")
    server = Server(central.url, central_port(), tmp_path / "central.log")
    server.start()
    try:
        with served_station(tmp_path, demo=False) as served:
            assert await page_title(served.url) == "lotscan station ST-01"
            before = await SshHandheld(served, "gun-01", 40, 16).connect()
            try:
                await before.wait_for("Station ST-01")
                enrolled = subprocess.run(
                    [
                        *LOTSCAN,
                        "enroll",
                        "--server",
                        server.url,
                        "--code",
                        code,
                        "--db",
                        str(served.database),
                    ],
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert enrolled.returncode == 0, enrolled.stderr
                # The handheld already open: its screen says the new name (before: ST-01).
                await before.wait_for(f"Station {name}", timeout=90)
                # The page a handheld's browser opens now, and the registry.
                await title_becomes(served.url, f"lotscan station {name}")
                await registry_names(served, name)
                # A handheld that connects after the enrolment, by SSH and by browser.
                after = await SshHandheld(served, "gun-02", 32, 16).connect()
                tab = await WebHandheld(served, 40, 16).connect()
                try:
                    await after.wait_for(f"Station {name}")
                    deadline = time.monotonic() + 30
                    while f"Station {name}" not in tab.text:
                        assert time.monotonic() < deadline, tab.text
                        await asyncio.sleep(0.1)
                    assert await after.scan("OP:1001") == "NOTICE"
                    assert await after.scan("ASN:ASN-1001") == "NOTICE"
                    level = await after.scan("01195212340010171727092510FL25001\x1d3020")
                    assert level == "ACCEPTED", after.screen
                finally:
                    await after.close()
                    await tab.close()
            finally:
                await before.close()
            rows = served.events()
            said = "ST-01" in before.screen
    finally:
        server.stop()
        central.close()
    assert not said
    assert [row.station_id for row in rows] == [name]
