"""Tester tz's walk, fixed by helper fixa: the refusals of empty or misplaced codes on the
command line name their reason code and say what to do, in plain English (Z5), on the demo cache."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lotscan.cli.main import cli

EMPTY_CODE = "MALFORMED_GS1"


def said(runner: CliRunner, data: str, *options: str) -> list[tuple[str, str]]:
    """The reasons `lotscan scan DATA ... --json` gives, as (code, sentence)."""
    args = ["scan", data, *options, "--operator", "1001", "--dry-run", "--json"]
    result = runner.invoke(cli, args, input="")
    assert result.exit_code == 1, result.output  # every one of these is refused
    verdict = json.loads(result.output[result.output.index("{") :])
    assert verdict["verdict"] == "REJECTED"
    return [(reason["code"], reason["message"]) for reason in verdict["reasons"]]


@pytest.fixture
def demo() -> CliRunner:
    runner = CliRunner()
    runner.invoke(cli, ["demo", "--headless"], input="")
    return runner


EMPTY_CODES = [
    ("LOC:", "lookup", "location"),
    ("LOC:   ", "lookup", "location"),
    ("WO:", "lookup", "work order"),
    ("PL:", "lookup", "pick list"),
    ("OP:", "lookup", "operator"),
    ("LOC:", "consume", "location"),
    ("WO:", "count", "work order"),
]


def test_a_code_with_nothing_after_its_prefix_is_refused_as_unreadable(demo: CliRunner) -> None:
    """Z5: `LOC:` in lookup was REJECTED with no reason at all ("Nothing to do with this scan."),
    `WO:`/`PL:` were "(empty) does not exist on this station", and `WO:` in count read "give
    --task  with the label" (an empty task, a double space)."""
    for data, workflow, what in EMPTY_CODES:
        ((code, sentence),) = said(demo, data, "-w", workflow)
        assert code == EMPTY_CODE, (data, workflow, sentence)
        assert f"This {what} code has no valid identifier after '{data.strip()}'" in sentence, sentence
        assert "(empty)" not in sentence and "  " not in sentence, sentence


def test_a_location_given_as_data_to_a_count_names_the_option_or_the_unknown_place(demo: CliRunner) -> None:
    """Z5: `lotscan scan LOC:NOPE -w count` was told "Scan the location you are counting first"
    (the user just did, and NOPE is no place here); on the command line the place is --location."""
    assert said(demo, "LOC:NOPE", "-w", "count") == [
        ("UNKNOWN_LOCATION", "Location NOPE is not known here. Scan a location label from this site.")
    ]
    ((code, sentence),) = said(demo, "LOC:RM-A07", "-w", "count")
    assert code == "MISSING_CONTEXT"
    assert sentence == (
        "On the command line give --location RM-A07 with the label to scan "
        "(its barcode LOC:RM-A07 sets the location only in the station app)."
    )


def test_a_task_of_another_workflow_names_the_workflow_it_is_for(demo: CliRunner) -> None:
    """Z5: `WO:WO-3001 -w count` said "Scan the location you are counting first: on the command
    line give --task WO-3001 ...", two sentences glued, and --task does nothing to a count."""
    ((code, sentence),) = said(demo, "WO:WO-3001", "-w", "count")
    assert code == "WRONG_SCAN_TYPE"
    assert sentence == (
        "This work order code does nothing in count. To consume on WO-3001, give -w consume --task "
        "WO-3001 with the label to scan (its barcode WO:WO-3001 chooses it only in the station app)."
    )
    # A task of the workflow itself still names --task (tester U19).
    assert said(demo, "WO:WO-3001", "-w", "consume") == [
        (
            "MISSING_CONTEXT",
            "Choose the work order first: on the command line give --task WO-3001 with the label "
            "to scan (its barcode WO:WO-3001 chooses it only in the station app).",
        )
    ]


def test_an_order_code_scanned_as_a_lot_is_named_in_correct_english(demo: CliRunner) -> None:
    """Z5: "This is a order code, not a product label"."""
    assert said(demo, "ASN:NOPE", "-w", "consume", "--task", "WO-3001") == [
        ("NOT_A_LOT", "This is an ASN code, not a product label. Scan the product's lot label.")
    ]
    assert said(demo, "OP:1001", "-w", "consume", "--task", "WO-3001")[0][1].startswith(
        "This is an operator code, not a product label."
    )


def test_a_quantity_typed_on_one_work_order_is_not_used_on_the_next(demo: CliRunner) -> None:
    """Z7: `/qty 10` on WO-3001, then `WO:WO-3002`: the station kept "Next scan: qty 10" (the place
    was dropped, the quantity kept) and consumed 10 KG into WO-3002, a quantity typed for the
    other order's line. Without it, the label is taken as the line and the place say."""
    lines = "OP:1002\nWO:WO-3001\n/qty 10\nWO:WO-3002\n(01)19521234001017(10)FLO3471A\n"
    result = demo.invoke(cli, ["demo", "--headless"], input=lines)
    answers = [line for line in result.output.splitlines() if line.startswith(">")]
    chosen, consumed = answers[3], answers[4]
    assert "Consume on WO-3002" in chosen, answers
    assert "into WO-3002" in consumed and "Consumed 10 KG" not in consumed, consumed
    with_qty = "OP:1002\nWO:WO-3002\n/qty 10\n(01)19521234001017(10)FLO9313B\n"  # typed on this order: used
    again = demo.invoke(cli, ["demo", "--headless"], input=with_qty)
    assert "Consumed 10 KG of lot FLO9313B from RM-A07 into WO-3002" in again.output, again.output


def test_the_produce_question_says_which_lines_lack_inputs_before_recording(demo: CliRunner) -> None:
    """Z9a: with only flour consumed, `/produce` (key p) asked "Produce lot ...: 480 EA ... from 1
    input lot(s)? Nothing recorded yet: p again records it" under INPUTS_MISSING; which lines had
    no inputs (sugar, butter, chocolate) was said only after the second p had recorded the lot."""
    lines = "OP:1002\nWO:WO-3001\n/qty 5\n(01)19521234001017(10)FLO9313B\n/produce\n"
    result = demo.invoke(cli, ["demo", "--headless"], input=lines)
    asked = next(line for line in result.output.splitlines() if "INPUTS_MISSING" in line)
    assert "Nothing recorded yet" in asked, asked
    assert "Nothing was consumed into WO-3001 for line 2 Granulated sugar" in asked, asked
    assert "line 3 Butter" in asked and "line 4 Dark chocolate" in asked, asked
