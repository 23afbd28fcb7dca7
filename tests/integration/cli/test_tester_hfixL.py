"""Tester X5 on the command line, as typed, on the demo cache after the README pick journey
(PL-4001 line 1 30/30): a scan of FG3526E at FG-B01, which holds none of it, was refused with
only QTY_EXCEEDS_TASK, and a supervisor's override of that also passed the WRONG_LOCATION nobody
was shown (FG-B01 at -1). A refusal names every reason that blocks it, and no override takes a
lot from a place the records say holds none (count the place first)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from tests.integration.cli.test_tester_hfixG import scan, stock_of
from tests.ui.conftest import events_of

GINGER_NUTS_FEFO = "(01)09521234001348(10)FG3526E"
GINGER_NUTS_LATER = "(01)09521234001348(10)FG6624F"
PICK = ("-w", "pick", "--task", "PL-4001")


@pytest.fixture
def picked(tmp_path: Path) -> Path:
    """The demo cache after the README journey: 10 of FG6624F, then 20 of FG3526E; line 1 30/30."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    assert scan(demo, GINGER_NUTS_LATER, *PICK, "--qty", "10", "--operator", "1003").exit_code == 0
    done = scan(demo, GINGER_NUTS_FEFO, *PICK, "--operator", "1003")
    assert done.exit_code == 0 and "PL-4001 line 1: 30/30" in done.output, done.output
    return demo


def test_a_complete_line_scanned_at_a_place_without_the_lot_names_both_reasons(picked: Path) -> None:
    refused = scan(picked, GINGER_NUTS_FEFO, *PICK, "--location", "FG-B01", "--qty", "1",
                   "--operator", "1003", "--dry-run", "--json")  # fmt: skip
    assert refused.exit_code == 1, refused.output
    said = json.loads(refused.output.splitlines()[0])
    assert said["verdict"] == "REJECTED"
    assert [r["code"] for r in said["reasons"]] == ["QTY_EXCEEDS_TASK", "WRONG_LOCATION"], said
    # Only the pickable place: DOCK-OUT holds what was picked already (tester tz2, A5).
    assert "records show it at FG-B07." in said["reasons"][1]["message"], said


def test_no_override_takes_a_lot_from_a_place_that_holds_none(picked: Path) -> None:
    before = stock_of(picked, "FG3526E")
    recorded = len(events_of(create_engine(f"sqlite:///{picked}")))
    supervisor = ("--qty", "1", "--operator", "9001", "--pin", "4321", "--override", "SUPERVISOR_APPROVED")
    overridden = scan(picked, GINGER_NUTS_FEFO, *PICK, "--location", "FG-B01", *supervisor, "--json")
    assert overridden.exit_code == 1, overridden.output
    said = json.loads(overridden.output.splitlines()[0])
    assert said["verdict"] == "REJECTED", said
    refusal = said["reasons"][-1]
    assert refusal["code"] == "BAD_OVERRIDE" and "WRONG_LOCATION cannot be overridden" in refusal["message"]
    assert "Count the place first" in refusal["message"], refusal
    assert stock_of(picked, "FG3526E") == before
    assert len(events_of(create_engine(f"sqlite:///{picked}"))) == recorded
    # The over-pick alone, from a place that holds the lot, is still the supervisor's to approve.
    approved = scan(picked, GINGER_NUTS_FEFO, *PICK, "--location", "FG-B07", *supervisor)
    assert approved.exit_code == 0 and "PL-4001 line 1: 31/30" in approved.output, approved.output
    assert stock_of(picked, "FG3526E")["FG-B07"] == before["FG-B07"] - 1


def test_settings_cannot_make_taking_from_a_place_that_holds_none_overridable(tmp_path: Path) -> None:
    settings = tmp_path / "x5.toml"
    settings.write_text('[policy]\noverridable = ["NOT_FEFO", "WRONG_LOCATION"]\n')
    shown = CliRunner().invoke(cli, ["config", "--config", str(settings)])
    assert shown.exit_code == 2, shown.output
    assert "policy.overridable lists WRONG_LOCATION: no override passes them" in shown.output, shown.output
    assert "count the place first" in shown.output, shown.output
