"""Issue 9: "the station shows central's refusals where a supervisor sees them". The user's
action: central refused an event the station recorded; the supervisor presses F11 (or f) and
reads what it was, when, by whom, central's reason code and its sentence, on a handheld too."""

from __future__ import annotations

import pytest

from lotscan.protocol import REJECTED, EventResult
from lotscan.sync import local
from tests.plant import SUGAR
from tests.ui.conftest import events_of, press_letter, scan, settle

pytestmark = pytest.mark.anyio

REFUSAL = (
    "OPERATOR_INACTIVE: operator 100 was deactivated at central; their events are not applied "
    "(an admin: lotscan central operator activate)"
)


def _panel(app) -> tuple[str, str]:
    title = str(app.screen.query_one("#menu-title").render())
    return title, str(app.screen.query_one("#menu-body").render())


async def _open(pilot, key: str) -> None:
    if len(key) == 1:
        await press_letter(pilot, key)
    else:
        await pilot.press(key)
    for _ in range(300):  # the panel reads the cache on the reader thread
        await settle(pilot)
        if app_has_panel(pilot.app):
            return


def app_has_panel(app) -> bool:
    return bool(app.screen.query("#menu-title")) and "Refused" in str(
        app.screen.query_one("#menu-title").render()
    )


@pytest.mark.parametrize("size", [(40, 16), (80, 24)], ids=["40x16", "80x24"])
async def test_a_supervisor_reads_what_central_refused_and_why(make_app, engine, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await _open(pilot, "f11")
        assert _panel(app) == ("Refused by central (0)", "Central has refused none of this station's events.")
        await pilot.press("escape")
        await settle(pilot)

        assert await scan(pilot, "OP:100") == "ACCEPTED"
        assert await scan(pilot, "WO:WO-1") == "ACCEPTED"
        assert await scan(pilot, f"(01){SUGAR}(10)S-1(30)2") == "ACCEPTED"
        recorded = events_of(engine)[-1]
        with engine.begin() as conn:  # central's answer to the push, stored as the worker stores it
            local.record_results(
                conn,
                [
                    EventResult(
                        id=recorded.id, seq=recorded.seq, server_seq=7, outcome=REJECTED, reason=REFUSAL
                    )
                ],
            )

        await _open(pilot, "f11")
        title, body = _panel(app)
        assert title == "Refused by central (1)"
        assert body.startswith(f"OPERATOR_INACTIVE  #{recorded.seq} {recorded.type}")
        assert "operator 100" in body and "lot S-1" in body
        assert "deactivated at central; their events are not applied" in body
        title_box = app.screen.query_one("#menu-title").region
        assert title_box.width > 0 and title_box.bottom <= size[1]  # on screen, handheld included
        await pilot.press("f11")
        await settle(pilot)
        assert app.screen.id == "_default"

        await _open(pilot, "f")  # the letter works like the function key
        assert _panel(app)[0] == "Refused by central (1)"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.id == "_default"
    assert [e.sync_state for e in events_of(engine)][-1] == local.SET_ASIDE  # kept, never dropped
