"""Draw a layout as ZPL II for Zebra-style printers: the printer encodes the barcodes itself.

GS1-128 is ``^BC`` in mode N with the exact codewords python-barcode chose, written as Zebra
invocation codes (``>;`` start in subset C, ``>8`` FNC1, ``>6``/``>5``/``>7`` subset
switches, ``><`` a literal ">"), so the printed bars are the ones our preview shows. GS1
DataMatrix is ``^BX`` quality 200 with "_" as escape character: ``_1`` is FNC1 (first, and as
separator), ``__`` a literal underscore. Text uses font 0 in UTF-8 (``^CI28``) with ``^FH``
hex escapes for the ZPL control characters.
"""

from __future__ import annotations

from lotscan.codes.ai_table import GS
from lotscan.labels.content import element_string
from lotscan.labels.errors import LabelError
from lotscan.labels.gs1_128 import FNC1, START
from lotscan.labels.layout import Bars, Layout, Matrix, TextLine

_START_CODES = {"A": ">9", "B": ">:", "C": ">;"}
_SWITCH_CODES = {"C": ">5", "B": ">6", "A": ">7"}
# Codewords that change subset, by the subset they are read in (100/101 elsewhere are FNC4).
_SWITCHES = {"A": {99: "C", 100: "B"}, "B": {99: "C", 101: "A"}, "C": {100: "B", 101: "A"}}
MATRIX_ESCAPE = "_"


def render_zpl(layout: Layout, *, copies: int = 1) -> bytes:
    lines = [
        "^XA",
        "^CI28",
        f"^PW{layout.width}",
        f"^LL{layout.height}",
        "^LH0,0",
    ]
    for item in layout.items:
        if isinstance(item, Bars):
            lines.append(_bars(item))
        elif isinstance(item, Matrix):
            lines.append(_matrix(item))
        else:
            lines.append(_text(item))
    lines += [f"^PQ{copies}", "^XZ"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def code128_field_data(codewords: tuple[int, ...] | list[int]) -> str:
    """Zebra ^BC (mode N) field data for these Code 128 codewords (start code first, no check)."""
    subset = START.get(codewords[0])
    if subset is None:
        raise LabelError(f"codeword {codewords[0]} is not a Code 128 start code")
    out = [_START_CODES[subset]]
    for codeword in codewords[1:]:
        switch = _SWITCHES[subset].get(codeword)
        if codeword == FNC1:
            out.append(">8")
        elif switch is not None:
            subset = switch
            out.append(_SWITCH_CODES[switch])
        elif subset == "C" and codeword < 100:
            out.append(f"{codeword:02d}")
        elif codeword < 64 or (subset == "B" and codeword < 95):
            char = chr(codeword + 32)
            out.append("><" if char == ">" else char)
        else:
            raise LabelError(f"Code 128 codeword {codeword} in subset {subset} has no ZPL form here")
    return "".join(out)


def datamatrix_field_data(data: str) -> str:
    """Zebra ^BX (quality 200, escape "_") field data for a GS1 element string."""
    fnc1 = MATRIX_ESCAPE + "1"
    body = data.replace(MATRIX_ESCAPE, MATRIX_ESCAPE * 2).replace(GS, fnc1)
    return fnc1 + body


def _bars(bars: Bars) -> str:
    data = code128_field_data(bars.symbol.codewords)
    return f"^FO{bars.x},{bars.y}^BY{bars.module}^BCN,{bars.height},N,N,N,N^FD{data}^FS"


def _matrix(matrix: Matrix) -> str:
    size = matrix.symbol.size_modules
    data = datamatrix_field_data(element_string(list(matrix.symbol.elements)))
    return f"^FO{matrix.x},{matrix.y}^BXN,{matrix.module},200,{size},{size},,{MATRIX_ESCAPE}^FD{data}^FS"


def _text(line: TextLine) -> str:
    justify = "C" if line.centred else "L"
    return (
        f"^FO{line.x},{line.y}^A0N,{line.height},{line.height}"
        f"^FB{line.max_width},1,0,{justify},0^FH\\^FD{_escape_text(line.text)}^FS"
    )


def _escape_text(text: str) -> str:
    return "".join(f"\\{ord(c):02X}" if c in "^~\\" else c for c in text)
