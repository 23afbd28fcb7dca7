"""A refusal on a handheld names the warnings under it (tester tz2, A9; tester tz, Z11; issue 14
Build 6, "the verdict and its next action" at 40x16): receiving another supplier's lot with no
quantity and no expiry on its label was refused QTY_NEEDED, and at 40x16 MISSING_EXPIRY and
SUPPLIER_DIFFERS were nowhere on the screen, so the operator typed a quantity and learnt of
them only when the receipt was recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import scan
from tests.ui.test_every_workflow_fits import seen
from tests.ui.test_floor_walk import demo_app

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("size", [(40, 16), (24, 16)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_refusal_on_a_handheld_names_the_warnings_under_it(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, _ = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await scan(pilot, "OP:1001")
        await scan(pilot, "ASN:ASN-1001")
        assert await scan(pilot, "(01)19521234001017(10)FLO9313B") == "REJECTED"
        shown = seen(app, app.banner)  # on the terminal's rows, not only in the widget's text
        assert "QTY_NEEDED" in shown and "(keyq,or/qtyN),thenscanthelabelagain." in shown, shown
        assert "Also:MISSING_EXPIRY,SUPPLIER_DIFFERS." in shown, shown
