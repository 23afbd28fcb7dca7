"""Tester tw at the station screen: a reason central would refuse (a control character) is refused
where it is typed, plainly, and never recorded to become "unsendable" in F11."""

from __future__ import annotations

import pytest
from textual import events

from tests.plant import SUGAR
from tests.ui.conftest import banner_text, events_of, press_letter, scan, settle

pytestmark = pytest.mark.anyio


async def test_a_pasted_reason_with_a_bidi_override_is_refused_where_it_is_typed(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await scan(pilot, "OP:900") == "ACCEPTED"
        await scan(pilot, "/mode hold")
        await press_letter(pilot, "r")
        app.post_message(events.Paste("mould\u202eevil"))  # pasted text with a right-to-left override
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.reason is None
        said = " ".join(banner_text(app).split())
        assert "No reason set" in said and "bidirectional text control (\\u202e)" in said, said
        assert "type it again without it" in said
        assert await scan(pilot, f"(01){SUGAR}(10)S-1") == "REJECTED"  # still asks for a reason
    assert not [e for e in events_of(engine) if "mould" in e.payload]
