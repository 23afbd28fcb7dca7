"""Findings of tester tw on the command line, as the user typed them, on the demo cache: typed text
that central refuses (control characters) is refused by the station first, exit 2, nothing recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.cli.main import cli
from tests.ui.conftest import events_of

FLOUR_LOT = "(01)19521234001017(10)FLO9313B"


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--reason", "a\tb", "a TAB (\\u0009)"),
        ("--reason", "line1\r\nline2", "a carriage return (CR) (\\u000d)"),
        ("--reason", "ok\u202eevil", "a bidirectional text control (\\u202e)"),
        ("--location", "RM-A01\x1b[2J", "an ESC (\\u001b)"),
    ],
)
def test_typed_text_with_a_control_character_is_refused_and_nothing_recorded(
    tmp_path: Path, option: str, value: str, named: str
) -> None:
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    before = len(events_of(create_engine(f"sqlite:///{demo}")))
    options = {"--reason": "mould", "--operator": "9001", "--pin": "4321", option: value}
    args = ["scan", FLOUR_LOT, "-w", "hold", *(text for pair in options.items() for text in pair)]
    result = CliRunner().invoke(cli, [*args, "--db", str(demo)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"Invalid value for '{option}': it contains {named}" in said, said
    assert "type it again without it" in said and "Nothing was recorded" in said
    assert len(events_of(create_engine(f"sqlite:///{demo}"))) == before


def test_a_plain_reason_is_still_recorded(tmp_path: Path) -> None:
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    result = CliRunner().invoke(
        cli,
        ["scan", FLOUR_LOT, "-w", "hold", "--reason", "mould on two sacks", "--operator", "9001",
         "--pin", "4321", "--db", str(demo)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mould on two sacks" in events_of(create_engine(f"sqlite:///{demo}"))[-1].payload


def test_a_location_lookup_marks_expired_lots_as_the_lot_lookup_does(tmp_path: Path) -> None:
    """W20: `lotscan scan 'LOC:RM-A01' -w lookup` listed lots past their expiry as 'status released'."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    result = CliRunner().invoke(cli, ["scan", "LOC:RM-A01", "-w", "lookup", "--json", "--db", str(demo)])
    assert result.exit_code == 0, result.output
    contents = json.loads(result.output.splitlines()[0])["details"]["contents"]
    expired = [row for row in contents if row["expired"]]
    assert expired, contents  # the demo has lots past their expiry at RM-A01
    for row in expired:
        lot = CliRunner().invoke(
            cli, ["scan", f"(01){row['gtin']}(10){row['lot']}", "-w", "lookup", "--json", "--db", str(demo)]
        )
        assert json.loads(lot.output.splitlines()[0])["details"]["expired"] is True, row
    human = CliRunner().invoke(cli, ["scan", "LOC:RM-A01", "-w", "lookup", "--db", str(demo)]).output
    assert f"lot {expired[0]['lot']}, status {expired[0]['status']}" in human
    assert "expired yes" in human and "expired no" in human


def test_a_pallet_the_asn_announces_is_looked_up_as_announced(tmp_path: Path) -> None:
    """W20: `(00)095212340000000013` (on ASN-1001) read 'Lot pallet ... of unknown product is not known'."""
    demo = tmp_path / "demo.db"
    prepare_demo(demo, reset=False)
    result = CliRunner().invoke(cli, ["scan", "(00)095212340000000013", "-w", "lookup", "--db", str(demo)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Pallet 095212340000000013 is not received yet; announced on ASN ASN-1001 line" in said, said
    assert (
        "of Wheat flour T55" in said and "Receive it on ASN-1001." in said and "unknown product" not in said
    )
