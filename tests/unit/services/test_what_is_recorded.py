"""Issue 14, items 2, 6: what the operator is told is what gets recorded. A label without a
quantity asks for one; a label that lost a GS separator is shown as it probably reads and
recorded only when confirmed (the policy decides warn or refuse); producing with nothing
consumed warns; the station's name is the one central gave at enrolment. On a real cache."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lotscan.domain.policy import Policy
from lotscan.domain.reasons import ReasonCode
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.session import StationSession
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store.schema import Event
from lotscan.sync import local
from tests.plant import FLOUR, build_plant


def session_on(tmp_path: Path, policy: Policy | None = None) -> StationSession:
    engine = build_plant(tmp_path / "station.db")
    settings = StationSettings(station_id="ST1", database=tmp_path / "station.db", policy=policy or Policy())
    session = StationSession(StationService(engine, settings))
    session.submit("OP:100")
    return session


def recorded(session: StationSession) -> list[dict]:
    with session.service.engine.connect() as conn:
        rows = conn.execute(select(Event.type, Event.payload, Event.station_id).order_by(Event.seq)).all()
    return [{"type": r.type, "station": r.station_id, **json.loads(r.payload)} for r in rows]


def ahead() -> str:
    return (ScanContext(Workflow.LOOKUP).today + timedelta(days=300)).strftime("%y%m%d")


def test_a_receipt_without_a_quantity_asks_for_one(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    asked = session.submit(f"(01){FLOUR}(17){ahead()}(10)F-NOQTY").verdict
    assert asked.level is Level.REJECTED and asked.reasons[0].code == "QTY_NEEDED"
    assert recorded(session) == []  # never the open line's 100 silently
    session.submit("/qty 12")
    taken = session.submit(f"(01){FLOUR}(17){ahead()}(10)F-NOQTY").verdict
    assert taken.recorded and recorded(session)[-1]["qty"] == 12


def test_a_lost_separator_is_shown_and_recorded_only_when_confirmed(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    label = f"01{FLOUR}17{ahead()}10FL250033050"  # (10) FL25003 then (30) 50, GS lost
    asked = session.submit(label).verdict
    assert asked.level is Level.WARNING and asked.reasons[0].code == "SUSPICIOUS_LOT"
    assert "(10) FL25003" in asked.message and "(30) 50" in asked.message
    assert recorded(session) == []
    confirmed = session.submit("/confirm").verdict
    assert confirmed.recorded, confirmed
    [event] = recorded(session)
    assert (event["lot"], event["qty"]) == ("FL25003", 50)


def test_the_policy_can_refuse_a_suspicious_lot_instead(tmp_path: Path) -> None:
    strict = Policy(levels={**Policy().levels, ReasonCode.SUSPICIOUS_LOT: Level.REJECTED})
    session = session_on(tmp_path, strict)
    session.submit("ASN:ASN-1")
    refused = session.submit(f"01{FLOUR}17{ahead()}10FL250033050").verdict
    assert refused.level is Level.REJECTED and "SUSPICIOUS_LOT" in [r.code for r in refused.reasons]
    nothing = session.submit("/confirm")  # a command with nothing to act on: answered plainly
    assert nothing.notice and nothing.verdict.message.startswith("Nothing to confirm")
    assert recorded(session) == []


def test_producing_with_nothing_consumed_warns(tmp_path: Path) -> None:
    session = session_on(tmp_path)
    session.submit("WO:WO-1")
    asked = session.submit("/produce").verdict
    assert asked.level is Level.WARNING and not asked.recorded  # warned before anything is recorded
    assert "NO_INPUTS" in [r.code for r in asked.reasons] and "Nothing recorded yet" in asked.message
    assert recorded(session) == []
    made = session.submit("/produce").verdict
    assert made.level is Level.WARNING and made.recorded
    assert "NO_INPUTS" in [r.code for r in made.reasons]


def test_the_station_is_named_as_central_enrolled_it(tmp_path: Path) -> None:
    engine = build_plant(tmp_path / "station.db")
    with engine.begin() as conn:
        local.set_state(conn, local.STATION, "PLANT1-ST01")  # what `lotscan enroll` stores
    service = StationService(engine, StationSettings(station_id="ST-01", database=tmp_path / "station.db"))
    session = StationSession(service)
    session.submit("OP:100")
    session.submit("WO:WO-1")
    session.submit("/produce")
    session.submit("/produce")
    [event] = recorded(session)
    assert event["station"] == "PLANT1-ST01" and event["lot"].endswith("-PLANT1-ST01")
    assert service.summary()["station"] == "PLANT1-ST01"


def test_a_pallet_received_by_sscc_asks_the_quantity_the_asn_announces(tmp_path: Path) -> None:
    """Tester's #27: the pallet's ASN line quantity was recorded without a word."""
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    asked = session.submit("(00)095212340000000013").verdict
    assert asked.level is Level.REJECTED and asked.reasons[0].code == "QTY_NEEDED", asked
    assert "announces 20 SACK of lot F-PAL" in asked.message
    assert recorded(session) == []
    session.submit("/qty 18")  # counted: two sacks short
    taken = session.submit("(00)095212340000000013").verdict
    [received] = [e for e in recorded(session) if e["type"] == "stock.received"]
    assert taken.recorded and "18" in taken.message and received["qty"] == 18


def test_a_lot_other_than_the_one_the_asn_announces_is_flagged(tmp_path: Path) -> None:
    """Tester's #1: the ASN line announces lot F-PAL; a case of lot F-OTHER went on silently."""
    session = session_on(tmp_path)
    session.submit("ASN:ASN-1")
    session.submit("/qty 100")
    assert session.submit(f"(01){FLOUR}(17){ahead()}(10)F-NEW").verdict.recorded  # line 1: any lot
    session.submit("/qty 5")
    other = session.submit(f"(01){FLOUR}(17){ahead()}(10)F-OTHER").verdict
    assert other.level is Level.WARNING and [r.code for r in other.reasons] == ["LOT_NOT_ANNOUNCED"]
    assert "ASN-1 announces lot F-PAL" in other.message and "is recorded" in other.message
    session.submit("/qty 5")
    same = session.submit(f"(01){FLOUR}(17){ahead()}(10)F-PAL").verdict
    assert same.level is Level.ACCEPTED, same


def test_a_lost_separator_in_lookup_shows_the_lot_the_label_probably_says(tmp_path: Path) -> None:
    """Tester's #23: lookup read `F-EARLY` + `(30)50` as lot F-EARLY3050, UNKNOWN_LOT."""
    session = session_on(tmp_path)
    shown = session.submit(f"01{FLOUR}10F-EARLY3050").verdict  # GS lost after the lot
    codes = [r.code for r in shown.reasons]
    assert "SUSPICIOUS_LOT" in codes and "UNKNOWN_LOT" not in codes, shown
    assert shown.level is Level.WARNING and "probably says lot F-EARLY" in shown.message
    assert shown.details["lot"] == "F-EARLY"
