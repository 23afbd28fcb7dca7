"""A PIN of digits is a PIN however long, when it is typed (tester tz2, A10, issue 14): after
the scan-at-PIN> rule (233efb1), a supervisor whose 8-digit PIN 12345670 ends in a valid check
digit was refused 'That was a product label (GTIN 00000012345670), not a PIN' on every try,
could never sign in, and saw the PIN printed on the screen. Operators' PINs need only be 4
characters or more (services.importer.MIN_PIN_LENGTH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lotscan.services.importer import import_tables, read_source
from lotscan.store.db import open_cache
from tests.ui.conftest import banner_text, scan
from tests.ui.test_badge_at_pin_prompt import type_pin
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio

LONG_PIN = "12345670"  # GTIN-8 shaped: 1234567 with its check digit 0


async def test_a_typed_pin_that_reads_like_a_gtin_signs_the_supervisor_in(tmp_path: Path) -> None:
    app, database = demo_app(tmp_path)
    operators = tmp_path / "operators.csv"
    operators.write_text(f"badge,name,role,pin,site\n9100,Pat Supervisor,supervisor,{LONG_PIN},*\n")
    engine = open_cache(database)
    with engine.begin() as conn:
        import_tables(conn, read_source(operators))
    engine.dispose()
    async with app.run_test(size=(100, 30)) as pilot:
        await scan(pilot, "OP:9100")
        await type_pin(pilot, LONG_PIN)
        shown = banner_text(app)
        assert app.session.operator is not None and app.session.operator.badge == "9100", shown
        assert "product label" not in shown and LONG_PIN not in shown, shown
