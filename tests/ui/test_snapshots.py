"""Snapshots of the main screens at handheld (40x16) and desktop (100x30) sizes.

The clock is fixed and the screens show expiry as days left, so they do not change day to day.
Update with: pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from tests.plant import FLOUR, SUGAR
from tests.ui.conftest import press_letter, scan, settle

SIZES = [(40, 16), (100, 30)]


def ids(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_sign_in_screen(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_pick_screen_with_fefo_prompt_after_a_warning(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await scan(pilot, "OP:100")
        await scan(pilot, "PL:PL-1")
        await scan(pilot, f"(01){FLOUR}(10)F-LATE(30)5")

    assert snap_compare(make_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_receive_screen_with_lines_after_a_refusal(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await scan(pilot, "OP:100")
        await scan(pilot, "ASN:ASN-1")
        await scan(pilot, "(00)095212340000000013")  # no expiry on a pallet: a label is requested
        while not pilot.app.label_notices:
            await pilot.pause(0.02)
        await settle(pilot)
        await scan(pilot, "(01)09521234009993(10)X")

    assert snap_compare(make_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_lookup_screen(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await scan(pilot, f"(01){SUGAR}(10)S-1")

    assert snap_compare(make_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_mode_menu(snap_compare, make_app, size) -> None:
    async def before(pilot) -> None:
        await scan(pilot, "OP:100")
        await press_letter(pilot, "m")

    assert snap_compare(make_app(), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=ids)
def test_pin_entry_is_masked(snap_compare, make_app, size) -> None:
    from lotscan.domain.policy import Policy

    async def before(pilot) -> None:
        await scan(pilot, "OP:100")
        await pilot.press("1", "2", "3")
        await pilot.pause(0.1)

    assert snap_compare(make_app(policy=Policy(require_pin=True)), terminal_size=size, run_before=before)
