"""Tester tw's W15 and W17 on a handheld (40x16), as the operator's keys on the demo cache: a
label's pounds are received as the kilograms they are, a weight on an item counted in packs is
refused, and a label that says expired is refused though the records say the lot is good."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio


async def test_pounds_are_received_as_kilograms_and_a_weight_on_packs_is_refused(tmp_path: Path) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "PO:PO-2001")
        assert await scan(pilot, "(01)19521234001055(17)270301(10)BT5(3203)088185") == "ACCEPTED"
        assert "Received 88.185 lb = 40.000043 KG" in " ".join(banner_text(app).split())
        await scan(pilot, "/mode count")
        await scan(pilot, "LOC:RM-A04")
        assert await scan(pilot, "(01)19521234001147(10)YEA3352A(3103)005000") == "REJECTED"
        assert "UNIT_MISMATCH" in banner_text(app)
    engine = create_engine(f"sqlite:///{database}")
    received = [payload(e) for e in events_of(engine) if e.type == "stock.received"]
    assert [(p["lot"], p["unit"]) for p in received] == [("BT5", "KG")]
    assert received[0]["qty"] == pytest.approx(40.00004314845)
    assert not [e for e in events_of(engine) if e.type == "stock.counted"]


async def test_a_label_that_says_expired_is_refused_though_the_records_say_good(tmp_path: Path) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "WO:WO-3001")
        await scan(pilot, "LOC:RM-A09")
        await scan(pilot, "/qty 1")
        assert await scan(pilot, "(01)19521234001017(17)261101(10)FLO3490J") == "REJECTED"
        assert "LOT_EXPIRED" in banner_text(app) and "expired on 2026-11-01" in banner_text(app)
        assert {"LOT_EXPIRED", "EXPIRY_DIFFERS"} <= {r.code for r in app.banner.verdict.reasons}
