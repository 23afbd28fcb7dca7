"""Tester ty's re-walk: what the station says after a refusal no override
passes (Y5), what a count is told when its typed quantity is not the label's (Y2), and an expired
lot in a location's list said once (Y6), and a done line's refusal naming an unusable lot (Y4)."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from lotscan.cli.main import cli
from lotscan.station.actions import what_to_do_instead
from lotscan.station.widgets.workpanel import lookup_text

FIVE_KILO_LABEL = "(01)19521234001017(10)FLO9313B(3103)005000"


def test_no_override_after_a_wrong_place_says_what_to_do_with_the_place_not_the_lot() -> None:
    """Y5: key o after WRONG_LOCATION said "scan another lot"; the lot was right, the place wrong."""
    assert (
        what_to_do_instead(["WRONG_LOCATION"])
        == "count the place first, or take the lot from where it is recorded"
    )
    assert what_to_do_instead(["LOT_EXPIRED"]) == "scan another lot"


def test_a_count_that_is_not_the_labels_weight_is_told_to_count_again_not_to_rescan_without_qty() -> None:
    """Y2: "scan it again without /qty" booked the whole place as one 5 kg pack on a count."""
    runner = CliRunner()
    runner.invoke(cli, ["demo", "--headless"], input="")
    args = ["scan", FIVE_KILO_LABEL, "-w", "count", "--location", "RM-A07", "--qty", "2"]
    result = runner.invoke(cli, [*args, "--operator", "1001", "--dry-run", "--json"], input="")
    verdict = json.loads(result.output[result.output.index("{") :])
    said = " ".join(r["message"] for r in verdict["reasons"])
    assert "Count the place again and type what it holds." in said, said
    assert "without /qty" not in said


def test_an_expired_lot_in_a_locations_list_is_said_expired_once() -> None:
    """Y6: the location panel read "EXPIRED EXPIRED 8d ago"."""
    row = {"lot": "EGG9996C", "description": "Liquid egg", "item": "EGG", "qty": 40, "unit": "L"}
    details = {
        "type": "location",
        "location": "RM-A01",
        "contents": [{**row, "status": "released", "expiry": "2026-11-21", "expired": True}],
    }
    shown = lookup_text(details, date(2026, 11, 29)).plain
    assert "EXPIRED 8d ago" in shown and "EXPIRED EXPIRED" not in shown, shown
    assert "released" not in shown


def test_a_done_lines_refusal_also_says_the_lot_itself_is_unusable() -> None:
    """Y4: on a complete line a quarantined or rejected lot was refused only QTY_EXCEEDS_TASK
    ("nothing more is needed"), so the operator was not told the lot is unusable and `o` called a
    supervisor for an override that could not pass. A usable lot gets only the line's refusal."""
    runner = CliRunner()
    runner.invoke(cli, ["demo", "--headless"], input="")
    ginger = "(01)09521234001348(10){}"
    done = ["-w", "pick", "--task", "PL-4001", "--operator", "1003"]
    runner.invoke(cli, ["scan", ginger.format("FG3526E"), *done, "--qty", "30"], input="")

    def codes(lot: str) -> list[str]:
        result = runner.invoke(cli, ["scan", ginger.format(lot), *done, "--qty", "1", "--dry-run", "--json"])
        verdict = json.loads(result.output[result.output.index("{") :])
        return [reason["code"] for reason in verdict["reasons"]]

    assert codes("FG2230G") == ["QTY_EXCEEDS_TASK", "LOT_QUARANTINED"]
    assert codes("FG6860C") == ["QTY_EXCEEDS_TASK", "LOT_REJECTED"]
    assert codes("FG3526E") == ["QTY_EXCEEDS_TASK"]
