"""Tester tw's W21 and W23 on a handheld (40x16), as the operator's keys on the demo cache: a count
of a lot never received, with an expired label, is counted and warned; a case-flipped lot code
(Caps Lock on) is named as the existing lot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lotscan.domain.events import EventType
from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio


async def test_a_count_of_a_lot_never_received_is_counted_and_warned(tmp_path: Path) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "/mode count")
        await scan(pilot, "LOC:RM-A01")
        assert await scan(pilot, "(01)19521234001017(17)261101(10)ZZ998(30)4") == "WARNING"
        assert {r.code for r in app.banner.verdict.reasons} == {"LOT_NOT_RECEIVED", "EXPIRED_COUNTED"}
        assert "No receipt of lot ZZ998" in " ".join(banner_text(app).split())
        assert await scan(pilot, "(01)09521234001348(10)fg3526e(30)1") == "WARNING"
        assert "Did you mean lot FG3526E?" in " ".join(banner_text(app).split())
    events = events_of(create_engine(f"sqlite:///{database}"))
    counted = [e for e in events if e.type == EventType.STOCK_COUNTED]
    assert [payload(e)["lot"] for e in counted] == ["ZZ998", "fg3526e"]
    assert "SUSPICIOUS_LOT" in {r["code"] for r in json.loads(counted[-1].reasons)}
