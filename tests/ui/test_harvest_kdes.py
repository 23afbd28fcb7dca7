"""Receiving raw agricultural commodities from a farm: the station asks the harvest and cooling
facts FSMA 204 needs (21 CFR 1.1325, 1.1330(a)), one by one, on a 40x16 handheld and an 80x24
terminal, and records them with the receipt."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.plant import LETTUCE, add_farm
from tests.ui.conftest import banner_text, events_of, payload, scan, type_line

pytestmark = pytest.mark.anyio

LABEL = f"(01){LETTUCE}(10)GA1120F7(30)50"
ANSWERS = [
    ("Commodity", "Romaine, Green Forest"),
    ("Field", "Block 7"),
    ("Harvested", "2026-01-13"),
    ("Harvester", "CREW"),
    ("Cooled at", "COOLCO"),
    ("Cooled on", "2026-01-14"),
]


@pytest.mark.parametrize("size", [(40, 16), (80, 24)])
async def test_receiving_from_a_farm_asks_the_harvest_facts_and_records_them(
    make_app, engine: Engine, size: tuple[int, int]
) -> None:
    add_farm(engine)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-FARM") == "ACCEPTED"
        assert await scan(pilot, LABEL) == "REJECTED"
        assert "Green Acres Farm" in banner_text(app) and "harvest facts" in banner_text(app)
        assert events_of(engine) == []  # nothing recorded until the facts are there
        for label, answer in ANSWERS:
            assert app.capture.label == label  # the farm came from the ASN: not asked
            assert label in str(app.capture.render())  # the label fits even at 40 columns
            if label == "Harvested":  # a wrong date is refused, and asked again
                await type_line(pilot, "13/01/2026")
                assert app.banner.notice and "YYYY-MM-DD" in banner_text(app)  # a typed value: no verdict
                assert app.capture.label == "Harvested"
            await type_line(pilot, answer)
        assert app.capture.label == "Scan"
        assert await scan(pilot, LABEL) == "ACCEPTED", banner_text(app)
    (received,) = [payload(e) for e in events_of(engine) if e.type == "stock.received"]
    assert received["origin"] == {
        "commodity_variety": "Romaine, Green Forest",
        "farm": "GREENACRES",
        "field_name": "Block 7",
        "harvest_date": "2026-01-13",
        "harvester": "CREW",
        "cooling_location": "COOLCO",
        "cooling_date": "2026-01-14",
    }
    assert received["supplier_lot"] == "GA1120F7"  # the farm's lot stays the TLC


async def test_escape_stops_the_questions_and_nothing_is_recorded(make_app, engine: Engine) -> None:
    add_farm(engine)
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "ASN:ASN-FARM") == "ACCEPTED"
        assert await scan(pilot, LABEL) == "REJECTED"
        await type_line(pilot, "Romaine")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.capture.label == "Scan"
        assert await scan(pilot, LABEL) == "REJECTED"  # still missing: asked again, from the field on
        assert app.capture.label == "Field"
    assert events_of(engine) == []
