"""Tester ty's W17 re-walk on a handheld (40x16), as the operator's keys on the demo cache: a count
or a move of a known lot whose label says it is expired (AI 17 in the past) while the records say
it is good was recorded without a word. It is recorded (a count records the shelf, a move did
happen) and said, with its code and what to do: EXPIRED_COUNTED, EXPIRED_MOVED naming the hold
area, and EXPIRY_DIFFERS naming both dates. A move into the hold area is the right one: only the
differing dates are said."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from lotscan.domain.events import EventType
from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

PAST = date.today() - timedelta(days=10)  # the label's expiry; the records say 2+ months ahead


def ginger_nuts_labelled_expired() -> str:
    """FG3526E (120 EA at FG-B07, recorded expiry months ahead) with a label that says expired."""
    return f"(01)09521234001348(17){PAST:%y%m%d}(10)FG3526E"


def said(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(banner_text(app).split())


def codes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in app.banner.verdict.reasons]


async def test_a_count_of_a_known_lot_whose_label_says_expired_is_counted_and_warned(tmp_path: Path) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "/mode count")
        await scan(pilot, "LOC:FG-B07")
        await scan(pilot, "/qty 120")
        assert await scan(pilot, ginger_nuts_labelled_expired()) == "WARNING"
        assert codes(app) == ["EXPIRED_COUNTED", "EXPIRY_DIFFERS"]
        shown = said(app)
        assert "EXPIRED_COUNTED" in shown, shown  # the code, on a handheld too
        assert f"Lot FG3526E expired on {PAST.isoformat()}, by its label" in shown, shown
        assert "Move it to a hold area (QA-HOLD)" in shown, shown
    engine = create_engine(f"sqlite:///{database}")
    counted = [e for e in events_of(engine) if e.type == EventType.STOCK_COUNTED]
    assert [payload(e)["counted"] for e in counted] == [120]
    assert [r["code"] for r in json.loads(counted[0].reasons)] == ["EXPIRED_COUNTED", "EXPIRY_DIFFERS"]


async def test_a_move_of_a_known_lot_whose_label_says_expired_is_warned_unless_into_the_hold_area(
    tmp_path: Path,
) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "/mode move")
        await scan(pilot, "/qty 20")
        await scan(pilot, ginger_nuts_labelled_expired())
        assert await scan(pilot, "LOC:FG-B01") == "WARNING"  # a pick bin: where it could be used
        assert codes(app) == ["EXPIRED_MOVED", "EXPIRY_DIFFERS"]
        shown = said(app)
        assert "EXPIRED_MOVED" in shown, shown
        assert f"Lot FG3526E expired on {PAST.isoformat()}, by its label, and is now at FG-B01" in shown
        assert "move it on to a hold area (QA-HOLD)" in shown, shown
        await scan(pilot, "/qty 100")
        await scan(pilot, ginger_nuts_labelled_expired())
        await scan(pilot, "LOC:FG-B07")  # where the other 100 are: the place it is taken from
        assert await scan(pilot, "LOC:QA-HOLD") == "WARNING"  # the right move: only the dates differ
        assert codes(app) == ["EXPIRY_DIFFERS"]
    engine = create_engine(f"sqlite:///{database}")
    moved = [e for e in events_of(engine) if e.type == EventType.STOCK_MOVED]
    assert [(payload(e)["to"], payload(e)["qty"]) for e in moved] == [("FG-B01", 20), ("QA-HOLD", 100)]
    assert [r["code"] for r in json.loads(moved[0].reasons)] == ["EXPIRED_MOVED", "EXPIRY_DIFFERS"]
