"""Tester W14: an urgent recall reaches an online station within seconds, and the FEFO prompt
on screen moves on to the next lot at once, saying why, instead of naming the recalled lot
until the next scan. A scan of the recalled lot is refused with the refusal's own advice only.

A real central (SQLite and PostgreSQL) answering over its HTTP app, a real station cache and the
real sync worker reporting to the app, the operator's keys through Pilot.
"""

from __future__ import annotations

from typing import Any

import pytest

from lotscan.station.factory import station_app
from tests.central.conftest import central, db_url
from tests.central.support import Central, Station
from tests.plant import FLOUR
from tests.ui.conftest import FIXED_CLOCK, banner_text, panel_text, scan, settle
from tests.ui.test_sync_header import sync_round

__all__ = ["central", "db_url"]
pytestmark = pytest.mark.anyio


def said(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(40, 16), (100, 30)], ids=["40x16", "100x30"])
async def test_a_recall_from_central_moves_the_prompt_on_and_says_why(
    central: Central, tmp_path: Any, size: tuple[int, int]
) -> None:
    # F-EARLY, the FEFO lot, lies in two places (A1 50, A2 5), as FLO3181D did for the tester.
    second_place = {"item": "FLOUR", "lot": "F-EARLY", "location": "A2", "qty": 5}
    central.import_rows(tmp_path, {"stock": [second_place]})
    station = Station(central, tmp_path, "ST1")
    app = station_app(station.settings, service=station.service, clock=lambda: FIXED_CLOCK, start_sync=False)
    async with app.run_test(size=size) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        await scan(pilot, "/mode consume")
        await scan(pilot, "WO:WO-1")
        assert "Take lot F-EARLY at" in said(panel_text(app)), panel_text(app)
        recalled = central.http.post(
            "/api/v1/admin/lots/F-EARLY/status",
            json={"action": "recall", "reason": "supplier", "item": "FLOUR"},
            headers=central.admin(),
        )
        assert recalled.status_code == 200, recalled.text
        await sync_round(app, station, central.transport)  # no key pressed
        await settle(pilot)
        panel = said(panel_text(app))
        assert "F-EARLY" not in panel and "F-LATE" in panel, panel  # the next FEFO lot
        banner = said(banner_text(app))
        assert "F-EARLY was recalled by central: take lot F-LATE at A2 instead." in banner, banner
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "REJECTED"
        refused = app.banner.verdict
        assert refused is not None and [r.code for r in refused.reasons] == ["LOT_RECALLED"], refused
        assert "Scan the location" not in refused.message, refused.message
