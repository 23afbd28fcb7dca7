"""What the tester found at the station after issue 14 landed, each as the operator met it: long
verdicts at 40x16, the override key after refusals no override passes, and a code typed by hand
that starts with a hotkey letter."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key

from lotscan.station.keys import LETTERS
from lotscan.station.wedge import Hotkey, Line, WedgeCapture
from tests.plant import FLOUR
from tests.ui.conftest import banner_text, events_of, press_letter, scan, settle

pytestmark = pytest.mark.anyio
HANDHELD = (40, 16)
LOST_SEPARATOR = f"01{FLOUR}17271231" + "10FL250033050"  # (10) FL25003 then (30) 50, GS lost


def banner_fits(app: Any) -> bool:
    """Every line of the verdict is inside the banner: none cut at the bottom."""
    banner = app.banner
    lines = banner.render().wrap(banner.content_size.width)
    return len(lines) <= banner.content_size.height


def offered_keys(app: Any) -> list[str]:
    return [action.name for action in app.query_one("#keys").actions]


async def suspicious_label(pilot: Any) -> None:
    await scan(pilot, "OP:100")
    await scan(pilot, "ASN:ASN-1")
    await scan(pilot, LOST_SEPARATOR)


async def override_refused(pilot: Any) -> None:
    await scan(pilot, "OP:900")
    await scan(pilot, "PL:PL-1")
    await scan(pilot, "/override SUPERVISOR_APPROVED")
    await scan(pilot, f"(01){FLOUR}(10)F-RECALL(30)2")


def test_a_lost_separator_is_shown_whole_on_a_handheld(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=HANDHELD, run_before=suspicious_label)


def test_a_refused_override_is_shown_whole_on_a_handheld(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=HANDHELD, run_before=override_refused)


async def test_long_verdicts_fit_the_handheld_banner_and_nothing_is_recorded(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=HANDHELD) as pilot:
        await suspicious_label(pilot)
        assert "SUSPICIOUS_LOT" in banner_text(app) and "/confirm" in banner_text(app)
        assert banner_fits(app), banner_text(app)
        await override_refused(pilot)
        assert "BAD_OVERRIDE" in banner_text(app) and "cannot be overridden" in banner_text(app)
        assert banner_fits(app), banner_text(app)
        assert "override" not in offered_keys(app)  # no override passes a recall
    assert events_of(engine) == []


async def test_a_refused_override_is_spent_not_kept_for_the_next_scan(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await override_refused(pilot)
        assert "BAD_OVERRIDE" in banner_text(app)
        assert app.session.override is None and app.session.override_by is None
        assert "override" not in offered_keys(app)
        # The next lot goes through on its own merits, not under the refused override.
        assert await scan(pilot, f"(01){FLOUR}(10)F-EARLY(30)2") == "ACCEPTED"
    assert "override" not in events_of(engine)[-1].payload


async def test_the_override_key_is_not_offered_for_an_expired_lot(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        assert "override" not in offered_keys(app)  # nothing refused yet
        assert await scan(pilot, f"(01){FLOUR}(10)F-OLD(30)2") == "REJECTED"
        assert "LOT_EXPIRED" in banner_text(app)
        assert "override" not in offered_keys(app)
        await press_letter(pilot, "o")
        assert app.capture.label == "Scan"  # no supervisor asked for
        assert "No override passes LOT_EXPIRED" in banner_text(app)


async def test_the_override_key_is_offered_for_a_refusal_an_override_passes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        assert await scan(pilot, f"(01){FLOUR}(10)F-LATE(30)50") == "REJECTED"  # more than the line
        assert "QTY_EXCEEDS_TASK" in banner_text(app)
        assert "override" in offered_keys(app)


async def test_a_code_typed_by_hand_that_starts_with_a_hotkey_letter_is_typed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        # o is the override key; a person types a key every 0.2 s (the keys carry their time,
        # so a busy test machine cannot make the typing slower than it was).
        started = time.monotonic()
        for n, char in enumerate("op:100"):
            key = events.Key(char if char.isalnum() else _character_to_key(char), char)
            key.time = started + 0.2 * n
            app.post_message(key)
        enter = events.Key("enter", "\r")
        enter.time = started + 1.2
        app.post_message(enter)
        await settle(pilot, 1)
        assert app.session.operator is not None, banner_text(app)
        assert app.session.operator.badge == "100"
        assert app.capture.label == "Scan"


def test_a_code_typed_by_hand_is_text_and_a_lone_letter_still_a_hotkey() -> None:
    capture = WedgeCapture(hotkeys=LETTERS)
    out = [item for n, char in enumerate("op:100") for item in capture.key(char, char, 0.2 * n)]
    out += capture.key("enter", "\r", 1.2)
    assert out == [Line("op:100", False, 0.0, 1.2)]
    assert capture.key("o", "o", 5.0) == [] and capture.poll(5.4) == [Hotkey("o")]
