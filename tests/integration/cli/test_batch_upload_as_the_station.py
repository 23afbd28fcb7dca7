"""A batch scanner's upload (`lotscan scan --file`) means what the same scans mean at the station
(tester tz, issue 14 Builds 1 and 4), on the demo cache, as an operator uploads it:

- Z13: the upload held the shelf's location label, then the lot; the location line was refused
  ("This is a location code") and the lot booked from the FEFO place, FG-B06, while the operator
  stood at FG-B01: the stock drift issue 14 opens with;
- Z14: the GTIN barcode and the lot barcode of one split label, on adjacent lines, were refused
  each on its own, telling the operator to scan the GTIN "right after it", which they had.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.paths import demo_database

CRACKERS_FG1252E = "(01)09521234001478(10)FG1252E"  # FG-B06 5 EA, FG-B01 12 EA
FLOUR = "(01)19521234001017"
FLOUR_FLO9313B = f"{FLOUR}(10)FLO9313B"  # RM-A07 10 KG, FG-B06 12 KG
FLOUR_FLO3471A = f"{FLOUR}(10)FLO3471A"  # RM-A02 50 KG


def lotscan(*args: str, stdin: str = "") -> Any:
    return CliRunner().invoke(cli, list(args), input=stdin)


def upload(lines: list[str], *args: str) -> Any:
    return lotscan("scan", "--file", "-", *args, stdin="".join(f"{line}\n" for line in lines))


def recorded() -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(demo_database()) as db:
        rows = db.execute("SELECT type, payload FROM events ORDER BY rowid").fetchall()
    return [(kind, json.loads(body)) for kind, body in rows]


def fresh_demo() -> None:
    assert lotscan("demo", "--reset", "--force", "--headless").exit_code == 0
    assert recorded() == []


CASES = {
    "pick": (
        ["-w", "pick", "--task", "PL-4001"],
        ["PL:PL-4001"],
        ["LOC:FG-B01", CRACKERS_FG1252E],
        ("stock.picked", "from", "FG-B01"),
    ),
    "consume": (
        ["-w", "consume", "--task", "WO-3001"],
        ["WO:WO-3001"],
        ["LOC:FG-B06", FLOUR_FLO9313B],
        ("stock.consumed", "location", "FG-B06"),
    ),
    "move": (
        ["-w", "move", "--qty", "2"],
        ["/mode move", "/qty 2"],
        ["LOC:FG-B06", FLOUR_FLO9313B, "LOC:RM-A03"],
        ("stock.moved", "from", "FG-B06"),
    ),
    "count": (
        ["-w", "count", "--qty", "45"],
        ["/mode count", "/qty 45"],
        ["LOC:RM-A02", FLOUR_FLO3471A],
        ("stock.counted", "location", "RM-A02"),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_an_upload_takes_the_lot_from_the_location_scanned_before_it_as_the_station_does(case: str) -> None:
    """Z13: the location line sets the place for the lines after it; the event records that place
    (issue 14 Build 1: "the event's location equals the prompt's, or the operator scanned it"),
    exactly what the line station records for the same scans."""
    options, station_setup, scans, (event_type, field, place) = CASES[case]
    lotscan("demo", "--headless")
    station = lotscan("demo", "--headless", stdin="\n".join(["OP:1003", *station_setup, *scans, ""]))
    assert station.exit_code == 0, station.output
    at_the_station = recorded()
    assert [(kind, body[field]) for kind, body in at_the_station] == [(event_type, place)], station.output

    fresh_demo()
    result = upload(scans, *options, "--operator", "1003")
    assert result.exit_code == 0, result.output
    assert "location code" not in result.output, result.output
    assert recorded() == at_the_station, result.output
    if case == "move":
        assert recorded()[0][1]["to"] == "RM-A03"


def test_a_move_upload_with_to_takes_each_lot_from_the_location_line_before_it() -> None:
    """Z13 with --to: the destination stands for every lot, the location lines say where each
    is taken from; FLO9313B is at RM-A07 (the first to expire) and at FG-B06."""
    lotscan("demo", "--headless")
    result = upload(["LOC:FG-B06", FLOUR_FLO9313B], "-w", "move", "--to", "RM-A03", "--qty", "2",
                    "--operator", "1003")  # fmt: skip
    assert result.exit_code == 0, result.output
    [(kind, body)] = recorded()
    assert (kind, body["from"], body["to"], body["qty"]) == ("stock.moved", "FG-B06", "RM-A03", 2)


def test_a_lot_after_a_refused_location_line_is_not_taken_from_another_place() -> None:
    """Z13: the operator scanned a place the station does not know; the lots after it are refused
    (where they were taken is not known), never booked from the place the records would choose.
    The next good location line sets the place again."""
    lotscan("demo", "--headless")
    result = upload(["LOC:FG-B99", CRACKERS_FG1252E, "LOC:FG-B01", CRACKERS_FG1252E],
                    "-w", "pick", "--task", "PL-4001", "--operator", "1003")  # fmt: skip
    assert result.exit_code == 1
    assert "line 1: REJECTED Location FG-B99 is not known here" in result.output, result.output
    assert "line 2: REJECTED Where this was taken is not known: the location on line 1 (LOC:FG-B99)" in (
        result.output
    )
    assert [(kind, body["from"], body["qty"]) for kind, body in recorded()] == [
        ("stock.picked", "FG-B01", 12)
    ]
    assert "4 scans: 1 accepted, 0 warnings, 2 rejected" in result.output


def test_an_upload_pairs_the_two_barcodes_of_a_split_label_as_the_station_does() -> None:
    """Z14: GTIN then lot, and lot then GTIN, on adjacent lines, are one label each (issue 14
    Build 4); a batch file carries no scan times, so a half pairs with the next label line."""
    lotscan("demo", "--headless")
    scans = [FLOUR, "(10)FLO9313B", "(10)FLO5717I", FLOUR]
    result = upload(scans, "-w", "consume", "--task", "WO-3001", "--operator", "1003", "--json")
    assert result.exit_code == 0, result.output
    said = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    noted = {line["line"]: line["message"] for line in said if line.get("noted")}
    assert noted == {1: "Read with line 2, as one label.", 3: "Read with line 4, as one label."}
    assert said[-1]["summary"]["REJECTED"] == 0 and said[-1]["summary"]["noted"] == 2, said[-1]
    assert [(kind, body["lot"], body["location"]) for kind, body in recorded()] == [
        ("stock.consumed", "FLO9313B", "RM-A07"),
        ("stock.consumed", "FLO5717I", "RM-A07"),
    ]


def test_a_half_label_whose_other_half_never_came_is_said_so_and_records_nothing() -> None:
    """Z14: a GTIN half followed by another label, and one on the last line, are refused as half
    labels, not "ask for an internal lot label"; the full label between them is recorded."""
    lotscan("demo", "--headless")
    scans = [FLOUR, FLOUR_FLO9313B, FLOUR]
    result = upload(scans, "-w", "consume", "--task", "WO-3001", "--operator", "1003")
    assert result.exit_code == 1
    for line in (1, 3):
        assert (
            f"line {line}: REJECTED This is the GTIN barcode of a split label, and its lot barcode was "
            "not on the next line: nothing recorded." in result.output
        ), result.output
    assert "internal lot label" not in result.output
    assert "3 scans: 1 accepted, 0 warnings, 2 rejected (MISSING_LOT x2)" in result.output, result.output
    assert [body["lot"] for _, body in recorded()] == ["FLO9313B"]
