"""A mock recall drill on the demo plant: the stock `lotscan central import` brought in (opening
stock) is the balance's `opening` term, not a difference; a hand-deleted shipping record is."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from lotscan.central.db import open_central, write_tx
from lotscan.cli.main import cli as main
from lotscan.paths import demo_data_dir
from lotscan.services.context import Workflow
from tests.central.support import Central, Station

GINGER_NUTS = "(01)09521234001348"
TERMS = ("received", "produced", "opening", "consumed", "shipped", "adjusted", "on_hand")


def _drill(db_url: str, out: Path) -> dict:
    result = CliRunner().invoke(main, ["central", "drill", "FG3526E", "--out", str(out), "--db", db_url])
    assert result.exit_code == 0, result.output
    return json.loads((out / "drill.json").read_text())


def test_imported_opening_stock_balances_and_a_deleted_shipment_is_named(db_url: str, tmp_path: Path) -> None:
    central = Central(db_url)
    try:
        imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", db_url])
        assert imported.exit_code == 0, imported.output
        station = Station(central, tmp_path, "ST-DEMO", site="PLANT1")
        shipped = station.scan(
            f"{GINGER_NUTS}(10)FG3526E",
            Workflow.SHIP,
            operator="1003",
            task="SHP-5001",
            location="FG-B07",
            qty=5,
        )
        assert "5" in shipped.message, shipped.message
        station.sync()

        report = _drill(db_url, tmp_path / "d1")
        (lot,) = report["mass_balance"]
        assert set(TERMS) | {"difference"} <= set(lot)
        # config/demo/stock.csv: FG-GINGERNUT,FG3526E,FG-B07,120 -- imported, then 5 shipped.
        assert (lot["lot"], lot["opening"], lot["shipped"], lot["on_hand"]) == ("FG3526E", 120, 5, 115)
        assert lot["difference"] == 0 and report["result"] == "balanced"
        html = (tmp_path / "d1" / "drill.html").read_text()
        assert "opening" in html and "every lot balances" in html

        engine = open_central(db_url)
        with write_tx(engine) as conn:
            deleted = conn.execute(
                text("DELETE FROM received_events WHERE type = 'stock.shipped' AND lot_code = 'FG3526E'")
            ).rowcount
        engine.dispose()
        assert deleted == 1
        report = _drill(db_url, tmp_path / "d2")
        (lot,) = report["mass_balance"]
        assert (lot["opening"], lot["shipped"], lot["on_hand"], lot["difference"]) == (120, 0, 115, 5)
        assert report["result"] == "differences"
        assert [e["term"] for e in lot["events"]] == ["opening"]
    finally:
        central.close()
