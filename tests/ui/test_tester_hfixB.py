"""Tester findings U11 (short pick asked nothing, its warning had no code), in the station app."""

from __future__ import annotations

import pytest
from textual import events

from lotscan.domain.verdict import Level
from lotscan.station.widgets.fixed import FixedStatic
from tests.plant import FLOUR
from tests.ui.conftest import (
    banner_text,
    events_of,
    payload,
    post_scan,
    press_letter,
    scan,
    settle,
    type_line,
)
from tests.ui.test_workflows import sign_in_and_choose

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_short_pick_names_the_line_and_amount_and_its_warning_carries_its_code(
    make_app, engine, size
) -> None:
    """U11: key s asked only "Type the reason" (not which line nor how much), and the result read
    "WARNING  Line 1 of PL-4001 closed short by 30." with no reason code; a reason set earlier
    with /reason closed the line with no question at all."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, "PL:PL-1")
        app.command("/reason set earlier")
        await press_letter(pilot, "s")
        assert app.capture.label == "Reason" and not events_of(engine)  # asked, even with a reason set
        prompt = str(app.query_one("#prompt", FixedStatic).render())
        assert "Close line 1 (" in " ".join(prompt.split()), prompt
        assert "of PL-1 short by 20" in " ".join(prompt.split()), prompt
        await type_line(pilot, "shelf empty")
        assert app.banner.verdict.level is Level.WARNING
        assert [r.code for r in app.banner.verdict.reasons] == ["SHORT_PICK"]
        said = " ".join(banner_text(app).split())
        assert "SHORT_PICK" in said and "closed short by 20" in said, said
    (short,) = events_of(engine)
    assert short.type == "pick.short" and payload(short)["reason"] == "shelf empty"


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_a_lone_key_neither_closes_the_help_nor_lands_in_the_scan_line(make_app, size) -> None:
    """U16: `?` then `z` closed the help and the scan line read `Scan> z`. Only Esc, F1 or ? close
    it; a scan fired at it (a burst) still closes it and is not lost (test_safety)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await press_letter(pilot, "question_mark")
        for _ in range(100):
            if app.screen.id != "_default":
                break
            await pilot.pause(0.02)
        assert app.screen.id != "_default"
        for key in ("z", "a"):
            await pilot.press(key)
            await pilot.pause(0.2)
        assert app.screen.id != "_default" and app.capture.wedge.text == ""
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "_default" and app.capture.wedge.text == ""
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.id != "_default"
        post_scan(app, "OP:100")  # a scanner burst at the help: closes it, the scan is judged
        await settle(pilot, 1)
        assert app.screen.id == "_default" and app.session.operator is not None


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_after_an_overridable_refusal_the_footer_offers_the_override_key(make_app, size) -> None:
    """U21: a receipt refused QTY_EXCEEDS_TASK (which an override passes) left the footer at
    `tTask qQty mMode xOut eType ?Help`, at 40x16 and at 100x30: no `o Override`."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await sign_in_and_choose(pilot, "100", None, "ASN:ASN-1")
        assert await scan(pilot, f"(01){FLOUR}(17)271231(10)F-MANY(30)500") == "REJECTED"
        assert "QTY_EXCEEDS_TASK" in banner_text(app)
        keys = app.query_one("#keys")
        assert keys.actions[0].name == "override"
        shown = str(keys.render())
        assert "o" in shown and ("Override" in shown or "Ovr" in shown), shown


async def test_a_block_pasted_into_the_reason_field_stays_the_reason(make_app, engine) -> None:
    """U15: "mould found\\nline 2 of the reason" pasted at the Reason> prompt made "mould found"
    the reason and took "line 2 of the reason" as a scan (MALFORMED_GS1; a label there would
    have been recorded)."""
    app = make_app()
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:900")
        await scan(pilot, "/mode quarantine")
        await press_letter(pilot, "r")
        assert app.capture.label == "Reason"
        judged = app.feed.handled
        app.post_message(events.Paste(f"mould found\n(01){FLOUR}(10)F-EARLY"))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.reason == f"mould found (01){FLOUR}(10)F-EARLY"
        assert app.feed.handled == judged + 1  # the /reason command only: no scan was judged
    assert events_of(engine) == []
