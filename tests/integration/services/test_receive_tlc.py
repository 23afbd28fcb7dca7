"""FSMA 204, 21 CFR 1.1320(b): a receiver keeps the traceability lot code it was given. The
station's receive records the supplier's lot (AI 10 on their label) as the lot's TLC."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store.schema import Event, Lot
from tests.plant import FLOUR, build_plant


def test_receive_keeps_the_suppliers_lot_as_the_tlc(tmp_path: Path) -> None:
    engine = build_plant(tmp_path / "station.db")
    station = StationService(engine, StationSettings(station_id="ST1", database=tmp_path / "station.db"))
    expiry = (ScanContext(Workflow.LOOKUP).today + timedelta(days=300)).strftime("%y%m%d")
    label = f"(01){FLOUR}(17){expiry}(10)SUP-4711(30)40"
    verdict = station.handle(
        station.interpret(label), ScanContext(Workflow.RECEIVE, operator="100", task="ASN-1")
    )
    assert verdict.level is Level.ACCEPTED, verdict
    with engine.connect() as conn:
        payload = json.loads(conn.execute(select(Event.payload)).scalar_one())
        lot = conn.execute(select(Lot.code, Lot.supplier_lot).where(Lot.code == "SUP-4711")).one()
    assert payload["lot"] == payload["supplier_lot"] == "SUP-4711"
    assert tuple(lot) == ("SUP-4711", "SUP-4711")
