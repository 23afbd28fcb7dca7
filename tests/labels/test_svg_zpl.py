"""SVG is valid XML whose bars are the symbol's; ZPL carries the same codewords and data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from barcode.charsets import code128

from lotscan.codes.interpret import interpret_text
from lotscan.labels.content import LotLabel, element_string
from lotscan.labels.layout import Bars, Matrix, lay_out
from lotscan.labels.svg import render_svg
from lotscan.labels.templates import load_template
from lotscan.labels.zpl import code128_field_data, datamatrix_field_data, render_zpl
from tests.labels.scanback import expected, read_back

SVG = "{http://www.w3.org/2000/svg}"
COOKIE = "09521234001348"
LABELS = [
    LotLabel(COOKIE, "FG3526E", date(2027, 3, 31), Decimal(120), description="Cookies <12> & co"),
    LotLabel(COOKIE, "a>b_c<d", date(2026, 6, 1), Decimal(5)),  # ZPL's own special characters
    LotLabel(COOKIE, "12345", None, Decimal(7)),
    LotLabel(COOKIE, "ABCDEFGHIJ0123456789", date(2027, 12, 31), Decimal(40)),
]


def _rasterise(svg: bytes) -> np.ndarray:
    """Paint the SVG's rectangles (all it draws besides text) at one pixel per viewBox unit."""
    root = ET.fromstring(svg)
    _, _, width, height = (int(v) for v in root.attrib["viewBox"].split())
    image = np.full((height, width), 255, np.uint8)
    for group in root.iter(f"{SVG}g"):
        for rect in group.iter(f"{SVG}rect"):
            x, y, w, h = (int(rect.attrib[k]) for k in ("x", "y", "width", "height"))
            image[y : y + h, x : x + w] = 0
    return image


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label.lot)
def test_svg_is_valid_xml_sized_in_mm_and_its_bars_scan_back(label: LotLabel) -> None:
    layout = lay_out(label, load_template("case"))
    svg = render_svg(layout)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.attrib["width"] == "100mm" and root.attrib["height"] == "50mm"
    groups = list(root.iter(f"{SVG}g"))
    linear = [g for g in groups if g.attrib["class"] == "gs1-128"]
    assert len(groups) - len(linear) == 1  # the DataMatrix
    symbols = [i.symbol for i in layout.items if isinstance(i, Bars)]
    assert [len(list(g)) for g in linear] == [s.modules.count("01") + 1 for s in symbols]  # a rect a bar
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert f"LOT {label.lot}" in texts
    read = read_back(_rasterise(svg))
    assert read.merged() == expected(label.gtin, label.lot, label.expiry, label.quantity)


# -- ZPL -------------------------------------------------------------------------------------

_ZEBRA_START = {">9": "A", ">:": "B", ">;": "C"}
_ZEBRA_SWITCH = {">5": ("C", 99), ">6": ("B", 100), ">7": ("A", 101)}


def _zebra_codewords(data: str) -> list[int]:
    """How a printer reads ^BC mode N field data (the subset of Zebra's rules we emit)."""
    subset = _ZEBRA_START[data[:2]]
    codewords = [{"A": 103, "B": 104, "C": 105}[subset]]
    i = 2
    while i < len(data):
        pair = data[i : i + 2]
        if pair == ">8":
            codewords.append(102)
        elif pair in _ZEBRA_SWITCH:
            subset, code = _ZEBRA_SWITCH[pair]
            codewords.append(code)
        elif pair == "><":
            codewords.append(ord(">") - 32)
        elif subset == "C":
            assert pair.isdigit(), data
            codewords.append(int(pair))
        else:
            codewords.append(ord(data[i]) - 32)
            i += 1
            continue
        i += 2
    return codewords


def _codewords_to_text(codewords: list[int]) -> str:
    """The element string a scanner would send for these codewords (FNC1 -> GS, leading dropped)."""
    subset = {103: "A", 104: "B", 105: "C"}[codewords[0]]
    out = []
    for number, cw in enumerate(codewords[1:]):
        if cw == 102:
            if number:
                out.append("\x1d")
        elif subset == "C" and cw < 100:
            out.append(f"{cw:02d}")
        elif (subset, cw) in {("B", 99), ("A", 99)}:
            subset = "C"
        elif (subset, cw) in {("C", 100), ("A", 100)}:
            subset = "B"
        elif (subset, cw) in {("C", 101), ("B", 101)}:
            subset = "A"
        else:
            out.append(chr(cw + 32))
    return "".join(out)


def _modules(codewords: list[int]) -> str:
    check = (codewords[0] + sum(i * cw for i, cw in enumerate(codewords[1:], start=1))) % 103
    return "".join(code128.CODES[cw] for cw in [*codewords, check]) + code128.STOP + "11"


def _bars_image(modules: str, module: int = 3) -> np.ndarray:
    row = np.array([0 if m == "1" else 255 for m in modules], np.uint8).repeat(module)
    row = np.pad(row, 15 * module, constant_values=255)
    return np.pad(np.tile(row, (80, 1)), ((20, 20), (0, 0)), constant_values=255)


@pytest.mark.parametrize("label", LABELS, ids=lambda label: label.lot)
def test_zpl_barcode_fields_carry_the_element_string(label: LotLabel) -> None:
    layout = lay_out(label, load_template("case"))
    zpl = render_zpl(layout).decode("utf-8")
    assert zpl.startswith("^XA\n^CI28\n") and zpl.rstrip().endswith("^XZ")
    assert f"^PW{layout.width}" in zpl and f"^LL{layout.height}" in zpl
    bc_fields = re.findall(r"\^BCN,\d+,N,N,N,N\^FD(.*?)\^FS", zpl)
    bx_fields = re.findall(r"\^BXN,\d+,200,(\d+),(\d+),,_\^FD(.*?)\^FS", zpl)
    symbols = [i for i in layout.items if isinstance(i, Bars)]
    assert len(bc_fields) == len(symbols) and len(bx_fields) == 1
    found: dict[str, object] = {}
    for data, bars in zip(bc_fields, symbols, strict=True):
        assert data.startswith(">;>8")  # start in subset C, FNC1 first: GS1-128
        codewords = _zebra_codewords(data)
        assert tuple(codewords) == bars.symbol.codewords  # the printer draws our bars
        text = _codewords_to_text(codewords)
        assert text == element_string(list(bars.symbol.elements))
        scan = interpret_text("]C1" + text)
        assert scan.ok, scan.errors
        found.update({k: v for k in ("gtin", "lot", "expiry", "quantity") if (v := getattr(scan, k))})
        decoded = read_back(_bars_image(_modules(codewords))).decoded
        assert [(d.text, d.symbology_id) for d in decoded] == [(text, "]C1")]
    assert found == expected(label.gtin, label.lot, label.expiry, label.quantity)

    columns, rows, data = bx_fields[0]
    matrix = next(i for i in layout.items if isinstance(i, Matrix))
    assert int(columns) == int(rows) == matrix.symbol.size_modules
    assert data.startswith("_1")
    text = re.sub(r"__|_1", lambda m: "_" if m.group() == "__" else "\x1d", data[2:])
    scan = interpret_text("]d2" + text)
    assert scan.ok and (scan.gtin, scan.lot, scan.expiry, scan.quantity) == (
        label.gtin,
        label.lot,
        label.expiry,
        label.quantity,
    )


def test_zpl_text_escapes_caret_and_tilde() -> None:
    layout = lay_out(LotLabel(COOKIE, "L1", description="50% ^off~ \\ now"), load_template("case"))
    zpl = render_zpl(layout).decode("utf-8")
    assert "^FH\\^FD50% \\5Eoff\\7E \\5C now^FS" in zpl


def test_field_data_encoders() -> None:
    assert code128_field_data([105, 102, 1, 9, 52, 100, 30]) == ">;>8010952>6>"[:-1] + "><"
    assert datamatrix_field_data("10A_B\x1d3012") == "_110A__B_13012"
