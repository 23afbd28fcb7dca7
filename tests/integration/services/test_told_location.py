"""What the operator is told is what gets recorded (issue 14, item 1): without a scanned
location, stock is taken from the place the prompt or suggestion named, or the operator is
asked where; never from another place chosen silently."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from lotscan import paths
from lotscan.cli.demo_cmd import prepare_demo
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.importer import import_tables, read_source
from lotscan.services.session import open_session
from lotscan.services.station import StationService
from lotscan.settings import StationSettings, load_settings
from lotscan.store import queries as q
from lotscan.store.db import open_cache
from lotscan.store.schema import Event, Lot
from tests.plant import FLOUR, PLANT

DEMO_FLOUR = "19521234001017"


def last_payload(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        text = conn.execute(select(Event.payload).order_by(Event.seq.desc()).limit(1)).scalar()
    return json.loads(text)


def taken_from(payload: dict[str, Any]) -> str:
    return payload.get("from") or payload["location"]


def test_a_consume_takes_from_the_suggested_place_not_the_fullest(tmp_path: Path) -> None:
    # The demo: lot FLO9313B lies at FG-B06 (12) and RM-A07 (10); FEFO names RM-A07.
    prepare_demo(paths.demo_database(), reset=False)
    session = open_session(replace(load_settings(), database=paths.demo_database()))
    session.submit("OP:1001")
    session.submit("WO:WO-3001")
    consumed = session.submit(f"(01){DEMO_FLOUR}(10)FLO9313B").verdict
    assert consumed.recorded, consumed
    assert consumed.suggestion is not None and consumed.suggestion.location == "RM-A07"
    assert taken_from(last_payload(session.service.engine)) == "RM-A07"
    assert "RM-A07" in consumed.message


def test_more_than_the_told_place_holds_asks_for_the_location(tmp_path: Path) -> None:
    prepare_demo(paths.demo_database(), reset=False)
    session = open_session(replace(load_settings(), database=paths.demo_database()))
    session.submit("OP:1001")
    session.submit("WO:WO-3001")
    session.submit("/qty 12")
    asked = session.submit(f"(01){DEMO_FLOUR}(10)FLO9313B").verdict
    assert asked.level is Level.REJECTED and not asked.recorded
    assert asked.reasons[0].code == "LOCATION_NEEDED"
    assert "FG-B06" in asked.message and "RM-A07" in asked.message
    session.submit("LOC:FG-B06")
    session.submit("/qty 12")
    taken = session.submit(f"(01){DEMO_FLOUR}(10)FLO9313B").verdict
    assert taken.recorded, taken
    assert taken_from(last_payload(session.service.engine)) == "FG-B06"


_TEMPLATE: dict[str, Path] = {}


def _plant_with_lots_in_two_places(directory: Path) -> Engine:
    """The test plant with lots in several places, built once and copied for each example."""
    if "db" not in _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="told-location-"))
        plant = copy.deepcopy(PLANT)
        plant["stock"] += [
            {"item": "FLOUR", "lot": "F-EARLY", "location": "A2", "qty": 12},
            {"item": "FLOUR", "lot": "F-LATE", "location": "A1", "qty": 20},
            {"item": "FLOUR", "lot": "F-EARLY", "location": "OUT", "qty": 15},
        ]
        source = template / "plant.json"
        source.write_text(json.dumps(plant), encoding="utf-8")
        engine = open_cache(template / "station.db")
        with engine.begin() as conn:
            import_tables(conn, read_source(source))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _TEMPLATE["db"] = template / "station.db"
    shutil.copy(_TEMPLATE["db"], directory / "station.db")
    return open_cache(directory / "station.db")


def _places(engine: Engine, lot_code: str) -> dict[str, float]:
    """Where the lot is, with how much (only places that hold some)."""
    with engine.connect() as conn:
        item = q.item_by_gtin(conn, FLOUR)
        assert item is not None
        lot = q.lot_by_code(conn, item.id, lot_code)
        assert lot is not None
        return {loc.code: qty for loc, qty in q.stock_of_lot(conn, lot.id) if qty > 0}


TASKS = {Workflow.PICK: "PL-1", Workflow.CONSUME: "WO-1", Workflow.SHIP: "SHP-1", Workflow.MOVE: None}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Both cases of every workflow in every run: the told place covers the quantity, or cannot and
# the operator is asked (F-EARLY: A1 50, A2 12, OUT 15; pick and consume are told A2, ship OUT).
@example(workflow=Workflow.PICK, lot="F-EARLY", scanned=None, qty=5.0)
@example(workflow=Workflow.PICK, lot="F-EARLY", scanned=None, qty=18.0)
@example(workflow=Workflow.CONSUME, lot="F-EARLY", scanned=None, qty=None)
@example(workflow=Workflow.CONSUME, lot="F-EARLY", scanned=None, qty=18.0)
@example(workflow=Workflow.SHIP, lot="F-EARLY", scanned=None, qty=5.0)
@example(workflow=Workflow.SHIP, lot="F-EARLY", scanned=None, qty=18.0)
@example(workflow=Workflow.MOVE, lot="F-EARLY", scanned=None, qty=5.0)
@example(workflow=Workflow.MOVE, lot="F-EARLY", scanned="A2", qty=5.0)
@given(
    workflow=st.sampled_from(list(TASKS)),
    lot=st.sampled_from(["F-EARLY", "F-LATE"]),
    scanned=st.sampled_from([None, None, "A1", "A2", "OUT"]),
    qty=st.sampled_from([None, 5.0, 18.0, 25.0, 45.0]),
)
def test_the_recorded_place_is_the_told_place_or_the_scanned_one(
    workflow: Workflow, lot: str, scanned: str | None, qty: float | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = _plant_with_lots_in_two_places(Path(folder))
        database = Path(folder) / "station.db"
        station = StationService(engine, StationSettings(station_id="ST1", database=database))
        ctx = ScanContext(
            workflow,
            operator="100",
            task=TASKS[workflow],
            location=scanned,
            to_location="HOLD" if workflow is Workflow.MOVE else None,
            qty=qty,
        )
        # Pick and consume both prompt the lot and its place before the scan (tester's T14);
        # ship names its staging place for every lot (tester W22).
        prompted = workflow in (Workflow.PICK, Workflow.CONSUME)
        prompt = station.pick_prompt(str(TASKS[workflow]), ScanContext(workflow)) if prompted else None
        ships_from = station.ships_from("SHP-1") if workflow is Workflow.SHIP else None
        places_before = _places(engine, lot)
        verdict = station.handle(station.interpret(f"(01){FLOUR}(10){lot}"), ctx)
        event(f"{workflow.value}: {'recorded' if verdict.recorded else verdict.reasons[0].code}")
        if not verdict.recorded:
            assert _places(engine, lot) == places_before  # nothing taken from anywhere
            engine.dispose()
            told = _told_place(workflow, lot, prompt, ships_from)
            if scanned is None and told is not None and (qty or 0.0) > places_before.get(told, 0.0):
                # The told place cannot cover it: the operator is asked, naming that place.
                codes = [reason.code for reason in verdict.reasons]
                assert "LOCATION_NEEDED" in codes or "QTY_EXCEEDS_TASK" in codes, verdict
                assert "LOCATION_NEEDED" not in codes or f"at {told}" in verdict.message, verdict
            return
        recorded = last_payload(engine)
        engine.dispose()
    place = taken_from(recorded)
    if scanned is not None:
        assert place == scanned
        return
    if workflow is Workflow.SHIP:
        assert ships_from == "OUT"
        assert place == ships_from  # the shipment's staging place, named in the prompt
    elif prompt is not None and prompt["lot"] == lot:
        assert place == prompt["location"]
    elif verdict.suggestion is not None and verdict.suggestion.lot_code == lot:
        assert place == verdict.suggestion.location
    else:
        assert list(places_before) == [place], "a lot in several places was taken from one silently"
    # Tester W22: nobody named another place, so no more was taken than the told place held
    # (ship took 8 from DOCK-OUT's 1, leaving -7 there while FG-B03 held 10).
    assert recorded["qty"] <= places_before.get(place, 0.0) + 1e-9, (recorded, places_before)
    assert place in verdict.message


def _told_place(
    workflow: Workflow, lot: str, prompt: dict[str, Any] | None, ships_from: str | None
) -> str | None:
    """The place the operator was told before the scan: the shipment's staging place, or the
    prompt's place for the lot it names."""
    if workflow is Workflow.SHIP:
        return ships_from
    if prompt is not None and prompt["lot"] == lot:
        return str(prompt["location"])
    return None


DEMO_CRACKERS = "(01)09521234001478(10)FG7567A"


def _demo_stock(session: Any, lot_code: str) -> dict[str, float]:
    with session.service.engine.connect() as conn:
        lot = next(iter(conn.execute(select(Lot.id).where(Lot.code == lot_code)).scalars()))
        return {loc.code: qty for loc, qty in q.stock_of_lot(conn, lot)}


def test_a_ship_names_its_place_before_the_scan_and_asks_when_that_place_is_short(tmp_path: Path) -> None:
    """Tester W22: with 1 EA of FG7567A at DOCK-OUT (SHP-5001's staging place) and 10 at FG-B03,
    a ship of 8 took all 8 from DOCK-OUT (-7 there) though nobody had named that place."""
    prepare_demo(paths.demo_database(), reset=False)
    session = open_session(replace(load_settings(), database=paths.demo_database()))
    for line in ("OP:1003", "PL:PL-4001", "LOC:FG-B05", "/qty 1"):
        session.submit(line)
    assert session.submit(DEMO_CRACKERS).verdict.recorded  # 1 EA picked to DOCK-OUT
    session.submit("SHP:SHP-5001")
    assert session.prompt.startswith("Ship on SHP-5001 from DOCK-OUT: scan each lot"), session.prompt
    before = _demo_stock(session, "FG7567A")
    assert before == {"FG-B03": 10.0, "FG-B05": 4.0, "DOCK-OUT": 1.0}
    session.submit("/qty 8")
    asked = session.submit(DEMO_CRACKERS).verdict
    assert not asked.recorded and asked.reasons[0].code == "LOCATION_NEEDED", asked
    said = " ".join(asked.message.split())
    assert "has only 1 EA at DOCK-OUT, not 8" in said and "FG-B03 10" in said, said
    assert _demo_stock(session, "FG7567A") == before  # nothing below zero, nothing taken
    session.submit("LOC:FG-B03")
    assert session.prompt.startswith("Ship on SHP-5001 from FG-B03"), session.prompt
    session.submit("/qty 8")
    shipped = session.submit(DEMO_CRACKERS).verdict
    assert shipped.recorded and shipped.level is Level.ACCEPTED, shipped
    assert taken_from(last_payload(session.service.engine)) == "FG-B03"
    assert _demo_stock(session, "FG7567A") == {**before, "FG-B03": 2.0}


def test_a_ship_of_a_lot_not_at_the_named_place_asks_where_from(tmp_path: Path) -> None:
    """Tester W22: the same lot and place were refused WRONG_LOCATION when DOCK-OUT held none,
    and shipped from it when it held 1: a lot not at the named place is asked for."""
    prepare_demo(paths.demo_database(), reset=False)
    session = open_session(replace(load_settings(), database=paths.demo_database()))
    for line in ("OP:1003", "SHP:SHP-5001", "/qty 3"):
        session.submit(line)
    asked = session.submit(DEMO_CRACKERS).verdict
    assert not asked.recorded and [r.code for r in asked.reasons] == ["LOCATION_NEEDED"], asked
    said = " ".join(asked.message.split())
    assert "is not at DOCK-OUT, where SHP-5001 ships from, but elsewhere (FG-B03 10, FG-B05 5)" in said, said
    assert "Scan the location you take it from, then the lot again." in said
