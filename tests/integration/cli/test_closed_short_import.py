"""A pick list imported with a line already closed short (`qty_short` in task_lines, e.g. moved
from another system, or exported and imported again) reads as closed short: the station neither
offers it to pick nor calls it 0 of 0, and a rescan says so with its figures. Through the
commands a user runs (`lotscan cache import`, `lotscan scan`), on a real cache."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli
from tests.plant import FLOUR, write_plant

LINES = "task,line_no,item,qty_expected,qty_done,qty_short\nPL-1,1,FLOUR,20,5,15\n"


def test_an_imported_line_closed_short_reads_closed_short(tmp_path: Path) -> None:
    database = tmp_path / "station.db"
    (tmp_path / "task_lines.csv").write_text(LINES, encoding="utf-8")
    for source in (write_plant(tmp_path), tmp_path / "task_lines.csv"):
        imported = CliRunner().invoke(cli, ["cache", "import", str(source), "--db", str(database)])
        assert imported.exit_code == 0, imported.output
    looked = CliRunner().invoke(cli, ["scan", "PL:PL-1", "-w", "lookup", "--db", str(database)])
    assert "expected 20, done 5, short 15" in looked.output, looked.output
    pick = ["scan", f"(01){FLOUR}(10)F-EARLY", "-w", "pick", "--task", "PL-1", "--qty", "1"]
    picked = CliRunner().invoke(cli, [*pick, "--operator", "100", "--db", str(database)])
    assert picked.exit_code == 1, picked.output
    said = " ".join(picked.output.split())
    assert "was closed short (5 of 20 SACK picked, 15 SACK short)" in said, said
