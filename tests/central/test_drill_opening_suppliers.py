"""A backward drill names the supplier of a lot that came in with the imported (opening) stock,
not only of lots received through a station: that stock is most of a plant's on its first day.
21 CFR 1.1345(a): the immediate previous source of each lot received is kept and given on request."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir


def test_drill_of_an_opening_stock_lot_notifies_its_supplier(db_url: str, tmp_path: Path) -> None:
    imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", db_url])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "fg"
    drill = CliRunner().invoke(
        main, ["central", "drill", "FG3526E", "FLO9313B", "--out", str(out), "--by", "qa", "--db", db_url]
    )
    assert drill.exit_code == 0, drill.output
    assert "suppliers: 1" in drill.output
    report = json.loads((out / "drill.json").read_text(encoding="utf-8"))
    assert [s["name"] for s in report["suppliers"]] == ["Supplier D"]
    notice = (out / "notices" / "supplier-sup-d.md").read_text(encoding="utf-8")
    assert "| FLO9313B |" in notice and "22 KG" in notice and "opening stock import" in notice
