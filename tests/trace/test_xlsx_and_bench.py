"""The streaming XLSX writer reads back in openpyxl; the trace benchmark runs end to end (tiny)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from benchmarks.trace import command as bench_command
from lotscan.exports.tabular import Sheet, write_xlsx


def test_xlsx_reads_back_with_types_and_escaping(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [
        [
            "A & B <c>",
            1,
            2.5,
            None,
            date(2026, 3, 1),
            datetime(2026, 3, 1, 6, 30, 5),
            " padded ",
            "bell\x07gone",
        ],
        ["x", -3, 1e-7, True, None, None, "", "ünïcødé ✓"],
    ]
    columns = ["text", "int", "float", "none", "date", "time", "space", "control"]
    counts = write_xlsx(path, [Sheet("Data: [1/2]", columns, rows), Sheet("Empty", ["only"], [])])
    assert counts == {"Data: [1/2]": 2, "Empty": 0}
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Data_ _1_2_", "Empty"]
    got = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(got[0]) == columns
    assert list(got[1]) == [
        "A & B <c>",
        1,
        2.5,
        None,
        "2026-03-01",
        "2026-03-01T06:30:05",
        " padded ",
        "bellgone",
    ]
    assert list(got[2]) == ["x", -3, 1e-7, True, None, None, None, "ünïcødé ✓"]
    assert book.worksheets[0].freeze_panes == "A2"
    assert book.worksheets[0].auto_filter.ref == "A1:H3"


def test_bench_trace_runs_on_sqlite() -> None:
    result = CliRunner().invoke(bench_command, ["--events", "3000", "--repeat", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)["results"][0]
    assert data["events"] > 2000 and data["levels"] == 6
    assert data["trace_forward"]["lots"] == data["busy_lot"]["downstream_lots"] + 1
    # Every event chained, and each generated site, location, item, task and party as a decision.
    decisions = data["audit_verify"]["decisions"]
    assert data["audit_verify"]["records"] == data["events"] + decisions
    assert decisions == 4 + 16 + 120 + 58 + 74  # sites, locations, items, tasks, parties generated
    # The generated stock table is what its events leave at each location (verify --stock intact).
    assert data["audit_verify_stock"]["records"] == data["audit_verify"]["records"]
    assert data["fsma_month_xlsx"]["rows"] == data["fsma_month_csv"]["rows"]
    assert data["drill_forward"]["affected_lots"] == data["trace_forward"]["lots"]
    assert data["drill_forward"]["differences"] == 0
    assert data["naive_walk"]["lots"] == data["trace_forward"]["lots"]
    assert data["naive_walk"]["ratio_to_trace"] > 0
    assert data["closure_forward"]["lots"] == data["naive_walk"]["lots"]  # like for like
    assert data["naive_walk"]["ratio_to_closure"] > 0
