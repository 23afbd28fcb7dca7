"""The README's demo receive, typed on the station as the README says: `(30)` counts sacks of the
demo flour (pack size 25 KG), so the banner says both figures and the event records the KG. An
item kept in KG without a pack size: the operator is asked for the quantity, and it is recorded."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lotscan.cli.demo_cmd import prepare_demo
from lotscan.services.importer import Row, import_tables
from lotscan.settings import load_settings
from lotscan.station.factory import station_app
from lotscan.store.schema import Event
from tests.ui.conftest import FIXED_CLOCK, banner_text, events_of, payload, press_letter, scan, type_line

README = Path(__file__).parents[2] / "README.md"
SALT = "19521234001130"  # kept in KG, no pack size


def readme_receive_label() -> str:
    """The receive label of the README's demo table, its YYMMDD made a date well ahead."""
    row = next(
        line for line in README.read_text(encoding="utf-8").splitlines() if "ASN:ASN-1001` then" in line
    )
    label = re.search(r"then `([^`]+)`", row)
    assert label is not None, row
    return label.group(1).replace("YYMMDD", (date.today() + timedelta(days=300)).strftime("%y%m%d"))


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(100, 30), (40, 16)])
async def test_the_readme_receive_says_sacks_and_kilograms_and_records_kilograms(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    database = tmp_path / "demo.db"
    prepare_demo(database, reset=False)
    app = station_app(
        replace(load_settings(), database=database), clock=lambda: FIXED_CLOCK, start_sync=False
    )
    async with app.run_test(size=size) as pilot:
        assert await scan(pilot, "OP:1003") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-1001") == "ACCEPTED"
        assert await scan(pilot, readme_receive_label()) == "ACCEPTED"
        assert "Received 20 SACK = 500 KG of lot FL25001" in banner_text(app)
    engine = app.session.service.engine
    with engine.connect() as conn:
        payloads = [
            json.loads(p)
            for p in conn.execute(select(Event.payload).where(Event.type == "stock.received")).scalars()
        ]
    engine.dispose()
    assert [(p["lot"], p["qty"], p["unit"]) for p in payloads] == [("FL25001", 500.0, "KG")]


@pytest.mark.anyio
async def test_a_count_on_a_kg_item_without_pack_size_asks_and_the_typed_kilograms_are_recorded(
    make_app, engine
) -> None:
    extra = {
        "items": [
            {"code": "SALT", "gtin": SALT, "description": "Salt", "unit": "KG", "expiry_required": "no"}
        ],
        "task_lines": [{"task": "ASN-1", "line_no": 3, "item": "SALT", "qty_expected": 500}],
    }
    with engine.begin() as conn:
        import_tables(
            conn, {name: [Row("extra", n, r) for n, r in enumerate(rows, 1)] for name, rows in extra.items()}
        )
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-1") == "ACCEPTED"
        label = f"(01){SALT}(10)SALT-1(30)100"
        assert await scan(pilot, label) == "REJECTED"
        assert "no pack size: enter the quantity in KG" in banner_text(app)
        await press_letter(pilot, "q")
        await type_line(pilot, "250")
        assert await scan(pilot, label) == "ACCEPTED"
        assert "Received 250 KG of lot SALT-1" in banner_text(app)
    received = [payload(e) for e in events_of(engine) if e.type == "stock.received"]
    assert [(p["qty"], p["unit"]) for p in received] == [(250.0, "KG")]
