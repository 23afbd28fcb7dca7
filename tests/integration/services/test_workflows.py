"""Every workflow end to end on a real SQLite cache: verdict, events and cache change."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from lotscan.domain.verdict import Level
from lotscan.services.context import ScanContext, Workflow
from lotscan.services.station import StationService
from lotscan.settings import StationSettings
from lotscan.store import queries as q
from lotscan.store.schema import Event, Lot, LotLink
from tests.plant import COOKIE, FLOUR, SUGAR, UNLISTED, build_plant


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return build_plant(tmp_path / "station.db")


@pytest.fixture
def station(engine: Engine, tmp_path: Path) -> StationService:
    return StationService(engine, StationSettings(station_id="ST1", database=tmp_path / "station.db"))


def ctx(workflow: Workflow, **kw: object) -> ScanContext:
    kw.setdefault("operator", "100")
    return ScanContext(workflow, **kw)  # type: ignore[arg-type]


def go(station: StationService, data: str, context: ScanContext, **kw: object):
    return station.handle(station.interpret(data), context, **kw)  # type: ignore[arg-type]


def stock(engine: Engine, lot: str, location: str) -> float:
    with engine.connect() as conn:
        item = conn.execute(select(Lot.item_id).where(Lot.code == lot)).scalar()
        found = q.lot_by_code(conn, item, lot)
        place = q.location_by_code(conn, location)
        assert found is not None and place is not None
        return q.stock_qty(conn, found.id, place.id)


def events(engine: Engine) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(Event.__table__).order_by(Event.seq)).all())


def expiry_in(station: StationService, days: int) -> str:
    return (ScanContext(Workflow.LOOKUP).today + timedelta(days=days)).strftime("%y%m%d")


def test_receive_creates_the_lot_in_the_items_status_and_records_one_event(station, engine) -> None:
    label = f"(01){COOKIE}(17){expiry_in(station, 150)}(10)C-NEW(30)12"
    # COOKIE is not on ASN-1: refused and nothing written
    verdict = go(station, label, ctx(Workflow.RECEIVE, task="ASN-1"))
    assert verdict.level is Level.REJECTED
    assert [r.code for r in verdict.reasons] == ["WRONG_ITEM"]
    assert events(engine) == []

    label = f"(01){FLOUR}(17){expiry_in(station, 300)}(10)F-NEW(30)40"
    verdict = go(station, label, ctx(Workflow.RECEIVE, task="ASN-1"))
    assert verdict.level is Level.ACCEPTED, verdict
    assert len(verdict.event_ids) == 1
    assert stock(engine, "F-NEW", "DOCK") == 40
    rows = events(engine)
    assert [(e.seq, e.type, e.operator, e.station_id) for e in rows] == [(1, "stock.received", "100", "ST1")]
    assert json.loads(rows[0].payload)["lot"] == "F-NEW"
    with engine.connect() as conn:
        line = q.task_lines(conn, q.task_by_code(conn, "ASN-1").id)[0]
    assert line.qty_done == 40


def test_receive_flags_short_shelf_life_and_rejects_expired(station, engine) -> None:
    short = go(
        station,
        f"(01){FLOUR}(17){expiry_in(station, 20)}(10)F-SHORT(30)5",
        ctx(Workflow.RECEIVE, task="ASN-1"),
    )
    assert short.level is Level.WARNING
    assert [r.code for r in short.reasons] == ["SHORT_SHELF_LIFE"]
    assert short.recorded
    # tester's #28: recorded already, so the warning says so, not "ask ... before accepting it"
    assert "before" not in short.message and "it is recorded" in short.message
    expired = go(
        station,
        f"(01){FLOUR}(17){expiry_in(station, -2)}(10)F-GONE(30)5",
        ctx(Workflow.RECEIVE, task="ASN-1"),
    )
    assert expired.level is Level.REJECTED
    assert "LOT_EXPIRED" in [r.code for r in expired.reasons]


def test_receive_pallet_by_sscc_once_only(station, engine) -> None:
    first = go(station, "(00)095212340000000013", ctx(Workflow.RECEIVE, task="ASN-1", qty=20))
    assert first.level is Level.ACCEPTED, first
    assert stock(engine, "F-PAL", "DOCK") == 20
    again = go(
        station,
        "(00)095212340000000013",
        ctx(Workflow.RECEIVE, task="ASN-1", now=ScanContext(Workflow.LOOKUP).now + timedelta(minutes=5)),
    )
    assert again.level is Level.REJECTED
    assert [r.code for r in again.reasons] == ["DUPLICATE_SCAN"]


def test_receive_needs_a_known_open_task(station) -> None:
    label = f"(01){FLOUR}(17){expiry_in(station, 300)}(10)F-X"
    assert [r.code for r in go(station, label, ctx(Workflow.RECEIVE, task="ASN-9")).reasons] == [
        "UNKNOWN_TASK"
    ]
    assert [r.code for r in go(station, label, ctx(Workflow.RECEIVE, task="ASN-OLD")).reasons] == [
        "TASK_CLOSED"
    ]
    missing = go(station, label, ctx(Workflow.RECEIVE))
    assert missing.reasons[0].code == "MISSING_CONTEXT"


def test_pick_follows_fefo_and_names_the_better_lot(station, engine) -> None:
    late = go(station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.PICK, task="PL-1", qty=5))
    assert late.level is Level.WARNING
    assert late.reasons[0].code == "NOT_FEFO"
    assert "F-EARLY" in late.reasons[0].message and "A1" in late.reasons[0].message
    assert late.suggestion is not None and late.suggestion.lot_code == "F-EARLY"
    assert stock(engine, "F-LATE", "A2") == 75
    assert stock(engine, "F-LATE", "OUT") == 5

    early = go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.PICK, task="PL-1"))
    assert early.level is Level.ACCEPTED
    assert stock(engine, "F-EARLY", "A1") == 35  # default quantity: what the line still needs (15)


def test_pick_policy_can_refuse_not_fefo_and_allow_an_override(engine, tmp_path) -> None:
    from lotscan.domain.policy import Policy
    from lotscan.domain.reasons import ReasonCode

    policy = Policy.from_mapping({"levels": {"NOT_FEFO": "REJECTED"}})
    station = StationService(
        engine, StationSettings(station_id="ST1", policy=policy, database=tmp_path / "x")
    )
    refused = go(station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.PICK, task="PL-1", qty=5))
    assert refused.level is Level.REJECTED and not refused.recorded
    bad = go(
        station,
        f"(01){FLOUR}(10)F-LATE",
        ctx(Workflow.PICK, task="PL-1", qty=5, override="BECAUSE", override_by="900"),
    )
    assert bad.level is Level.REJECTED and "BAD_OVERRIDE" in [r.code for r in bad.reasons]
    by_operator = go(
        station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.PICK, task="PL-1", qty=5, override="CUSTOMER_REQUEST")
    )
    assert by_operator.level is Level.REJECTED and by_operator.reasons[0].code == "NOT_AUTHORISED"
    passed = go(
        station,
        f"(01){FLOUR}(10)F-LATE",
        ctx(Workflow.PICK, task="PL-1", qty=5, override="CUSTOMER_REQUEST", override_by="900"),
    )
    assert passed.level is Level.WARNING and passed.overridden and passed.recorded
    assert ReasonCode.OVERRIDDEN.value in [r.code for r in passed.reasons]
    recorded = json.loads(events(engine)[-1].payload)
    assert (recorded["override"], recorded["override_by"]) == ("CUSTOMER_REQUEST", "900")
    recalled = go(
        station,
        f"(01){FLOUR}(10)F-RECALL",
        ctx(Workflow.PICK, task="PL-1", qty=1, override="CUSTOMER_REQUEST", override_by="900"),
    )
    assert recalled.level is Level.REJECTED
    assert "cannot be overridden" in recalled.reasons[-1].message


@pytest.mark.parametrize(
    ("lot", "code"),
    [
        ("F-HOLD", "LOT_ON_HOLD"),
        ("F-RECALL", "LOT_RECALLED"),
        ("F-OLD", "LOT_EXPIRED"),
        ("F-NONE", "UNKNOWN_LOT"),
    ],
)
def test_consume_refuses_unusable_lots(station, engine, lot, code) -> None:
    verdict = go(station, f"(01){FLOUR}(10){lot}", ctx(Workflow.CONSUME, task="WO-1", qty=1))
    assert verdict.level is Level.REJECTED
    assert code in [r.code for r in verdict.reasons]
    assert events(engine) == []


def test_lot_expiring_today_is_still_usable(station) -> None:
    verdict = go(
        station, f"(01){FLOUR}(10)F-TODAY", ctx(Workflow.CONSUME, task="WO-1", qty=1, location="HOLD")
    )
    assert "LOT_EXPIRED" not in [r.code for r in verdict.reasons]


def test_consume_checks_the_bill_of_materials_and_stock(station, engine) -> None:
    wrong = go(station, f"(01){UNLISTED}(10)X", ctx(Workflow.CONSUME, task="WO-1"))
    assert wrong.level is Level.REJECTED and wrong.reasons[0].code in ("UNKNOWN_LOT", "WRONG_ITEM")
    told = go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.CONSUME, task="WO-1", qty=500))
    assert [r.code for r in told.reasons] == ["LOCATION_NEEDED"] and not told.recorded
    too_much = go(
        station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.CONSUME, task="WO-1", qty=500, location="A1")
    )
    assert "QTY_EXCEEDS_STOCK" in [r.code for r in too_much.reasons]
    ok = go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=30))
    assert ok.level is Level.ACCEPTED
    assert stock(engine, "S-1", "A2") == 70


def test_produce_numbers_the_lot_and_links_the_consumed_inputs(station, engine) -> None:
    assert go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=30)).recorded
    assert go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.CONSUME, task="WO-1", qty=20)).recorded
    first = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=50))
    second = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=50))
    assert first.level is Level.ACCEPTED, first
    lot_one, lot_two = first.details["lot"], second.details["lot"]
    assert lot_one.endswith("001-ST1") and lot_two.endswith("002-ST1")
    with engine.connect() as conn:
        child = conn.execute(select(Lot.id, Lot.status).where(Lot.code == lot_one)).one()
        assert child.status == "quarantine"  # COOKIE's receive status
        parents = conn.execute(
            select(LotLink.parent_lot_id, LotLink.qty).where(LotLink.child_lot_id == child.id)
        ).all()
        assert len(parents) == 2 and sorted(p.qty for p in parents) == [20, 30]
    assert stock(engine, lot_one, "LINE") == 50


def test_ship_takes_from_staging_and_records_the_customer(station, engine) -> None:
    assert go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.PICK, task="PL-1", qty=20)).recorded
    shipped = go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.SHIP, task="SHP-1", qty=20))
    assert shipped.level is Level.ACCEPTED, shipped
    assert stock(engine, "F-EARLY", "OUT") == 0
    assert json.loads(events(engine)[-1].payload)["customer"] == "Shop"


def test_move_and_count(station, engine) -> None:
    moved = go(station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.MOVE, to_location="A1", qty=30))
    assert moved.level is Level.ACCEPTED
    assert (stock(engine, "F-LATE", "A2"), stock(engine, "F-LATE", "A1")) == (50, 30)
    counted = go(station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.COUNT, location="A1", qty=28))
    assert counted.details == {"previous": 30, "counted": 28, "difference": -2}
    assert stock(engine, "F-LATE", "A1") == 28


def test_hold_and_release_are_for_supervisors_with_a_reason(station, engine) -> None:
    label = f"(01){FLOUR}(10)F-LATE"
    assert go(station, label, ctx(Workflow.HOLD, reason="mould")).reasons[0].code == "NOT_AUTHORISED"
    assert go(station, label, ctx(Workflow.HOLD, operator="900")).reasons[0].code == "MISSING_CONTEXT"
    held = go(station, label, ctx(Workflow.HOLD, operator="900", reason="mould"))
    assert held.level is Level.ACCEPTED
    pick = go(station, label, ctx(Workflow.PICK, task="PL-1", qty=1))
    assert "LOT_ON_HOLD" in [r.code for r in pick.reasons]
    released = go(station, label, ctx(Workflow.RELEASE, operator="900", reason="lab ok"))
    assert released.level is Level.ACCEPTED


@pytest.mark.parametrize("workflow", [Workflow.RELEASE, Workflow.HOLD, Workflow.QUARANTINE])
def test_a_station_supervisor_cannot_lift_or_change_a_recall(station, engine, workflow) -> None:
    """Tester's finding: supervisor 900 released the recalled lot at the station (ACCEPTED, "now
    RELEASED (was recalled)"), and it became the FEFO pick while central would refuse the event.
    A recall is lifted only at central (issue 9: "a recall is lifted only at central, by an admin
    token, with a reason"); the station says so and records nothing."""
    result = go(station, f"(01){FLOUR}(10)F-RECALL", ctx(workflow, operator="900", reason="supplier says ok"))
    assert result.level is Level.REJECTED
    assert [r.code for r in result.reasons] == ["DECIDED_AT_CENTRAL"]
    assert "only central changes a RECALLED lot" in result.message
    assert events(engine) == []
    pick = go(station, f"(01){FLOUR}(10)F-RECALL", ctx(Workflow.PICK, task="PL-1", qty=1))
    assert "LOT_RECALLED" in [r.code for r in pick.reasons]


def test_lookup_writes_nothing_and_shows_stock_and_genealogy(station, engine) -> None:
    found = go(station, f"(01){FLOUR}(10)F-EARLY", ctx(Workflow.LOOKUP))
    assert found.details["stock"] == [{"location": "A1", "qty": 50.0, "pickable": True, "hold": False}]
    location = go(station, "LOC:A2", ctx(Workflow.LOOKUP))
    assert {row["lot"] for row in location.details["contents"]} == {"F-LATE", "F-RECALL", "S-1"}
    by_gln = go(station, "(414)9521234000129", ctx(Workflow.LOOKUP))
    assert by_gln.details["location"] == "OUT"
    assert events(engine) == []


def test_operator_must_be_signed_in_and_known(station) -> None:
    label = f"(01){SUGAR}(10)S-1"
    assert (
        go(station, label, ctx(Workflow.CONSUME, task="WO-1", operator=None)).reasons[0].code
        == "MISSING_CONTEXT"
    )
    assert (
        go(station, label, ctx(Workflow.CONSUME, task="WO-1", operator="555")).reasons[0].code
        == "UNKNOWN_OPERATOR"
    )


def test_garbage_and_bad_check_digits_are_refused_with_reasons(station) -> None:
    garbage = go(station, "\x00\xff not a barcode", ctx(Workflow.PICK, task="PL-1"))
    assert garbage.level is Level.REJECTED and garbage.message
    bad = go(station, "(01)19521234001018(10)F-EARLY", ctx(Workflow.PICK, task="PL-1"))
    assert "BAD_CHECK_DIGIT" in [r.code for r in bad.reasons]


def test_rapid_double_read_is_refused_but_a_later_identical_case_counts(station) -> None:
    label = f"(01){SUGAR}(10)S-1"
    first = ctx(Workflow.CONSUME, task="WO-1", qty=1)
    assert go(station, label, first).recorded
    double = go(station, label, first.with_(now=first.now + timedelta(seconds=0.3)))
    assert [r.code for r in double.reasons] == ["DUPLICATE_SCAN"]
    later = go(station, label, first.with_(now=first.now + timedelta(seconds=5)))
    assert later.recorded


def test_sequence_is_gapless_across_refusals(station, engine) -> None:
    label = f"(01){SUGAR}(10)S-1"
    base = ctx(Workflow.CONSUME, task="WO-1", qty=1)
    for n in range(6):
        go(station, label, base.with_(now=base.now + timedelta(seconds=10 * n)))
        go(station, "(01)garbage", base)
    assert [e.seq for e in events(engine)] == [1, 2, 3, 4, 5, 6]


def test_a_failing_effect_rolls_back_the_whole_scan(station, engine) -> None:
    from lotscan.domain.events import StockMoved
    from lotscan.domain.verdict import Verdict
    from lotscan.services.recorder import Plan, PlannedEvent, record
    from lotscan.store.effects import EffectError

    plan = Plan(
        [
            PlannedEvent(StockMoved(item="SUGAR", lot="S-1", qty=5, from_location="A2", to_location="A1")),
            PlannedEvent(
                StockMoved(item="SUGAR", lot="S-1", qty=5, from_location="A2", to_location="NOWHERE")
            ),
        ]
    )
    with pytest.raises(EffectError), engine.begin() as conn:
        record(conn, "ST1", ctx(Workflow.MOVE), "raw", Verdict(Level.ACCEPTED, "x"), plan)
    assert events(engine) == []
    assert stock(engine, "S-1", "A2") == 100


def test_taking_from_a_place_the_lot_is_not_names_where_it_is(station, engine) -> None:
    verdict = go(station, f"(01){FLOUR}(10)F-LATE", ctx(Workflow.PICK, task="PL-1", qty=1, location="A1"))
    assert verdict.level is Level.REJECTED
    assert [r.code for r in verdict.reasons] == ["NOT_FEFO", "WRONG_LOCATION"]
    assert "records show it at A2" in verdict.message
    assert stock(engine, "F-LATE", "A2") == 80


def test_a_serial_is_received_once(station) -> None:
    label = f"(01){FLOUR}(17){expiry_in(station, 300)}(10)F-SER(21)SN0001"
    first = go(station, label, ctx(Workflow.RECEIVE, task="ASN-1"))
    assert first.recorded, first
    later = ScanContext(Workflow.LOOKUP).now + timedelta(minutes=1)
    again = go(station, label, ctx(Workflow.RECEIVE, task="ASN-1", now=later))
    assert [r.code for r in again.reasons] == ["DUPLICATE_SERIAL"]


@pytest.mark.parametrize("qty", [-40.0, float("inf"), float("nan"), 0.0])
def test_impossible_quantities_are_refused_and_nothing_is_written(station, engine, qty) -> None:
    verdict = go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=qty))
    assert verdict.level is Level.REJECTED
    assert "BAD_QUANTITY" in [r.code for r in verdict.reasons]
    assert events(engine) == []
    assert stock(engine, "S-1", "A2") == 100


def test_a_count_of_zero_is_a_real_count(station, engine) -> None:
    counted = go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.COUNT, location="A2", qty=0))
    assert counted.recorded
    assert stock(engine, "S-1", "A2") == 0


def test_a_second_output_lot_claims_only_what_was_consumed_after_the_first(station, engine) -> None:
    assert go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=30)).recorded
    first = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=50))
    later = ctx(Workflow.CONSUME, task="WO-1", qty=20)
    assert go(station, f"(01){FLOUR}(10)F-EARLY", later.with_(now=later.now + timedelta(seconds=5))).recorded
    second = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=50))
    assert [i["lot"] for i in first.details["inputs"]] == ["S-1"]
    assert [(i["lot"], i["qty"]) for i in second.details["inputs"]] == [("F-EARLY", 20.0)]


def test_a_later_output_with_nothing_consumed_since_is_linked_to_the_orders_inputs_without_quantities(
    station, engine
) -> None:
    """Tester U7 rest: a work order's second output with nothing consumed since the first had no
    parents, so a recall of the sugar in the mix missed it. FSMA 204 (21 CFR 1.1350(a)(1)) asks
    for the lots used: it is linked to every lot consumed into the order so far, with no quantity
    (how much of each went into it is not known; the 25 consumed stay on the first lot's link)."""
    assert go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=25)).recorded
    later = ctx(Workflow.CONSUME, task="WO-1", qty=20)
    assert go(station, f"(01){FLOUR}(10)F-EARLY", later.with_(now=later.now + timedelta(seconds=5))).recorded
    first = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=50))
    second = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=40))
    assert second.recorded and second.level is Level.WARNING
    assert [r.code for r in second.reasons] == ["INPUTS_OF_THE_ORDER"]
    said = " ".join(second.message.split())
    assert f"since lot {first.details['lot']} was made" in said and "(S-1, F-EARLY)" in said, said
    assert "without the quantity used from each" in said
    assert second.details["inputs"] == [{"item": "SUGAR", "lot": "S-1"}, {"item": "FLOUR", "lot": "F-EARLY"}]
    with engine.connect() as conn:
        cookie = conn.execute(select(Lot.id).where(Lot.code == second.details["lot"])).scalar_one()
        parents = q.lot_links(conn, cookie)["parents"]
        made_first = conn.execute(select(Lot.id).where(Lot.code == first.details["lot"])).scalar_one()
        first_parents = q.lot_links(conn, made_first)["parents"]
    assert [(p["lot"], p["qty"]) for p in parents] == [("S-1", None), ("F-EARLY", None)]
    assert [(p["lot"], p["qty"]) for p in first_parents] == [("S-1", 25.0), ("F-EARLY", 20.0)]
    again = ctx(Workflow.CONSUME, task="WO-1", qty=5)
    assert go(station, f"(01){SUGAR}(10)S-1", again.with_(now=again.now + timedelta(seconds=60))).recorded
    third = go(station, "WO:WO-1", ctx(Workflow.PRODUCE, qty=10))  # consumed since: that, with its quantity
    assert [(i["lot"], i["qty"]) for i in third.details["inputs"]] == [("S-1", 5.0)]
    assert "INPUTS_OF_THE_ORDER" not in [r.code for r in third.reasons]


def test_today_is_the_stations_local_day(monkeypatch) -> None:
    import time
    from datetime import datetime

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        late_evening_utc = ScanContext(Workflow.LOOKUP, now=datetime(2026, 1, 1, 23, 30))
        assert late_evening_utc.today.isoformat() == "2026-01-02"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_scan_holds_the_write_lock_from_its_first_check_to_its_commit(station, engine, tmp_path) -> None:
    """Another writer (the sync worker applying an urgent hold) waits for the scan's commit, so a
    scan is never recorded on checks that changed underneath it."""
    import sqlite3
    import threading

    from lotscan.services import checks

    entered, release = threading.Event(), threading.Event()
    original = checks.check_usable

    def slow_check(run, lot):  # pause between the checks and the record
        entered.set()
        release.wait(5)
        return original(run, lot)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "check_usable", slow_check)
        result = {}
        worker = threading.Thread(
            target=lambda: result.update(
                v=go(station, f"(01){SUGAR}(10)S-1", ctx(Workflow.CONSUME, task="WO-1", qty=1))
            )
        )
        worker.start()
        assert entered.wait(5)
        other = sqlite3.connect(tmp_path / "station.db", timeout=0.2)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        release.set()
        worker.join(10)
        other.close()
    assert result["v"].recorded
