"""A label that lost its GS separators is caught on every workflow (issue 14, item 2), as the
station screen's session takes the scans, on a real cache loaded through the importer.

The lot `F-EARLY3020` is lot F-EARLY followed by (30) 20 with the separator lost. On receive,
pick, consume, move, count, ship, produce, hold, release and quarantine the station names
SUSPICIOUS_LOT, shows what the label probably says, records nothing until the operator
confirms, and then records the lot as the label says, with the SUSPICIOUS_LOT warning kept on
the event (never a clean ACCEPTED scan)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.session import StationSession, open_session
from lotscan.services.station import StationService
from lotscan.settings import StationSettings, load_settings
from lotscan.store.schema import Event
from tests.plant import COOKIE, FLOUR, build_plant

CHANGED = "lot.status_changed"
# (what the operator scans first, the label that lost its separators, the lot it probably says,
# what is scanned after the confirmation, the event recorded)
WORKFLOWS = {
    "receive": (["ASN:ASN-1"], f"01{FLOUR}10F-NEW3020", "F-NEW", [], "stock.received"),
    "pick": (["PL:PL-1"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], "stock.picked"),
    "consume": (["WO:WO-1"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], "stock.consumed"),
    "move": (["/mode move", "LOC:A1"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", ["LOC:A2"], "stock.moved"),
    "count": (["/mode count", "LOC:A1"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], "stock.counted"),
    "ship": (["SHP:SHP-1", "LOC:A1"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], "stock.shipped"),
    # The produce scans the output's label: its (30) is the quantity made; the lot is numbered.
    "produce": (["/mode produce", "WO:WO-1"], f"01{COOKIE}10C-13020", None, [], "lot.produced"),
    "hold": (["/mode hold", "/reason damp"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], CHANGED),
    "release": (["/mode release", "/reason dry"], f"01{FLOUR}10F-HOLD3020", "F-HOLD", [], CHANGED),
    "quarantine": (["/mode quarantine", "/reason x"], f"01{FLOUR}10F-EARLY3020", "F-EARLY", [], CHANGED),
}  # fmt: skip


def events(session: StationSession) -> list[tuple[str, dict, str, list[str]]]:
    with session.service.engine.connect() as conn:
        rows = conn.execute(
            select(Event.type, Event.payload, Event.verdict, Event.reasons).order_by(Event.seq)
        )
        return [
            (
                row.type,
                json.loads(row.payload),
                row.verdict,
                [r["code"] for r in json.loads(row.reasons or "[]")],
            )
            for row in rows
        ]


@pytest.mark.parametrize("workflow", list(WORKFLOWS))
def test_a_lost_separator_is_asked_about_and_recorded_only_when_confirmed(
    tmp_path: Path, workflow: str
) -> None:
    first, label, lot, then, recorded_as = WORKFLOWS[workflow]
    engine = build_plant(tmp_path / "station.db")
    session = StationSession(
        StationService(engine, StationSettings(station_id="ST1", database=tmp_path / "station.db"))
    )
    for line in ("OP:900", *first):  # Sue Supervisor: hold, release and quarantine are hers
        session.submit(line)
    assert session.workflow.value == workflow

    asked = session.submit(label).verdict
    assert asked.level is Level.WARNING and not asked.recorded, asked
    assert [r.code for r in asked.reasons] == ["SUSPICIOUS_LOT"], asked
    said = " ".join(asked.message.split())
    assert "it probably says" in said and "(30) 20" in said and "Nothing recorded yet" in said, said
    assert lot is None or f"(10) {lot}," in said, said
    assert events(session) == []

    confirmed = session.submit("/confirm").verdict
    for line in then:  # the move's destination
        confirmed = session.submit(line).verdict
    assert confirmed.recorded and confirmed.level is Level.WARNING, confirmed
    [(kind, payload, verdict, codes)] = [e for e in events(session) if e[0] != "label.requested"]
    assert kind == recorded_as
    if lot is not None:
        assert payload["lot"] == lot  # the lot as the label says, not F-EARLY3020
    else:
        assert payload["qty"] == 20  # the (30) the lot swallowed is the quantity made
    assert verdict == "WARNING" and "SUSPICIOUS_LOT" in codes, (verdict, codes)


def test_a_lost_separator_before_a_one_digit_count_is_caught_on_the_demo(tmp_path: Path) -> None:
    """Tester tz, Z1: the demo's flour label `(10)FL25003(30)2` with the GS after the lot lost
    was received as lot FL25003302, without SUSPICIOUS_LOT: a count of one digit (the commonest
    on sacks) was never tried as swallowed data."""
    prepare_demo(tmp_path / "demo.db", reset=False)
    session = open_session(replace(load_settings(), database=tmp_path / "demo.db"))
    for line in ("OP:1003", "ASN:ASN-1001"):
        session.submit(line)
    expiry = (ScanContext(Workflow.LOOKUP).today + timedelta(days=300)).strftime("%y%m%d")
    asked = session.submit(f"011952123400101717{expiry}10FL25003302").verdict
    assert asked.level is Level.WARNING and [r.code for r in asked.reasons] == ["SUSPICIOUS_LOT"], asked
    said = " ".join(asked.message.split())
    assert "(10) FL25003, (30) 2;" in said and "Nothing recorded yet" in said, said
    assert events(session) == []
    confirmed = session.submit("/confirm").verdict
    assert confirmed.recorded, confirmed
    [(kind, payload, verdict, codes)] = [e for e in events(session) if e[0] != "label.requested"]
    assert (kind, payload["lot"], verdict) == ("stock.received", "FL25003", "WARNING"), payload
    assert "SUSPICIOUS_LOT" in codes
