"""A short pick after a reason was given does not ask for the reason again (tester tz, Z9b,
issue 14): key r, `shelf empty`, Enter (`Next scan: reason: shelf empty`), then key s asked
"Close line 1 ... short by 30 EA? Type the reason, Enter." with an empty field, and Enter on it
did nothing: the reason had to be typed twice, though the help says "/short ... (needs /reason
first)". The question still names the line and the amount (tester U11); the reason given is in
the field, so Enter closes the line with it, and it can still be changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lotscan.domain.verdict import Level
from tests.ui.conftest import banner_text, press_letter, scan, type_line
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio


def short_reasons(database: Path) -> list[str]:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM events WHERE type LIKE '%short%'")).scalars().all()
    engine.dispose()
    return [str(row) for row in rows]


@pytest.mark.parametrize("size", [(40, 16), (100, 30)])
async def test_short_after_a_reason_closes_the_line_with_that_reason(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await press_letter(pilot, "r")
        await type_line(pilot, "shelf empty")
        await press_letter(pilot, "s")
        shown = " ".join(str(app.capture.render()).split())
        assert shown.startswith("Reason> shelf empty"), shown
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert app.banner.verdict is not None and app.banner.verdict.level is Level.WARNING, banner_text(app)
        said = " ".join(banner_text(app).split())
        assert "SHORT_PICK" in said and "shelf empty" in said, said
    assert any("shelf empty" in payload for payload in short_reasons(database)), short_reasons(database)


async def test_the_reason_given_can_still_be_changed_at_the_short_question(tmp_path: Path) -> None:
    app, database = demo_app(tmp_path)
    async with app.run_test(size=(40, 16)) as pilot:
        await scan(pilot, "OP:1003")
        await scan(pilot, "PL:PL-4001")
        await press_letter(pilot, "r")
        await type_line(pilot, "shelf empty")
        await press_letter(pilot, "s")
        for _ in "shelf empty":
            await pilot.press("backspace")
        await type_line(pilot, "damaged")
        said = " ".join(banner_text(app).split())
        assert "SHORT_PICK" in said and "damaged" in said, said
    assert any("damaged" in payload for payload in short_reasons(database)), short_reasons(database)
