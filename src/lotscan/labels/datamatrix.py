"""GS1 DataMatrix symbols, encoded by zxing-cpp's writer in GS1 mode (FNC1 first: ]d2).

Square symbols only: rectangular DMRE sizes, which zxing-cpp picks for some data, are not
read by every scanner (and zxing-cpp reports them as ]d8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lotscan.labels.content import Element, bracketed
from lotscan.labels.errors import LabelError


@dataclass(frozen=True, slots=True)
class MatrixSymbol:
    elements: tuple[Element, ...]
    dark: np.ndarray  # bool, rows x columns, True = dark module, without quiet zone

    @property
    def size_modules(self) -> int:
        return int(self.dark.shape[0])


QUIET_ZONE_MODULES = 1


def encode(elements: list[Element]) -> MatrixSymbol:
    import zxingcpp

    try:
        symbol = zxingcpp.create_barcode(
            bracketed(elements), zxingcpp.BarcodeFormat.DataMatrix, gs1=True, forceSquare=True
        )
    except Exception as exc:  # zxing-cpp raises its own error type with the reason
        raise LabelError(f"cannot make a GS1 DataMatrix: {exc}") from exc
    image = np.asarray(zxingcpp.write_barcode_to_image(symbol, scale=1, add_quiet_zones=False))
    return MatrixSymbol(tuple(elements), image < 128)
