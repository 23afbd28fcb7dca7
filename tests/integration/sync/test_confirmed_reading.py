"""Tester W5 through sync: a label that lost its GS separators, confirmed by the operator at the
station, reaches central as the station recorded it (verdict WARNING, SUSPICIOUS_LOT naming who
confirmed what, the raw as the scanner sent it), and central applies it. SQLite and PostgreSQL
centrals, a real station cache and session, the real push."""

from __future__ import annotations

import json

from sqlalchemy import select

from lotscan.central.schema import received_events
from lotscan.domain.verdict import Level
from lotscan.services.session import StationSession
from tests.central.support import Station, state_of
from tests.plant import FLOUR

LOST = f"01{FLOUR}1728123110FL250033050"  # (10) FL25003 then (30) 50, no separator at all


def test_a_confirmed_reading_reaches_central_as_a_warning_with_the_raw_as_scanned(central, tmp_path) -> None:
    station = Station(central, tmp_path, "ST1")
    session = StationSession(station.service)
    session.submit("OP:100")
    session.submit("ASN:ASN-1")
    assert session.submit(LOST).verdict.level is Level.WARNING  # the question: nothing recorded
    confirmed = session.submit("/confirm").verdict
    assert confirmed.recorded and confirmed.level is Level.WARNING, confirmed
    assert station.sync().outcomes == {"applied": 1}
    with central.engine.connect() as conn:
        [row] = conn.execute(select(received_events).where(received_events.c.type == "stock.received")).all()
    assert (row.outcome, row.verdict, row.raw, row.operator) == ("applied", "WARNING", LOST, "100")
    [reason] = json.loads(row.reasons)
    assert (reason["code"], reason["level"]) == ("SUSPICIOUS_LOT", "WARNING")
    assert "Olga Operator (100) confirmed the label says" in reason["message"]
    assert state_of(central.engine)["stock"][("FLOUR", "FL25003", "DOCK")] == 50
