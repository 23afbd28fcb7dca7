"""Tester W18 (SQLite and PostgreSQL, real station cache, real sync over central's HTTP app): a
recalled lot moved into a pickable bin was plain ACCEPTED at the station and applied without a
flag at central. Moved anywhere but a hold area, a recalled, held, quarantined or rejected lot is
recorded with a warning at the station, LOT_OUT_OF_HOLD naming the hold area, and flagged with
the same code at central; moved into the hold area, it is the right move and stays plain."""

from __future__ import annotations

from pathlib import Path

from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from tests.central.support import Central, Station, auth
from tests.plant import FLOUR


def test_a_recalled_lot_moved_out_of_the_hold_area_warns_at_the_station_and_is_flagged_at_central(
    central: Central, tmp_path: Path
) -> None:
    station = Station(central, tmp_path, "ST1")
    label = f"(01){FLOUR}(10)F-RECALL"  # recalled, 9 at A2 (the plant)
    out = station.scan(label, Workflow.MOVE, location="A2", to_location="A1", qty=4)
    assert out.recorded and out.level is Level.WARNING, out
    assert [r.code for r in out.reasons] == ["LOT_OUT_OF_HOLD"]
    assert "Lot F-RECALL is RECALLED and is now at A1" in out.message and "(HOLD)" in out.message, out.message
    into_hold = station.scan(label, Workflow.MOVE, location="A2", to_location="HOLD", qty=5)
    assert into_hold.recorded and into_hold.level is Level.ACCEPTED and not into_hold.reasons, into_hold
    station.sync()
    flagged = central.http.get("/api/v1/flagged", headers=auth(station.token)).json()
    assert [f["code"] for f in flagged] == ["LOT_OUT_OF_HOLD"], flagged  # the move into HOLD is not
    assert "lot F-RECALL of FLOUR is recalled and was moved to A1, which is not a hold area" in str(flagged)
