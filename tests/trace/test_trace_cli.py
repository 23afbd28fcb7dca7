"""`lotscan central trace` in its three formats."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from lotscan.cli.trace_cmd import trace
from tests.trace.conftest import Genealogy


def test_trace_command_formats(genealogy: Genealogy) -> None:
    g = genealogy
    root = g.generated.raw_lots[0]
    closure = g.model.walk([root], forward=True)
    runner = CliRunner()
    as_json = runner.invoke(trace, [root[1], "--forward", "--format", "json", "--db", g.url])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert {(x["item"], x["lot"]) for x in data["lots"]} == set(closure)
    as_csv = runner.invoke(trace, [root[1], "--forward", "--format", "csv", "--db", g.url])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {(r["item"], r["lot"]) for r in rows if r["record"] == "lot"} == set(closure)
    table = runner.invoke(trace, [root[1], "--both", "--db", g.url])
    assert (
        table.exit_code == 0 and f"Lots ({len(closure) + len(g.model.walk([root], False))})" in table.output
    )


def test_trace_command_unknown_lot(genealogy: Genealogy) -> None:
    result = CliRunner().invoke(trace, ["NO-SUCH-LOT", "--db", genealogy.url])
    assert result.exit_code == 1 and "NO-SUCH-LOT" in result.output and "not known" in result.output
