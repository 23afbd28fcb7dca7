"""Tester ty's Y1 at central: a lot the ASN does not announce, received while only the line of an
announced pallet is open, is recorded outside the ASN's lines; central applies the station's
events as they name their lines, so its ASN lines and stock are the station's, and the announced
pallet's full quantity lands on its own line. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lotscan.central.schema import received_events
from lotscan.services.context import ScanContext, Workflow
from tests.central.support import Central, Station, state_of
from tests.plant import FLOUR


def test_central_keeps_the_announced_pallets_line_for_it_as_the_station_does(
    central: Central, tmp_path: Path
) -> None:
    station = Station(central, tmp_path, "DOCK-1")
    ahead = (ScanContext(Workflow.LOOKUP).today + timedelta(days=300)).strftime("%y%m%d")
    on_asn = {"task": "ASN-1"}
    assert station.scan(f"(01){FLOUR}(17){ahead}(10)F-NEW(30)100", Workflow.RECEIVE, **on_asn).recorded
    other = station.scan(f"(01){FLOUR}(17){ahead}(10)F-OTHER(30)5", Workflow.RECEIVE, **on_asn)
    assert other.recorded and [r.code for r in other.reasons] == ["LOT_NOT_ANNOUNCED"]
    pallet = station.scan("(00)095212340000000013", Workflow.RECEIVE, qty=20, **on_asn)
    assert pallet.recorded, pallet.message
    station.sync()
    assert station.pending() == 0
    at_central, at_station = state_of(central.engine), state_of(station.engine)
    assert at_central["task_lines"][("ASN-1", 1)][0] == 100
    assert at_central["task_lines"][("ASN-1", 2)][0] == 20  # the pallet's, F-OTHER not in it
    assert at_central["task_lines"] == at_station["task_lines"]
    assert {k: v for k, v in at_central["stock"].items() if k[1] in ("F-NEW", "F-OTHER", "F-PAL")} == {
        ("FLOUR", "F-NEW", "DOCK"): 100,
        ("FLOUR", "F-OTHER", "DOCK"): 5,
        ("FLOUR", "F-PAL", "DOCK"): 20,
    }
    with central.engine.connect() as conn:
        lots = set(conn.execute(select(received_events.c.lot_code)).scalars())
    assert {"F-NEW", "F-OTHER", "F-PAL"} <= lots
