"""Tester tw's findings in the station app, at a handheld's 40x16 and at 100x30, on a real cache:
W4, a move to the place it is taken from showed a raw, false template and forgot the lot; W5, a
label that lost its GS separators, confirmed by the operator, was recorded as a clean ACCEPTED
scan with a reconstructed `raw`, and a label refused anyway was first offered for confirmation."""

from __future__ import annotations

import json

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


# The tester's label, on the test plant: (01) flour, (17) expiry, (10) FL25003, then (30) 50 with
# no GS separator anywhere: the lot reads FL250033050.
LOST = f"01{FLOUR}1728123110FL250033050"


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_confirmed_lost_separator_reading_is_recorded_as_scanned_with_its_warning(
    make_app, engine, size
) -> None:
    """W5: after /confirm the screen said ACCEPTED and the event had verdict ACCEPTED, reasons []
    and a raw with GS separators the scanner never sent."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, "ASN:ASN-1")
        assert await scan(pilot, LOST) == "WARNING"
        assert "/confirm" in banner_text(app) and events_of(engine) == []
        assert await scan(pilot, "/confirm") == "WARNING"
        said = " ".join(banner_text(app).split())
        assert "SUSPICIOUS_LOT" in said and "lot FL25003" in said, said
    (received,) = events_of(engine)
    assert received.type == "stock.received"
    assert (payload(received)["lot"], payload(received)["qty"]) == ("FL25003", 50)
    assert received.raw == LOST  # what the scanner sent, no separator put back
    assert received.verdict == "WARNING"
    [reason] = json.loads(received.reasons)
    assert (reason["code"], reason["level"]) == ("SUSPICIOUS_LOT", "WARNING")
    assert "Olga Operator (100) confirmed the label says" in reason["message"], reason
    assert "(10) FL25003, (30) 50" in reason["message"] and "FL250033050 as scanned" in reason["message"]


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
@pytest.mark.parametrize(
    ("label", "task", "refused"),
    [
        # A wrong GTIN check digit (…1018): no reading of this label can be recorded.
        (f"01{FLOUR[:-1]}81728123110FL250033050", "ASN:ASN-1", "BAD_CHECK_DIGIT"),
        # Read right, the lot is F-HOLD, on hold: a pick refuses it whatever the operator says.
        (f"01{FLOUR}10F-HOLD3005", "PL:PL-1", "LOT_ON_HOLD"),
    ],
    ids=["bad-check-digit", "lot-on-hold"],
)
async def test_a_lost_separator_reading_refused_anyway_is_not_offered_for_confirmation(
    make_app, engine, size, label, task, refused
) -> None:
    """W5: with a wrong GTIN check digit the station asked to confirm "it probably says (01)
    19521234031031 ...", and only after /confirm said BAD_CHECK_DIGIT."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, task)
        assert await scan(pilot, label) == "REJECTED"
        said = " ".join(banner_text(app).split())
        assert refused in said and "/confirm" not in said, said
        assert refused in [r.code for r in app.banner.verdict.reasons]
        assert "SUSPICIOUS_LOT" in [r.code for r in app.banner.verdict.reasons]  # why it was read so
        await scan(pilot, "/confirm")
        assert app.banner.notice and "Nothing to confirm" in banner_text(app)
    assert events_of(engine) == []


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_reason_too_long_to_record_is_refused_when_given(make_app, engine, size) -> None:
    """W12: `/reason` + 600 characters was taken; the hold scan after it was refused "INVALID_VALUE
    This scan cannot be recorded: reason: String should have at most 500 characters. Check the
    label and the quantity." An older reason is not used in its place either."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "900", None, None)
        await scan(pilot, "/mode hold")
        await scan(pilot, "/reason damp sacks")
        await scan(pilot, "/reason " + "x" * 600)
        said = " ".join(banner_text(app).split())
        assert app.banner.notice and "at most 500 characters, this one has 600" in said, said
        assert app.session.reason is None
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY") == "REJECTED"  # asks for the reason
        said = " ".join(banner_text(app).split())
        assert "reason" in said and "label and the quantity" not in said, said
    assert events_of(engine) == []


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_pin_typed_where_no_pin_was_asked_is_not_shown_in_the_last_scans(make_app, size) -> None:
    """W10: a supervisor PIN typed into the scan field with no PIN prompt open (the badge read
    failed) was listed in clear in Last scans, "✖ 09:30:33 4321", where the PIN prompt shows
    "PIN ••••"."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, None)
        assert await scan(pilot, "4321") == "REJECTED"
        history = str(app.query_one("#history").render())
        assert "4321" not in history and "PIN" in history, history
