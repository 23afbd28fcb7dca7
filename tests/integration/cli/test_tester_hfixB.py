"""Tester findings U22-U24, U1, U12 (second round), as the user meets them on the demo cache."""

from __future__ import annotations

import sqlite3
import time

from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.paths import demo_database

PICK_FG1252E = "(01)09521234001478(10)FG1252E"


def lotscan(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def events_recorded(kind: str) -> int:
    with sqlite3.connect(demo_database()) as conn:
        (count,) = conn.execute("SELECT count(*) FROM events WHERE type = ?", (kind,)).fetchone()
    return int(count)


def test_a_quantity_central_refuses_is_refused_at_the_station_naming_the_field() -> None:
    """U22: `--qty 0.0000001` was recorded ("Picked 1e-07 EA") and central then set it aside as
    BAD_PAYLOAD; the station refuses it up front with the event vocabulary's own rule."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    picked = lotscan("scan", PICK_FG1252E, "-w", "pick", "--task", "PL-4001", "--operator", "1002",
                     "--qty", "0.0000001", "--location", "FG-B06")  # fmt: skip
    assert picked.exit_code == 1, picked.output
    said = " ".join(picked.output.split())
    assert "INVALID_VALUE" in said and "qty: must be at least 1e-06" in said, said
    assert "1e-07 EA" not in said and "Value error" not in said
    assert events_recorded("stock.picked") == 0
    station = lotscan("demo", "--headless", stdin="OP:1003\nPL:PL-4001\n/qty 0.0000001\n")
    answer = next(line for line in station.output.splitlines() if "0.0000001" in line or "1e-07" in line)
    assert "INVALID_VALUE" in answer and "qty must be at least 1e-06" in answer, answer
    assert "Quantity for the next scan" not in station.output


def test_an_unknown_or_empty_location_is_refused_and_an_empty_badge_reads_plainly() -> None:
    """U23: `LOC:NOPE` and `LOC:` answered "Location set: NOPE" and the pick went on from a place
    that does not exist; an empty `OP:` read "Badge  is not known" (double space). An empty code
    is refused as unreadable, not as an unknown "(empty)" place or badge (tester tz, Z5)."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    lines = "OP:1003\nPL:PL-4001\nLOC:NOPE\nLOC:\nOP:\nLOC:FG-B06\n"
    said = [
        line
        for line in lotscan("demo", "--headless", stdin=lines).output.splitlines()
        if line.startswith(">")
    ]
    nope, empty, badge, known = said[2:6]
    assert "UNKNOWN_LOCATION" in nope and "Location NOPE is not known here" in nope, nope
    # A prefix with nothing after it is an unreadable code, said so (tester tz, Z5).
    assert "MALFORMED_GS1" in empty and "This location code has no valid identifier after 'LOC:'" in empty
    assert "MALFORMED_GS1" in badge and "This operator code has no valid identifier after 'OP:'" in badge
    assert "(empty)" not in empty + badge and "  is" not in badge
    assert "Location set: FG-B06" in known
    assert not any("Location set: NOPE" in line or "Location set: ." in line for line in said)


def test_when_no_single_place_holds_the_quantity_the_station_says_to_take_it_in_parts() -> None:
    """U1: 15 KG of FLO9313B (10 at RM-A07, 12 at FG-B06) got LOCATION_NEEDED listing only places
    that were short too; doing as told recorded 15 at FG-B06 and its stock went to -3."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    flour = "(01)19521234001017(10)FLO9313B"
    lines = f"OP:9001\n4321\nWO:WO-3001\n/qty 15\n{flour}\n/qty 10\n{flour}\n"
    said = [
        line
        for line in lotscan("demo", "--headless", stdin=lines).output.splitlines()
        if line.startswith(">")
    ]
    asked = next(line for line in said if "LOCATION_NEEDED" in line)
    assert "no single place holds 15 KG" in asked, asked
    assert "set the quantity to 10" in asked and "take 10 from RM-A07" in asked
    # tester V6: "scan another place and the lot for the other 5 KG" without a quantity took all 12 there
    assert "for the other 5 KG, set the quantity to 5 and scan another place and the lot" in asked
    assert any("Consumed 10 KG of lot FLO9313B from RM-A07" in line for line in said), said
    time.sleep(1.6)  # the walk to the next shelf: a scan of the same label within 1.5 s is a double read
    rest = f"OP:9001\n4321\nWO:WO-3001\n/qty 5\nLOC:FG-B06\n{flour}\n"
    took = lotscan("demo", "--headless", stdin=rest).output
    assert "Consumed 5 KG of lot FLO9313B from FG-B06" in took, took
    with sqlite3.connect(demo_database()) as conn:
        stock = "SELECT min(s.qty) FROM stock s JOIN lots l ON l.id = s.lot_id WHERE l.code = 'FLO9313B'"
        assert conn.execute(stock).fetchone()[0] >= 0


def test_typed_commands_are_answered_plainly_not_with_a_verdict_or_a_python_none() -> None:
    """U12: `/reason` with no text answered "Reason for the next scan: None."; `/mode bogus`,
    `/qty abc`, `/qty -1` were answered with the verdict word REJECTED, though no scan was judged."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    lines = "OP:1003\n/reason\n/mode bogus\n/qty abc\n/qty -1\n/nope\n"
    said = [
        line
        for line in lotscan("demo", "--headless", stdin=lines).output.splitlines()
        if line.startswith(">")
    ]
    answers = said[1:6]
    assert all(line.startswith(">  · ") for line in answers), answers
    assert not any(word in line for line in answers for word in ("REJECTED", "ACCEPTED", "None"))
    reason, mode, letters, negative, unknown = answers
    assert "No reason for the next scan" in reason
    assert "Mode unchanged (lookup)" in mode and "bogus" in mode
    assert "'abc' is not a quantity" in letters and "'-1' is not a quantity" in negative
    assert "Unknown command /nope" in unknown


def test_a_move_source_where_the_lot_is_not_is_refused_when_scanned() -> None:
    """Tester V7: moving FLO1968C (at RM-A01 and RM-A08), the station took LOC:RM-A05 as the source
    and refused only after the destination was scanned, with the lot forgotten."""
    lotscan("demo", "--reset", "--force", "--headless", stdin="")
    flour = "(01)19521234001017(10)FLO1968C"
    lines = f"OP:1003\n/mode move\n{flour}\nLOC:RM-A05\nLOC:RM-A08\nLOC:RM-A02\n"
    said = [
        line
        for line in lotscan("demo", "--headless", stdin=lines).output.splitlines()
        if line.startswith(">")
    ]
    refused = next(line for line in said if "RM-A05" in line)
    assert "WRONG_LOCATION" in refused and "records show it at RM-A01, RM-A08" in refused, said
    taking = next(n for n, line in enumerate(said) if "Taking FLO1968C from RM-A08" in line)
    assert "Moved 2 KG of lot FLO1968C from RM-A08 to RM-A02" in said[taking + 1], said
