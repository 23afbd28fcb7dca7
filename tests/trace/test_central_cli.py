"""The traceability commands hang under `lotscan central`."""

from __future__ import annotations

from click.testing import CliRunner

from lotscan.cli.main import cli as main
from tests.trace.conftest import Genealogy


def test_commands_are_under_lotscan_central(genealogy: Genealogy) -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["central", "--help"])
    assert listing.exit_code == 0, listing.output
    for name in ("trace", "recall", "export", "audit"):
        assert f"  {name} " in listing.output
    root = genealogy.generated.raw_lots[0]
    traced = runner.invoke(main, ["central", "trace", root[1], "--forward", "--db", genealogy.url])
    assert traced.exit_code == 0 and f"Trace of {root[0]}/{root[1]}" in traced.output
    verified = runner.invoke(main, ["central", "audit", "verify", "--db", genealogy.url])
    assert verified.exit_code == 0 and "intact" in verified.output
