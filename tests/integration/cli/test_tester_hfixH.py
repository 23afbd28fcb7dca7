"""Findings of tester tw on the command line, as the user typed them, on the demo cache: typed text
that central refuses (control characters) is refused by the station first, exit 2, nothing recorded."""

from __future__ import annotations

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
