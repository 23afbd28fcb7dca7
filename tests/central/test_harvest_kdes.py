"""Harvest and cooling KDEs recorded at the station when receiving from a farm reach central,
are checked there, and appear in the FSMA 204 spreadsheet as the farm's Harvesting and Cooling
records (21 CFR 1.1325(a)(1), (b)(1)), every KDE the rule requires filled."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from lotscan.central.db import read_tx
from lotscan.domain.verdict import Level
from lotscan.services.context import Workflow
from tests.central.support import Central, Station
from tests.plant import FARM, LETTUCE
from tests.trace.test_fsma import RULE, exported

ORIGIN = {
    "commodity_variety": "Romaine, Green Forest",
    "field_name": "Block 7",
    "harvest_date": "2026-11-20",
    "harvester": "CREW",
    "cooling_location": "COOLCO",
    "cooling_date": "2026-11-21",
}
OUR_PLANT = {  # our site's location description: business name, address, phone (1.1310)
    "parties": [
        {"code": "P1", "kind": "site", "name": "Plant 1", "street": "1 Dock Road", "city": "Salinas",
         "postal_code": "93902", "country": "US", "phone": "+1 831 555 0100"},
    ]
}  # fmt: skip


def test_a_farm_receipt_gives_harvesting_and_cooling_records(db_url: str, tmp_path: Path) -> None:
    central = Central(db_url)
    try:
        central.import_plant(tmp_path)
        central.import_rows(tmp_path, FARM)
        central.import_rows(tmp_path, OUR_PLANT)
        station = Station(central, tmp_path, "ST1")
        label = f"(01){LETTUCE}(10)GA1120F7(30)50"
        asked = station.scan(label, Workflow.RECEIVE, task="ASN-FARM", location="DOCK")
        assert asked.level is Level.REJECTED and asked.reasons[0].code == "HARVEST_KDES_NEEDED"
        received = station.scan(label, Workflow.RECEIVE, task="ASN-FARM", location="DOCK", origin=ORIGIN)
        assert received.recorded, received.message
        station.sync()

        records, missing = exported(db_url, tmp_path / "farm.xlsx")
        by_type = {r["Event Type"]: r for r in records if r["Traceability Lot Code"] == "GA1120F7"}
        assert set(by_type) == {"Harvesting", "Cooling", "Receiving"}
        assert not [m for m in missing if m["Event Type"] in ("Harvesting", "Cooling")]
        for kind in ("Harvesting", "Cooling"):
            for kdes, clause in RULE[kind].items():
                assert by_type[kind][kdes], (kind, kdes, clause)
        harvesting, cooling = by_type["Harvesting"], by_type["Cooling"]
        assert harvesting["Farm Location Description"].startswith("Green Acres Farm, 4 Orchard Road")
        assert harvesting["Harvester Business Name and Phone"] == "Crew Harvesting LLC, +1 831 555 0172"
        assert (harvesting["Harvest Date"], harvesting["Field or Container Name"]) == (
            "2026-11-20",
            "Block 7",
        )
        assert cooling["Cooling Location Description"].startswith("Valley Cooling Co, 9 Ice House Lane")
        assert cooling["Cooling Date"] == "2026-11-21" and cooling["Quantity"] == 500
        # We are the immediate subsequent recipient: our receiving dock.
        assert (
            harvesting["Immediate Subsequent Recipient Location Description"]
            == (by_type["Receiving"]["Event Location Description"])
        )
    finally:
        central.close()


def test_central_refuses_a_harvest_after_the_receipt(db_url: str, tmp_path: Path) -> None:
    """Central trusts no station: a harvest date after the receipt is refused with its reason."""
    central = Central(db_url)
    try:
        central.import_plant(tmp_path)
        central.import_rows(tmp_path, FARM)
        station = Station(central, tmp_path, "ST1")
        later = str(date.today() + timedelta(days=9))
        origin = {**ORIGIN, "harvest_date": later, "cooling_date": later}
        label = f"(01){LETTUCE}(10)GA1121F7(30)10"
        assert station.scan(label, Workflow.RECEIVE, task="ASN-FARM", location="DOCK", origin=origin).recorded
        station.sync()
        with read_tx(central.engine) as conn:
            outcome, reason = conn.execute(
                text(
                    "SELECT outcome, outcome_reason FROM received_events "
                    "WHERE lot_code = 'GA1121F7' AND type = 'stock.received'"
                )
            ).one()
        assert outcome == "rejected" and reason.startswith("BAD_PAYLOAD"), reason
        assert f"origin.harvest_date {later} is after the receipt" in reason
    finally:
        central.close()
