"""Tester tw's findings in the station app, at a handheld's 40x16 and at 100x30, on a real cache:
W4, a move to the place it is taken from showed a raw, false template and forgot the lot."""

from __future__ import annotations

import pytest

from lotscan.domain.verdict import Level
from lotscan.station.widgets.fixed import FixedStatic
from tests.plant import FLOUR
from tests.ui.conftest import banner_text, events_of, payload, scan
from tests.ui.test_workflows import sign_in_and_choose

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
@pytest.mark.parametrize("source_scanned", [True, False], ids=["source-scanned", "only-place"])
async def test_a_move_to_the_place_it_is_taken_from_says_so_and_keeps_the_lot(
    make_app, engine, size, source_scanned
) -> None:
    """W4: lot, source FG-B01, then FG-B01 again as the destination read "REJECTED WRONG_LOCATION
    Lot {lot} is not recorded at {location}; records show it at {where}" (a template, and false:
    the lot is there), offered the override key, and forgot the lot. F-EARLY is only at A1."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, None)
        await scan(pilot, "/mode move")
        if source_scanned:
            await scan(pilot, "LOC:A1")
        await scan(pilot, f"(01){FLOUR}(10)F-EARLY")
        assert await scan(pilot, "LOC:A1") == "REJECTED"
        said = " ".join(banner_text(app).split())
        assert "{" not in said and "not recorded" not in said, said
        assert "MISSING_CONTEXT" in said and "F-EARLY is already at A1: scan where it goes" in said, said
        keys = app.query_one("#keys")
        assert "override" not in [action.name for action in keys.actions], str(keys.render())
        prompt = " ".join(str(app.query_one("#prompt", FixedStatic).render()).split())
        assert "Move F-EARLY" in prompt and "scan the location to move it to" in prompt, prompt
        assert events_of(engine) == []
        assert await scan(pilot, "LOC:A2") == "ACCEPTED"  # the lot kept: no second lot scan
        assert app.banner.verdict.level is Level.ACCEPTED
    (moved,) = events_of(engine)
    assert moved.type == "stock.moved"
    assert (payload(moved)["from"], payload(moved)["to"], payload(moved)["qty"]) == ("A1", "A2", 50)
