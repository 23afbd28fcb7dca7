"""Findings of tester tw on the command line, as the user typed them, on the demo cache: a
ship without a scanned location (W22), a recalled lot moved into a pickable bin (W18)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from tests.ui.conftest import events_of, payload

CRACKERS = "(01)09521234001478(10)FG7567A"


def scan(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["scan", *args, "--db", str(db)])


def stock_of(db: Path, lot: str) -> dict[str, float]:
    with create_engine(f"sqlite:///{db}").connect() as conn:
        rows = conn.exec_driver_sql(
            "select l.code, s.qty from stock s join locations l on l.id = s.location_id "
            "join lots t on t.id = s.lot_id where t.code = ?",
            (lot,),
        )
        return {code: qty for code, qty in rows}


def test_a_ship_without_a_location_asks_when_the_staging_place_cannot_cover_it(tmp_path: Path) -> None:
    """W22: `lotscan scan FG7567A -w ship --task SHP-5001 --qty 8` took all 8 from DOCK-OUT, which
    held 1 (-7 there), while FG-B03 held 10."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    picked = scan(demo, CRACKERS, "-w", "pick", "--task", "PL-4001", "--location", "FG-B05", "--qty", "1",
                  "--operator", "1003")  # fmt: skip
    assert picked.exit_code == 0, picked.output
    before = stock_of(demo, "FG7567A")
    assert before == {"FG-B03": 10.0, "FG-B05": 4.0, "DOCK-OUT": 1.0}
    ship = ("-w", "ship", "--task", "SHP-5001", "--qty", "8", "--operator", "1003")
    asked = scan(demo, CRACKERS, *ship, "--json")
    assert asked.exit_code == 1, asked.output
    said = json.loads(asked.output.splitlines()[0])
    assert said["verdict"] == "REJECTED" and [r["code"] for r in said["reasons"]] == ["LOCATION_NEEDED"]
    assert "has only 1 EA at DOCK-OUT, not 8" in said["message"] and "FG-B03 10" in said["message"], said
    assert stock_of(demo, "FG7567A") == before
    shipped = scan(demo, CRACKERS, *ship, "--location", "FG-B03")
    assert shipped.exit_code == 0, shipped.output
    assert "Shipped 8 EA of lot FG7567A from FG-B03" in " ".join(shipped.output.split())
    assert payload(events_of(create_engine(f"sqlite:///{demo}"))[-1])["location"] == "FG-B03"
    assert stock_of(demo, "FG7567A") == {**before, "FG-B03": 2.0}


RECALLED_FLOUR = "(01)19521234001017(10)FLO3961E"  # the demo's recalled lot, 10 KG at RM-A06


def test_a_recalled_lot_moved_where_it_could_be_used_warns_naming_the_hold_area(tmp_path: Path) -> None:
    """W18: `/mode move`, FLO3961E (RECALLED), `LOC:FG-B01` (a pickable bin): plain ACCEPTED
    "Moved 10 KG of lot FLO3961E from RM-A06 to FG-B01", reasons []."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    moved = scan(demo, RECALLED_FLOUR, "-w", "move", "--to", "FG-B01", "--qty", "4", "--operator", "1001",
                 "--json")  # fmt: skip
    assert moved.exit_code == 0, moved.output
    said = json.loads(moved.output.splitlines()[0])
    assert said["verdict"] == "WARNING" and [r["code"] for r in said["reasons"]] == ["LOT_OUT_OF_HOLD"], said
    assert (
        "Lot FLO3961E is RECALLED and is now at FG-B01, where it could be used: move it on to a hold area "
        "(QA-HOLD) and tell a supervisor." in said["message"]
    ), said
    [event] = events_of(create_engine(f"sqlite:///{demo}"))
    assert event.verdict == "WARNING" and "LOT_OUT_OF_HOLD" in event.reasons
    into_hold = scan(demo, RECALLED_FLOUR, "-w", "move", "--location", "FG-B01", "--to", "QA-HOLD",
                     "--qty", "4", "--operator", "1001", "--json")  # fmt: skip
    assert into_hold.exit_code == 0, into_hold.output
    said = json.loads(into_hold.output.splitlines()[0])
    assert said["verdict"] == "ACCEPTED" and said["reasons"] == [], said  # the right move stays plain
