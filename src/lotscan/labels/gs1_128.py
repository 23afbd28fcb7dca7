"""GS1-128 symbols, encoded by python-barcode.

python-barcode's ``Gs1_128`` puts FNC1 (codeword 102) first and encodes every "\\xf1" in the
data as FNC1 too, in whichever subset it is in; we pass the element string with GS replaced
by "\\xf1". The scan-back tests decode the result with zxing-cpp (]C1, GS kept) and pyzbar.
"""

from __future__ import annotations

from dataclasses import dataclass

from barcode.codex import Gs1_128

from lotscan.codes.ai_table import GS
from lotscan.labels.content import Element, element_string
from lotscan.labels.errors import LabelError

# GS1 General Specifications: at most 48 data characters (AIs, data and separators, not the
# leading FNC1) in one GS1-128 symbol.
MAX_DATA_CHARACTERS = 48
QUIET_ZONE_MODULES = 10  # each side
FNC1 = 102
START = {103: "A", 104: "B", 105: "C"}
SWITCH = {99: "C", 100: "B", 101: "A"}


@dataclass(frozen=True, slots=True)
class LinearSymbol:
    elements: tuple[Element, ...]
    codewords: tuple[int, ...]  # start code, data, subset switches and FNC1s; no check, no stop
    modules: str  # "1" bar, "0" space, without quiet zones

    @property
    def width_modules(self) -> int:
        return len(self.modules) + 2 * QUIET_ZONE_MODULES


def encode(elements: list[Element]) -> LinearSymbol:
    data = element_string(elements)
    if len(data) > MAX_DATA_CHARACTERS:
        raise LabelError(
            f"{len(data)} characters do not fit one GS1-128 barcode (at most {MAX_DATA_CHARACTERS})"
        )
    fnc1_data = data.replace(GS, Gs1_128.FNC1_CHAR)
    # python-barcode keeps encoding state on the object: one object per encoding.
    codewords = tuple(Gs1_128(fnc1_data).encoded)
    modules = Gs1_128(fnc1_data).build()[0]
    return LinearSymbol(tuple(elements), codewords, modules.rstrip("0"))


def bar_runs(modules: str) -> list[tuple[int, int]]:
    """(first module, width in modules) of every bar."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
