"""Tester tx's X3 at the station screen: a supervisor's PIN typed where no PIN was asked for is
never shown (banner, last scans, log), and the last scans do not carry one operator's entries
into the next operator's session (sign-out, idle sign-out, another badge)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from lotscan.domain.policy import Policy
from lotscan.services.pins import hash_pin
from lotscan.store.schema import Operator
from tests.plant import SUGAR
from tests.ui.conftest import banner_text, scan, settle, type_line
from tests.ui.test_line_station_words import line_station, said_after, said_after_secret

pytestmark = pytest.mark.anyio

SIZES = [(40, 16), (100, 30)]


def history_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.query_one("#history").render())


@pytest.mark.parametrize("size", SIZES)
async def test_a_pin_typed_with_no_pin_prompt_is_masked_and_gone_after_sign_out(
    make_app, engine, size, caplog
) -> None:
    with engine.begin() as conn:
        conn.execute(update(Operator).where(Operator.badge == "900").values(pin_hash=hash_pin("4321")))
    app = make_app()
    caplog.set_level(logging.DEBUG)
    async with app.run_test(size=size) as pilot:
        assert await scan(pilot, "OP:900") == "WARNING"  # the PIN prompt
        await type_line(pilot, "4321")
        assert app.session.operator is not None and app.session.operator.badge == "900"
        await type_line(pilot, "4321")  # again, with no PIN prompt open (the tester's walk)
        assert app.banner.verdict is not None and app.banner.verdict.level.value == "REJECTED"
        said = banner_text(app)
        assert "4321" not in said and "could be a PIN is not shown" in " ".join(said.split())
        history = history_text(app)
        assert "4321" not in history and "PIN ••••" in history, history
        await type_line(pilot, "87654321")  # an 8-digit PIN is no GTIN either (wrong check digit)
        assert "87654321" not in banner_text(app) and "87654321" not in history_text(app)
        assert await scan(pilot, f"(01){SUGAR}(10)S-1") != "NONE"  # a real label is shown as ever
        assert "S-1" in history_text(app)
        await scan(pilot, "/signout")
        await settle(pilot)
        assert app.session.operator is None
        assert "PIN" not in history_text(app) and "S-1" not in history_text(app)
        assert "no scans yet" in history_text(app)
        assert await scan(pilot, "OP:100") == "ACCEPTED"  # the next operator
        assert "PIN" not in history_text(app) and "S-1" not in history_text(app)
    assert not [r for r in caplog.records if "4321" in r.getMessage() or "87654321" in r.getMessage()]


@pytest.mark.parametrize("size", SIZES)
async def test_the_last_scans_are_cleared_at_an_idle_sign_out_and_when_another_badge_signs_in(
    make_app, size
) -> None:
    app = make_app(policy=Policy(idle_signout_s=1))
    async with app.run_test(size=size) as pilot:
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        await scan(pilot, f"(01){SUGAR}(10)OLGA-1")
        assert "OLGA-1" in history_text(app)
        app.last_activity = time.monotonic() - 5
        app._check_idle()
        await settle(pilot)
        assert app.session.operator is None
        assert "OLGA-1" not in history_text(app)
        assert await scan(pilot, "OP:100") == "ACCEPTED"
        await scan(pilot, f"(01){SUGAR}(10)OLGA-2")
        assert await scan(pilot, "OP:900") == "ACCEPTED"  # Sue takes over the station
        assert "OLGA-2" not in history_text(app)


def test_the_line_station_never_says_back_a_pin_typed_with_no_pin_prompt(tmp_path: Path) -> None:
    """`lotscan demo --headless` (cli/interactive.py) in a pseudo-terminal: the reply to a PIN-like
    number typed at the scan prompt does not name it (an 8-digit one was 'GTIN 87654321 has a
    wrong check digit')."""
    with line_station(tmp_path) as terminal:
        said_after(terminal, "OP:9001", "PIN>")
        said_after_secret(terminal, "4321", "Signed in")
        for pin in ("4321", "87654321"):
            said = said_after(terminal, pin, "lookup]")
            assert "REJECTED" in said and pin not in said and "could be a PIN is not shown" in said, said
