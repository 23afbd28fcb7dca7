"""Issue 9: "the operator must exist at central, be active, and hold the role". Each test is the
attack: a station pushes events naming an operator central has deactivated (who left, whose
badge was lost), and central must refuse them with a stable code, never apply them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from lotscan.central.trace import audit
from lotscan.central.trace.tables import central_decisions
from lotscan.cli.central_cmd import central as central_cli
from tests.central.support import Central
from tests.central.test_authority import ev, outcome, stock_rows

CONSUME = {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 1}


def _cli(central: Central, *args: str) -> str:
    result = CliRunner().invoke(central_cli, [*args, "--db", central.url])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_deactivated_operators_events_are_refused_until_activated_again(central: Central) -> None:
    _, token = central.enroll("P1")
    assert "deactivated" in _cli(central, "operator", "deactivate", "100", "--reason", "left the company")
    before = stock_rows(central)
    refused = outcome(central, token, ev(1, "stock.consumed", CONSUME, operator="100"))
    assert (refused["outcome"], refused["code"]) == ("rejected", "OPERATOR_INACTIVE")
    assert "deactivated" in refused["reason"]
    assert stock_rows(central) == before

    _cli(central, "operator", "activate", "100", "--reason", "badge found")
    assert outcome(central, token, ev(2, "stock.consumed", CONSUME, operator="100"))["outcome"] == "applied"
    with central.engine.connect() as conn:
        decisions = conn.execute(
            select(central_decisions.c.decision, central_decisions.c.subject).order_by(central_decisions.c.id)
        ).all()
        assert [tuple(d) for d in decisions if d[1] == "operator 100"] == [
            ("operator.imported", "operator 100"),
            ("operator.deactivated", "operator 100"),
            ("operator.activated", "operator 100"),
        ]
        assert audit.verify(conn).ok


def test_a_deactivated_supervisor_approves_no_override_and_releases_nothing(
    central: Central, tmp_path: Path
) -> None:
    """Deactivated through the import (`active: no`), the way HR's export reaches central."""
    _, token = central.enroll("P1")
    central.import_rows(
        tmp_path, {"operators": [{"badge": "900", "role": "supervisor", "active": "no", "site": "*"}]}
    )
    override = outcome(
        central, token, ev(1, "stock.consumed", {**CONSUME, "override": "NOT_FEFO", "override_by": "900"})
    )
    hold = outcome(
        central,
        token,
        ev(
            2,
            "lot.status_changed",
            {"item": "FLOUR", "lot": "F-EARLY", "to": "hold", "reason": "x"},
            operator="900",
        ),
    )
    assert (override["code"], hold["code"]) == ("OVERRIDE_NOT_APPROVED", "OPERATOR_INACTIVE")


def test_deactivating_an_unknown_badge_says_so(central: Central) -> None:
    result = CliRunner().invoke(
        central_cli, ["operator", "deactivate", "4711", "--reason", "left", "--db", central.url]
    )
    assert result.exit_code == 1
    assert "operator '4711' is not known at central" in result.output
    assert "Traceback" not in result.output


def test_a_station_learns_a_deactivation_and_refuses_the_badge_with_a_reason(
    central: Central, tmp_path: Path
) -> None:
    """Tester #22: the station still signed a deactivated operator in and showed their scans
    ACCEPTED; central refused them afterwards. Now the pull carries `active` and the station
    refuses the sign-in and the scans itself, saying why."""
    from lotscan.domain.verdict import Level
    from lotscan.services.context import Workflow
    from tests.central.support import Station

    station = Station(central, tmp_path, "st-22")
    verdict, signed = station.service.sign_in("100")
    assert verdict.level is Level.ACCEPTED and signed is not None
    _cli(central, "operator", "deactivate", "100", "--reason", "left the company")
    station.sync()
    verdict, signed = station.service.sign_in("100")
    assert signed is None and verdict.level is Level.REJECTED
    assert [r.code for r in verdict.reasons] == ["OPERATOR_INACTIVE"]
    assert "deactivated at central" in verdict.message
    scanned = station.scan("F-EARLY", Workflow.CONSUME, operator="100")  # signed in before
    assert scanned.level is Level.REJECTED and "OPERATOR_INACTIVE" in [r.code for r in scanned.reasons]
    assert station.pending() == 0
    _cli(central, "operator", "activate", "100", "--reason", "badge found")
    station.sync()
    assert station.service.sign_in("100")[0].level is Level.ACCEPTED
