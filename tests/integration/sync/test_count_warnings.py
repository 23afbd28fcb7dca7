"""Tester W21/W23 through sync: a count of a lot never received, whose label is expired, and a
receipt of a lot code that is another lot's but for letter case, reach central as the station
recorded them (verdict WARNING, LOT_NOT_RECEIVED and EXPIRED_COUNTED, SUSPICIOUS_LOT) and are
applied. SQLite and PostgreSQL centrals, a real station cache and session, the real push."""

from __future__ import annotations

import json

from sqlalchemy import select

from lotscan.central.schema import received_events
from lotscan.domain.events import EventType
from lotscan.domain.verdict import Level
from lotscan.services.session import StationSession
from tests.central.support import Station
from tests.plant import FLOUR


def _stored(central, event_type: str) -> list:  # type: ignore[no-untyped-def]
    with central.engine.connect() as conn:
        return list(conn.execute(select(received_events).where(received_events.c.type == event_type)).all())


def _signed_in(central, tmp_path, *lines: str) -> tuple[Station, StationSession]:  # type: ignore[no-untyped-def]
    station = Station(central, tmp_path, "ST1")
    session = StationSession(station.service)
    for line in ("OP:100", *lines):
        session.submit(line)
    return station, session


def test_a_count_of_a_lot_never_received_with_an_expired_label_reaches_central(central, tmp_path) -> None:
    station, session = _signed_in(central, tmp_path, "/mode count")
    session.submit("LOC:A1")
    session.submit("/qty 4")
    counted = session.submit(f"01{FLOUR}1720010110ZZ998").verdict
    assert counted.recorded and counted.level is Level.WARNING, counted
    assert {r.code for r in counted.reasons} == {"LOT_NOT_RECEIVED", "EXPIRED_COUNTED"}
    assert station.sync().outcomes == {"applied": 1}
    [row] = _stored(central, EventType.STOCK_COUNTED)
    assert (row.outcome, row.verdict) == ("applied", "WARNING")
    assert {r["code"] for r in json.loads(row.reasons)} == {"LOT_NOT_RECEIVED", "EXPIRED_COUNTED"}


def test_a_case_flipped_receipt_reaches_central_with_suspicious_lot(central, tmp_path) -> None:
    station, session = _signed_in(central, tmp_path, "ASN:ASN-1")
    session.submit("/qty 5")
    received = session.submit(f"01{FLOUR}10f-late").verdict
    assert received.recorded and received.level is Level.WARNING, received
    assert "Did you mean lot F-LATE?" in received.message
    assert set(station.sync().outcomes) == {"applied"}  # the receipt and its label request
    [row] = _stored(central, EventType.STOCK_RECEIVED)
    assert (row.outcome, row.verdict) == ("applied", "WARNING")
    assert "SUSPICIOUS_LOT" in {r["code"] for r in json.loads(row.reasons)}
