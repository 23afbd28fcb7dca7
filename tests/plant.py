"""A small, fully known plant for service and CLI tests, loaded through the real importer."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from lotscan.services.importer import Row, import_tables, read_source
from lotscan.store.db import open_cache

# GTINs with valid check digits (GS1 prefix 952 is for examples).
FLOUR = "19521234001017"
SUGAR = "19521234001031"
COOKIE = "09521234001348"
UNLISTED = "09521234009993"

PLANT = {
    "sites": [{"code": "P1", "name": "Plant 1"}],
    "locations": [
        {"code": "DOCK", "site": "P1", "pickable": "no"},
        {"code": "A1", "site": "P1"},
        {"code": "A2", "site": "P1"},
        {"code": "HOLD", "site": "P1", "pickable": "no", "is_hold": "yes"},
        {"code": "LINE", "site": "P1", "pickable": "no"},
        {"code": "OUT", "site": "P1", "pickable": "no", "gln": "9521234000129"},
    ],
    "items": [
        {
            "code": "FLOUR",
            "gtin": FLOUR,
            "description": "Flour",
            # Counted in sacks: a label's (30) is a count of them (a KG item needs a pack size).
            "unit": "SACK",
            "shelf_life_days": 365,
            "min_remaining_days": 60,
        },
        {"code": "SUGAR", "gtin": SUGAR, "description": "Sugar", "unit": "SACK", "expiry_required": "no"},
        {
            "code": "COOKIE",
            "gtin": COOKIE,
            "description": "Cookies",
            "shelf_life_days": 180,
            "receive_status": "quarantine",
        },
        {"code": "OTHER", "gtin": UNLISTED, "description": "Not on any task"},
    ],
    "operators": [
        {"badge": "100", "name": "Olga Operator", "site": "*"},
        {"badge": "900", "name": "Sue Supervisor", "role": "supervisor", "site": "*"},
    ],
    "lots": [
        {"item": "FLOUR", "lot": "F-EARLY", "expiry": "+30d", "received": "-20d"},
        {"item": "FLOUR", "lot": "F-LATE", "expiry": "+200d", "received": "-10d"},
        {"item": "FLOUR", "lot": "F-HOLD", "status": "hold", "expiry": "+10d"},
        {"item": "FLOUR", "lot": "F-OLD", "expiry": "-1d"},
        {"item": "FLOUR", "lot": "F-TODAY", "expiry": "today"},
        {"item": "FLOUR", "lot": "F-RECALL", "status": "recalled", "expiry": "+90d"},
        {"item": "SUGAR", "lot": "S-1"},
        {"item": "COOKIE", "lot": "C-1", "expiry": "+100d"},
    ],
    "stock": [
        {"item": "FLOUR", "lot": "F-EARLY", "location": "A1", "qty": 50},
        {"item": "FLOUR", "lot": "F-LATE", "location": "A2", "qty": 80},
        {"item": "FLOUR", "lot": "F-HOLD", "location": "A1", "qty": 10},
        {"item": "FLOUR", "lot": "F-OLD", "location": "A1", "qty": 5},
        {"item": "FLOUR", "lot": "F-TODAY", "location": "HOLD", "qty": 7},
        {"item": "FLOUR", "lot": "F-RECALL", "location": "A2", "qty": 9},
        {"item": "SUGAR", "lot": "S-1", "location": "A2", "qty": 100},
        {"item": "COOKIE", "lot": "C-1", "location": "A1", "qty": 40},
    ],
    "tasks": [
        {"code": "ASN-1", "kind": "asn", "partner": "Mill", "location": "DOCK"},
        {"code": "WO-1", "kind": "work_order", "item": "COOKIE", "planned_qty": 100, "location": "LINE"},
        {"code": "PL-1", "kind": "pick_list", "partner": "Shop", "location": "OUT"},
        {"code": "SHP-1", "kind": "shipment", "partner": "Shop", "location": "OUT"},
        {"code": "ASN-OLD", "kind": "asn", "status": "closed"},
    ],
    "task_lines": [
        {"task": "ASN-1", "line_no": 1, "item": "FLOUR", "qty_expected": 100},
        {
            "task": "ASN-1",
            "line_no": 2,
            "item": "FLOUR",
            "qty_expected": 20,
            "lot": "F-PAL",
            "sscc": "095212340000000013",
        },
        {"task": "WO-1", "line_no": 1, "item": "FLOUR", "qty_expected": 60},
        {"task": "WO-1", "line_no": 2, "item": "SUGAR", "qty_expected": 30},
        {"task": "PL-1", "line_no": 1, "item": "FLOUR", "qty_expected": 20},
        {"task": "SHP-1", "line_no": 1, "item": "FLOUR", "qty_expected": 20},
    ],
}


# Raw agricultural commodities from a farm (FSMA 204 harvest and cooling KDEs at receiving): the
# farm, the cooler and the harvesting crew as parties, the lettuce and the farm's ASN.
LETTUCE = "09521234007777"
FARM = {
    "parties": [
        {"code": "GREENACRES", "kind": "farm", "name": "Green Acres Farm", "street": "4 Orchard Road",
         "city": "Salinas", "postal_code": "93901", "country": "US", "phone": "+1 831 555 0144"},
        {"code": "COOLCO", "kind": "supplier", "name": "Valley Cooling Co", "street": "9 Ice House Lane",
         "city": "Salinas", "postal_code": "93905", "country": "US", "phone": "+1 831 555 0190"},
        {"code": "CREW", "kind": "supplier", "name": "Crew Harvesting LLC", "street": "2 Field Street",
         "city": "Gonzales", "postal_code": "93926", "country": "US", "phone": "+1 831 555 0172"},
    ],
    "items": [
        {"code": "LETTUCE", "gtin": LETTUCE, "description": "Romaine lettuce, field packed", "unit": "KG",
         "expiry_required": "no", "pack_size": 10, "pack_unit": "CASE"},
    ],
    "tasks": [{"code": "ASN-FARM", "kind": "asn", "partner": "Green Acres Farm", "location": "DOCK"}],
    "task_lines": [{"task": "ASN-FARM", "line_no": 1, "item": "LETTUCE", "qty_expected": 500}],
}  # fmt: skip


def add_farm(engine: Engine) -> None:
    """Import FARM into a station cache, through the real importer."""
    with engine.begin() as conn:
        import_tables(
            conn, {name: [Row(name, n + 2, r) for n, r in enumerate(rows)] for name, rows in FARM.items()}
        )


def write_plant(directory: Path) -> Path:
    path = directory / "plant.json"
    path.write_text(json.dumps(PLANT), encoding="utf-8")
    return path


def build_plant(database: Path) -> Engine:
    engine = open_cache(database)
    with engine.begin() as conn:
        import_tables(conn, read_source(write_plant(database.parent)))
    return engine
