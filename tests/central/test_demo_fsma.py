"""Acceptance: the FSMA 204 export of the demo plant after the README's demo journey (pick the
FEFO lot, receive a new flour lot on the ASN, a refused recalled lot, then ship) has the rule's
headers, and every shipping and receiving row names its TLC source and location descriptions
with address and phone: the demo plant's parties are in its master data."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from lotscan.cli.main import cli as main
from lotscan.domain.verdict import Level
from lotscan.paths import demo_data_dir
from lotscan.services.context import Workflow
from tests.central.support import Central, Station
from tests.trace.test_fsma import HEADERS

GINGER_NUTS = "(01)09521234001348"
FLOUR = "(01)19521234001017"


def test_fsma_export_of_the_demo_plant_after_the_demo_journey(db_url: str, tmp_path: Path) -> None:
    central = Central(db_url)
    try:
        imported = CliRunner().invoke(main, ["central", "import", str(demo_data_dir()), "--db", db_url])
        assert imported.exit_code == 0, imported.output
        station = Station(central, tmp_path, "ST-DEMO", site="PLANT1")
        expiry = (date.today() + timedelta(days=200)).strftime("%y%m%d")
        steps = [
            (f"{GINGER_NUTS}(10)FG3526E", Workflow.PICK, {"task": "PL-4001", "qty": 10}),
            (
                f"{FLOUR}(17){expiry}(10)FL25001(30)20",
                Workflow.RECEIVE,
                {"task": "ASN-1001", "location": "DOCK-IN"},
            ),
            (
                f"{FLOUR}(10)FLO3961E",
                Workflow.CONSUME,
                {"task": "WO-3001", "location": "LINE-1"},
            ),
            (
                f"{GINGER_NUTS}(10)FG3526E",
                Workflow.SHIP,
                {"task": "SHP-5001", "location": "FG-B07", "qty": 5},
            ),
        ]
        answers = [station.scan(data, workflow, operator="1003", **ctx) for data, workflow, ctx in steps]
        verdicts = [a.level for a in answers]
        assert verdicts[1] is not Level.REJECTED and verdicts[2] is Level.REJECTED, [
            a.message for a in answers
        ]
        station.sync()
        out = tmp_path / "demo.csv"
        result = CliRunner().invoke(
            main, ["central", "export", "fsma204", "--format", "csv", "--out", str(out), "--db", db_url]
        )
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(out.open()))
        assert list(rows[0])[: len(HEADERS)] == HEADERS
        moving = [r for r in rows if r["Event Type"] in ("Receiving", "Shipping")]
        assert "Receiving" in {r["Event Type"] for r in moving}
        for r in moving:
            assert (
                r["Traceability Lot Code Source Location Description"]
                or r["Traceability Lot Code Source Reference"]
            )
            for column in (
                "Event Location Description",
                "Immediate Previous Source Location Description",
                "Immediate Subsequent Recipient Location Description",
            ):
                if r[column]:
                    assert len(r[column].split(", ")) >= 6, (column, r[column])  # name ... phone
        received = next(r for r in moving if r["Event Type"] == "Receiving")
        assert received["Traceability Lot Code"] == "FL25001"
        assert received["Immediate Previous Source Location Description"].startswith(
            "Millers Ltd, 12 Mill Lane"
        )
        assert received["Traceability Lot Code Source Reference"] == "FFRN 11122233344"
        # The shipment export passes the TLC source on to the recipient (21 CFR 1.1340(b)).
        passed_on = CliRunner().invoke(main, ["central", "export", "shipment", "SHP-5001", "--db", db_url])
        assert passed_on.exit_code == 0, passed_on.output
        (shipped,) = list(csv.DictReader(passed_on.stdout.splitlines()))
        assert shipped["Event Type"] == "Shipping" and shipped["Traceability Lot Code"] == "FG3526E"
        assert shipped["Immediate Subsequent Recipient Location Description"].startswith("FreshMart DC 12, ")
        assert shipped["Traceability Lot Code Source Location Description"].startswith("North Valley Foods")
    finally:
        central.close()
