"""Templates in config/labels/: the shipped ones load and fit; bad ones say what is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lotscan.labels.content import LotLabel
from lotscan.labels.errors import LabelError, TemplateError
from lotscan.labels.layout import Bars, Matrix, TextLine, lay_out
from lotscan.labels.templates import available, load_template

LONGEST = LotLabel(
    "09521234001348", "W" * 20, date(2027, 1, 1), Decimal(99_999_999), "EA", "D" * 80, "X" * 40
)


@pytest.mark.parametrize("name", available())
def test_shipped_templates_hold_the_longest_label_inside_the_label(name: str) -> None:
    template = load_template(name)
    layout = lay_out(LONGEST, template)
    for item in layout.items:
        if isinstance(item, Bars):
            right, bottom = item.x + item.width, item.y + item.height
        elif isinstance(item, Matrix):
            side = item.symbol.size_modules * item.module
            right, bottom = item.x + side, item.y + side
        else:
            assert isinstance(item, TextLine)
            right, bottom = item.x + item.max_width, item.y + item.height
        assert item.x >= 0 and right <= layout.width and bottom <= layout.height, item


def test_the_shipped_templates() -> None:
    assert {"case", "pallet", "small"} <= set(available())
    case = load_template("case")
    assert (case.width_dots, case.height_dots) == (799, 400)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("width_mm = 100", "height_mm is required"),
        ("width_mm = 100\nheight_mm = 50\ncolour = 'red'", "unknown setting(s) colour"),
        ("width_mm = 100\nheight_mm = 50\nsymbols = ['qr']", "symbols must be a list of gs1-128, datamatrix"),
        ("width_mm = 100\nheight_mm = -5", "height_mm must be a positive number"),
        ("width_mm = 100\nheight_mm = 50\nmodule_dots = 1\nmin_module_dots = 2", "min_module_dots is larger"),
        ("width_mm = [", "not valid TOML"),
    ],
)
def test_bad_templates_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(TemplateError) as caught:
        load_template(str(path))
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_label_too_small_for_its_content_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text("width_mm = 30\nheight_mm = 15\nsymbols = ['gs1-128']")
    with pytest.raises(LabelError, match="does not fit on the tiny label"):
        lay_out(LONGEST, load_template(str(path)))
