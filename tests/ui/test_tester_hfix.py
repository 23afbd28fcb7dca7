"""The independent tester's findings of 2026-11-29, replayed as the operator's keys on the demo
cache (TESTER.md numbers): a place scanned in one mode never carries into another (#1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from lotscan.station.widgets.history import History
from tests.ui.conftest import banner_text, events_of, panel_text, payload, scan
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

FLOUR_20_SACKS = "(01)19521234001017(17)271231(10)FL25001(30)20"


def recorded(database: Path, kind: str) -> list[dict[str, Any]]:
    """The payloads of the events of one type the station recorded, in order."""
    return [payload(e) for e in events_of(create_engine(f"sqlite:///{database}")) if e.type == kind]


async def test_a_place_scanned_for_a_pick_is_not_where_a_receipt_goes(tmp_path: Path) -> None:
    """#1: LOC:DOCK-OUT scanned in a pick, then ASN-1001: 20 sacks were received at DOCK-OUT."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "LOC:DOCK-OUT")
        assert "at DOCK-OUT" in panel_text(app)
        await scan(pilot, "ASN:ASN-1001")
        assert "DOCK-OUT" not in panel_text(app)
        assert await scan(pilot, FLOUR_20_SACKS) in ("ACCEPTED", "WARNING")
        assert "at DOCK-IN" in " ".join(banner_text(app).split())
    received = recorded(database, "stock.received")
    assert [(p["lot"], p["location"]) for p in received] == [("FL25001", "DOCK-IN")]


async def test_a_move_after_a_pick_takes_the_lot_from_where_it_is_or_where_scanned(tmp_path: Path) -> None:
    """#1: after a pick at FG-B01, /mode move took FG-B01 as every move's source (WRONG_LOCATION)
    and a location scanned first was refused: nothing could be moved until sign-out."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await scan(pilot, "LOC:FG-B01")
        await scan(pilot, "/mode move")
        await scan(pilot, "(01)19521234001017(10)FLO9313B")
        # FLO9313B is at RM-A07 and FG-B06: the operator is asked where it is taken from.
        assert "scan the location you take it from" in " ".join(banner_text(app).split())
        assert "FG-B01" not in banner_text(app)
        await scan(pilot, "/mode move")  # start again with the source scanned first
        assert await scan(pilot, "LOC:FG-B06") != "REJECTED", banner_text(app)
        assert "from FG-B06" in panel_text(app)
        await scan(pilot, "/qty 2")
        await scan(pilot, "(01)19521234001017(10)FLO9313B")
        assert await scan(pilot, "LOC:RM-A01") == "ACCEPTED", banner_text(app)
    moved = recorded(database, "stock.moved")
    assert [(p["lot"], p["from"], p["to"], p["qty"]) for p in moved] == [("FLO9313B", "FG-B06", "RM-A01", 2)]


async def test_produce_from_consume_puts_the_output_at_the_work_orders_place(tmp_path: Path) -> None:
    """#1: LOC:RM-A07 scanned to consume on WO-3001, then /produce: the finished goods were
    recorded into RM-A07, a raw-material place."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1002")
        await scan(pilot, "WO:WO-3001")
        await scan(pilot, "LOC:RM-A07")
        await scan(pilot, "/qty 5")
        assert await scan(pilot, "(01)19521234001017(10)FLO9313B") == "ACCEPTED", banner_text(app)
        await scan(pilot, "/produce")
        assert "at LINE-1" in " ".join(banner_text(app).split()), banner_text(app)
        await scan(pilot, "/produce")
        assert app.banner.verdict.recorded
    consumed = recorded(database, "stock.consumed")
    [made] = recorded(database, "lot.produced")
    assert consumed[0]["location"] == "RM-A07" and made["location"] == "LINE-1"


async def test_a_label_waiting_for_confirm_is_dropped_when_the_task_changes(tmp_path: Path) -> None:
    """#27: a lost-separator label scanned to receive on ASN-1001, then WO-3001 and /confirm:
    7 KG of FLO9313B were consumed into the work order."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        await scan(pilot, "/qty 7")  # the label has none: without it the receipt is refused at once (W5)
        await scan(pilot, "011952123400101710FLO9313B17271231")  # as a scanner sends it, GS lost
        assert "/confirm" in banner_text(app)
        await scan(pilot, "WO:WO-3001")
        await scan(pilot, "/confirm")
        assert app.banner.notice and "Nothing to confirm" in banner_text(app)  # a command: no verdict
        assert "REJECTED" not in banner_text(app)
    assert recorded(database, "stock.consumed") == [] and recorded(database, "stock.received") == []


async def test_an_unknown_override_reason_is_refused_when_typed(tmp_path: Path) -> None:
    """#5: `/override BOGUS` said "Override for the next scan: BOGUS."; only the scan after it
    was refused (BAD_OVERRIDE), listing the valid codes."""
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:9001")
        await scan(pilot, "4321")
        for typed in ("/override BOGUS", "/override QTY_EXCEEDS_TASK"):
            await scan(pilot, typed)
            assert app.banner.notice, banner_text(app)  # a command, answered plainly (U12)
            shown = " ".join(banner_text(app).split())
            assert "BAD_OVERRIDE" in shown and "SUPERVISOR_APPROVED, CUSTOMER_REQUEST" in shown, shown
            assert app.session.override is None
        await scan(pilot, "/override supervisor_approved")
        assert app.session.override == "SUPERVISOR_APPROVED"


async def test_a_move_of_a_lot_in_two_places_asks_for_the_source_and_takes_what_it_asked_for(
    tmp_path: Path,
) -> None:
    """T12: FLO9313B is at FG-B06 (12) and RM-A07 (10). After the lot scan the station said "Now
    scan the location to move it to", then refused that very scan with LOCATION_NEEDED. Now the
    lot scan asks where it is taken from; the next location is the source, the one after it the
    destination, and nothing the station asked for is refused. The last scans name the places."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "/mode move")
        await scan(pilot, "(01)19521234001017(10)FLO9313B")
        said = " ".join(banner_text(app).split())
        assert "in 2 places (FG-B06 12, RM-A07 10): scan the location you take it from" in said, said
        assert "to move it to" not in said
        assert await scan(pilot, "LOC:RM-A07") != "REJECTED", banner_text(app)
        said = " ".join(banner_text(app).split())
        assert "from RM-A07" in said and "scan the location to move it to" in said, said
        assert await scan(pilot, "LOC:RM-A01") == "ACCEPTED", banner_text(app)
        assert "from RM-A07 to RM-A01" in " ".join(banner_text(app).split())
        moved, source = list(app.query_one(History).entries)[:2]
        assert (moved.lot, moved.moved_to) == ("FLO9313B", "RM-A01"), moved  # U13: the lot, then where
        assert (source.lot, source.shown) == (None, "LOC:RM-A07"), source
    moved = recorded(database, "stock.moved")
    assert [(p["lot"], p["from"], p["to"], p["qty"]) for p in moved] == [("FLO9313B", "RM-A07", "RM-A01", 10)]


async def test_consume_on_a_work_order_says_which_lot_to_take_and_where_before_the_first_scan(
    tmp_path: Path,
) -> None:
    """T14: /mode consume, WO:WO-3001 listed the lines only; the lot to take and its place were
    said only after a scan was refused, and a consumption took from a place the operator had
    not been told. Now the panel says the next line and "Take lot X at Y" (FEFO) as pick does,
    and the consumption is recorded from that place (issue 14 Build 1)."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "/mode consume")
        await scan(pilot, "WO:WO-3001")
        shown = " ".join(panel_text(app).split())
        assert "Take lot FLO9313B at RM-A07" in shown, shown
        await scan(pilot, "/qty 2")
        assert await scan(pilot, "(01)19521234001017(10)FLO9313B") == "ACCEPTED", banner_text(app)
    consumed = recorded(database, "stock.consumed")
    assert [(p["lot"], p["location"]) for p in consumed] == [("FLO9313B", "RM-A07")]


async def test_a_lookup_of_a_recalled_lot_reads_not_recorded_with_the_status_as_an_alarm(
    tmp_path: Path,
) -> None:
    """T13: a lookup of recalled lot FLO3961E read ACCEPTED with a green tick; a lookup records
    nothing, and ACCEPTED means recorded (README, Verdicts). It now reads NOT RECORDED with
    RECALLED beside it in the alarm (refusal) colours; a released lot's lookup reads NOT
    RECORDED in the blue of "nothing recorded", never ACCEPTED."""
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "/mode lookup")
        await scan(pilot, "(01)19521234001017(10)FLO3961E")
        said = " ".join(banner_text(app).split())
        assert said.startswith("NOT RECORDED RECALLED"), said
        assert "ACCEPTED" not in said
        assert app.banner.has_class("-rejected")  # the alarm style
        [last] = str(app.query_one("#history").render()).splitlines()[:1]
        assert "✔" not in last and "FLO3961E" in last, last
        await scan(pilot, "(01)19521234001017(10)FLO9313B")  # released
        said = " ".join(banner_text(app).split())
        assert said.startswith("NOT RECORDED Lot FLO9313B"), said
        assert app.banner.has_class("-unrecorded")
        await scan(pilot, "LOC:RM-A07")
        assert " ".join(banner_text(app).split()).startswith("NOT RECORDED Location RM-A07")
    assert recorded(database, "stock.moved") == []


@pytest.mark.parametrize("size", [(40, 16), (80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_last_scans_show_the_lot_moved_then_where_it_went(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Tester U13: after a move the "Last scans" list showed the destination (LOC:RM-A01), not
    the lot moved. The move's line reads the lot first, then where it went, at every size."""
    app, _database = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "/mode move")
        await scan(pilot, "(01)19521234001017(10)FLO9313B")
        await scan(pilot, "LOC:RM-A07")
        assert await scan(pilot, "LOC:RM-A01") == "ACCEPTED", banner_text(app)
        history = app.query_one(History)
        newest = history.render().plain.splitlines()[0 if history.compact else 1]
        assert newest.endswith("lot FLO9313B → RM-A01"), newest
        assert "LOC:RM-A01" not in newest
