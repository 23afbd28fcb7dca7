"""The expiry printed on a label is never dropped for the recorded one (tester W17): a label that
disagrees with the records is named with both dates (EXPIRY_DIFFERS) and the earlier date is
judged on every workflow; a receipt never leaves the books with a later expiry than its label."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lotscan.domain.policy import Policy
from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store.schema import Lot
from tests.plant import FLOUR, build_plant


@pytest.fixture
def station(tmp_path: Path) -> StationService:
    """The small plant's cache, judged as station ST1."""
    database = tmp_path / "station.db"
    return StationService(build_plant(database), StationSettings(station_id="ST1", database=database))


def day(days: int) -> str:
    return (ScanContext(Workflow.LOOKUP).today + timedelta(days=days)).strftime("%y%m%d")


def go(station: StationService, label: str, workflow: Workflow, **kw: object):
    context = ScanContext(workflow, operator="100", **kw)  # type: ignore[arg-type]
    return station.handle(station.interpret(label), context)


def expiry_of(engine: Engine, lot: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(Lot.expiry).where(Lot.code == lot)).scalar_one())


def codes(verdict) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in verdict.reasons]


@pytest.mark.parametrize(
    ("workflow", "context"),
    [
        (Workflow.PICK, {"task": "PL-1", "location": "A2"}),
        (Workflow.CONSUME, {"task": "WO-1", "location": "A2"}),
        (Workflow.SHIP, {"task": "SHP-1", "location": "A2"}),
    ],
)
def test_a_label_that_says_expired_is_refused_though_the_records_say_good(
    station: StationService, workflow: Workflow, context: dict[str, object]
) -> None:
    verdict = go(station, f"(01){FLOUR}(17){day(-3)}(10)F-LATE(30)1", workflow, **context)
    assert verdict.level is Level.REJECTED and not verdict.recorded
    assert {"EXPIRY_DIFFERS", "LOT_EXPIRED"} <= set(codes(verdict))
    assert "F-LATE" in verdict.message


def test_a_receipt_with_an_earlier_label_date_books_the_earlier_date(station: StationService) -> None:
    recorded_date = expiry_of(station.engine, "F-LATE")
    verdict = go(station, f"(01){FLOUR}(17){day(100)}(10)F-LATE(30)2", Workflow.RECEIVE, task="ASN-1")
    assert verdict.recorded and verdict.level is Level.WARNING
    assert codes(verdict) == ["EXPIRY_DIFFERS"] and recorded_date in verdict.message
    label_date = (ScanContext(Workflow.LOOKUP).today + timedelta(days=100)).isoformat()
    assert expiry_of(station.engine, "F-LATE") == label_date


def test_a_receipt_with_a_later_label_date_keeps_the_earlier_recorded_one(station: StationService) -> None:
    recorded_date = expiry_of(station.engine, "F-EARLY")
    verdict = go(station, f"(01){FLOUR}(17){day(300)}(10)F-EARLY(30)2", Workflow.RECEIVE, task="ASN-1")
    assert verdict.recorded and codes(verdict) == ["EXPIRY_DIFFERS"]
    assert expiry_of(station.engine, "F-EARLY") == recorded_date


def test_a_lookup_shows_the_earlier_date_and_names_both(station: StationService) -> None:
    verdict = go(station, f"(01){FLOUR}(17){day(-3)}(10)F-LATE", Workflow.LOOKUP)
    assert "EXPIRED" in verdict.message and codes(verdict) == ["EXPIRY_DIFFERS"]


# Tester ty's W17 re-walk: a count or a move of a known lot that is expired was recorded without
# a word. Expired by its label or by the records, it is said (warnings by default, as a blocked
# lot's move is); in the hold area it is where it belongs.


def test_a_move_of_a_lot_expired_by_the_records_out_of_the_hold_area_is_said(station: StationService) -> None:
    verdict = go(station, f"(01){FLOUR}(10)F-OLD(30)2", Workflow.MOVE, to_location="A2")
    assert verdict.recorded and verdict.level is Level.WARNING
    assert codes(verdict) == ["EXPIRED_MOVED"]
    expired = (ScanContext(Workflow.LOOKUP).today - timedelta(days=1)).isoformat()
    assert f"Lot F-OLD expired on {expired}, by the records, and is now at A2" in verdict.message
    assert "hold area (HOLD)" in verdict.message


def test_a_move_into_the_hold_area_of_an_expired_lot_is_plain(station: StationService) -> None:
    verdict = go(station, f"(01){FLOUR}(10)F-OLD(30)2", Workflow.MOVE, to_location="HOLD")
    assert verdict.recorded and verdict.level is Level.ACCEPTED and codes(verdict) == []


def test_a_count_of_a_lot_expired_by_the_records_is_said_unless_in_the_hold_area(
    station: StationService,
) -> None:
    counted = go(station, f"(01){FLOUR}(10)F-OLD(30)5", Workflow.COUNT, location="A1")
    assert counted.recorded and codes(counted) == ["EXPIRED_COUNTED"]
    assert "by the records" in counted.message
    labelled = go(station, f"(01){FLOUR}(17){day(-2)}(10)F-TODAY(30)7", Workflow.COUNT, location="HOLD")
    assert labelled.recorded and codes(labelled) == ["EXPIRY_DIFFERS"]  # in the hold area: the dates only


def test_a_site_that_refuses_moving_an_expired_lot_where_it_could_be_used_gets_a_refusal(
    tmp_path: Path,
) -> None:
    database = tmp_path / "station.db"
    policy = Policy.from_mapping({"levels": {"EXPIRED_MOVED": "REJECTED"}})
    settings = StationSettings(station_id="ST1", database=database, policy=policy)
    station = StationService(build_plant(database), settings)
    verdict = go(station, f"(01){FLOUR}(17){day(-3)}(10)F-LATE(30)2", Workflow.MOVE, to_location="A1")
    assert verdict.level is Level.REJECTED and not verdict.recorded
    assert codes(verdict) == ["EXPIRED_MOVED", "EXPIRY_DIFFERS"]
    assert "Scan a hold location as where it goes." in verdict.message
    assert go(station, f"(01){FLOUR}(17){day(-3)}(10)F-LATE(30)2", Workflow.MOVE, to_location="HOLD").recorded
