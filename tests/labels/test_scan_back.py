"""Every label we print must scan back, through our own camera decoders, to the same GTIN, lot,
expiry and quantity: PNGs of several lots on every template, clean and camera-like."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotscan.labels.content import LotLabel
from lotscan.labels.layout import Bars, Matrix, lay_out
from lotscan.labels.png import render_png
from lotscan.labels.templates import load_template
from tests.labels.scanback import camera_like, expected, png_to_gray, read_back

COOKIE = "09521234001348"
FLOUR = "19521234001017"

LABELS = {
    "plain": LotLabel(COOKIE, "FG3526E", date(2027, 3, 31), Decimal(120), "EA", "Cookies 12x200 g"),
    "no expiry": LotLabel(FLOUR, "S-1", None, Decimal(40), "EA", "Sugar"),
    "no quantity": LotLabel(COOKIE, "L0001", date(2026, 1, 1)),
    "weight in kg": LotLabel(FLOUR, "F25-001", date(2026, 12, 31), Decimal("12.5"), "KG", "Flour T55"),
    "digits only": LotLabel(COOKIE, "12345", date(2026, 6, 30), Decimal(7)),
    "CSET 82 punctuation": LotLabel(COOKIE, "A(B)/c-d.e_f%&+", date(2028, 2, 29), Decimal(3)),
    "quotes and symbols": LotLabel(COOKIE, "x'!\"*,:;<=>?", date(2026, 11, 1), Decimal(1)),
    "long lot": LotLabel(COOKIE, "ABCDEFGHIJ0123456789", date(2027, 12, 31), Decimal(99_999_999)),
    "long lowercase lot": LotLabel(FLOUR, "lot-with-lowercase-x", date(2026, 2, 1), Decimal("0.125"), "KG"),
}
TEMPLATES = ("case", "pallet", "small")


# (scale, blur kernel, tilt in degrees, noise sigma): mild, realistic camera views. At 203 dpi a
# 0.25 mm bar is 2 pixels; tilted views need the camera a little closer (>= 2.5 px per bar).
CAMERA_VIEWS = {
    "near, tilted 3 degrees": (1.5, 5, 3.0, 8.0),
    "tilted 2 degrees, blurred": (1.25, 5, 2.0, 8.0),
    "slightly farther": (0.95, 3, 1.0, 4.0),
}


def _check(label: LotLabel, template: str, *, camera: tuple[float, int, float, float] | None) -> None:
    layout = lay_out(label, load_template(template))
    gray = png_to_gray(render_png(layout))
    if camera:
        gray = camera_like(gray, *camera)
    read = read_back(gray)
    linear = sum(isinstance(i, Bars) for i in layout.items)
    matrices = sum(isinstance(i, Matrix) for i in layout.items)
    assert read.symbology_ids == sorted(["]C1"] * linear + ["]d2"] * matrices), read.decoded
    for scan in read.scans:
        assert scan.ok and not scan.warnings, (scan.raw, scan.errors, scan.warnings)
    assert read.merged() == expected(label.gtin, label.lot, label.expiry, label.quantity)
    for scan, decoded in zip(read.scans, read.decoded, strict=True):
        if decoded.symbology_id == "]d2":  # the DataMatrix alone carries the whole label
            assert (scan.gtin, scan.lot, scan.expiry, scan.quantity) == (
                label.gtin,
                label.lot,
                label.expiry,
                label.quantity,
            )


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("name", LABELS)
def test_png_scans_back_with_zxing(name: str, template: str) -> None:
    _check(LABELS[name], template, camera=None)


@pytest.mark.parametrize("view", CAMERA_VIEWS)
@pytest.mark.parametrize("template", ("case", "pallet"))
@pytest.mark.parametrize("name", LABELS)
def test_png_scans_back_through_a_camera_like_view(name: str, template: str, view: str) -> None:
    _check(LABELS[name], template, camera=CAMERA_VIEWS[view])


@pytest.mark.parametrize("name", LABELS)
def test_gs1_128_scans_back_with_pyzbar(name: str) -> None:
    """zbar drops the leading FNC1 (reports ]C0) but keeps the GS separators: still our data."""
    label = LABELS[name]
    layout = lay_out(label, load_template("case"))
    read = read_back(png_to_gray(render_png(layout)), "pyzbar")
    assert len(read.decoded) == sum(isinstance(i, Bars) for i in layout.items)
    for scan in read.scans:
        assert scan.ok, (scan.raw, scan.errors)
    assert read.merged() == expected(label.gtin, label.lot, label.expiry, label.quantity)


def test_a_lot_that_fits_gets_one_gs1_128_with_everything() -> None:
    layout = lay_out(LABELS["plain"], load_template("case"))
    (bars,) = [i for i in layout.items if isinstance(i, Bars)]
    assert [e.ai for e in bars.symbol.elements] == ["01", "17", "10", "30"]


def test_a_long_lot_is_split_into_two_gs1_128_that_each_carry_the_gtin() -> None:
    layout = lay_out(LABELS["long lot"], load_template("case"))
    parts = [[e.ai for e in i.symbol.elements] for i in layout.items if isinstance(i, Bars)]
    assert parts == [["01", "10"], ["01", "17", "30"]]
