"""AIM symbology identifiers (``]C1``, ``]d2``...): which barcode was read and how to read its data.

A reader in AIM mode prefixes the data with ``]`` + code character + modifier. The modifier
tells whether the symbol was in GS1 mode (FNC1 in first position).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Mode(StrEnum):
    GS1 = "gs1"  # element string, GS separated
    PLAIN = "plain"  # free text (may be a GS1 Digital Link URI)
    EAN = "ean"  # EAN/UPC digits, optionally "|" + composite component


@dataclass(frozen=True, slots=True)
class Symbology:
    aim_id: str
    name: str
    mode: Mode
    digits: int | None = None  # EAN/UPC data length


_TABLE = {
    "]C0": Symbology("]C0", "Code 128", Mode.PLAIN),
    "]C1": Symbology("]C1", "GS1-128", Mode.GS1),
    "]C2": Symbology("]C2", "Code 128", Mode.PLAIN),
    "]C4": Symbology("]C4", "Code 128", Mode.PLAIN),
    "]d1": Symbology("]d1", "DataMatrix", Mode.PLAIN),
    "]d2": Symbology("]d2", "GS1 DataMatrix", Mode.GS1),
    "]d4": Symbology("]d4", "DataMatrix", Mode.PLAIN),
    "]d5": Symbology("]d5", "GS1 DataMatrix", Mode.GS1),
    # zxing-cpp reports rectangular-extension (DMRE) symbols with these modifiers.
    "]d7": Symbology("]d7", "DataMatrix", Mode.PLAIN),
    "]d8": Symbology("]d8", "GS1 DataMatrix", Mode.GS1),
    "]Q0": Symbology("]Q0", "QR", Mode.PLAIN),
    "]Q1": Symbology("]Q1", "QR", Mode.PLAIN),
    "]Q2": Symbology("]Q2", "QR", Mode.PLAIN),
    "]Q3": Symbology("]Q3", "GS1 QR", Mode.GS1),
    "]Q5": Symbology("]Q5", "GS1 QR", Mode.GS1),
    "]e0": Symbology("]e0", "GS1 DataBar", Mode.GS1),
    "]E0": Symbology("]E0", "EAN-13", Mode.EAN, 13),
    "]E4": Symbology("]E4", "EAN-8", Mode.EAN, 8),
    "]J0": Symbology("]J0", "DotCode", Mode.PLAIN),
    "]J1": Symbology("]J1", "GS1 DotCode", Mode.GS1),
    "]A0": Symbology("]A0", "Code 39", Mode.PLAIN),
    "]I0": Symbology("]I0", "ITF", Mode.PLAIN),
    "]I1": Symbology("]I1", "ITF", Mode.PLAIN),
    "]X0": Symbology("]X0", "other", Mode.PLAIN),
    "]z0": Symbology("]z0", "Aztec", Mode.PLAIN),
}


def lookup(aim_id: str) -> Symbology | None:
    """The symbology for an AIM id given with or without its leading ``]``; None if unknown."""
    key = aim_id if aim_id.startswith("]") else "]" + aim_id
    return _TABLE.get(key)


def split_prefix(text: str) -> tuple[str | None, str]:
    """``("]C1", rest)`` when ``text`` starts with an AIM id shape, else ``(None, text)``.

    >>> split_prefix("]C1010952")
    (']C1', '010952')
    >>> split_prefix("010952")
    (None, '010952')
    """
    if len(text) >= 3 and text[0] == "]" and text[1].isalpha() and text[2].isalnum():
        return text[:3], text[3:]
    return None, text
