"""What a lot label says: the GS1 elements, the element string and the human-readable line.

Element order puts the fixed-length AIs first (01, 17, 310n) and the variable-length ones
last (10, then 30), so a separator (FNC1 in the symbol, GS when read) is needed only between
the lot and the count, never after the last element.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lotscan.codes.ai_table import AI_TABLE, GS
from lotscan.codes.interpret import interpret_text
from lotscan.codes.scan import Scan
from lotscan.domain.units import is_measure_unit
from lotscan.labels.errors import LabelError

# Units whose quantity is a net weight in kilograms (AI 310n). Other measures (L, M, ...) go on
# the label as a count of trade units (AI 30) by the item's pack size; a count unit as it is.
KILOGRAM_UNITS = frozenset({"KG", "KGM", "KGS"})
_ORDER = ("01", "17", "310", "10", "30")


@dataclass(frozen=True, slots=True)
class Element:
    ai: str
    value: str

    @property
    def fixed_length(self) -> bool:
        return AI_TABLE[self.ai].predefined_length


@dataclass(frozen=True, slots=True)
class LotLabel:
    """Everything one lot label shows. ``quantity`` is optional; the rest comes from the cache."""

    gtin: str
    lot: str
    expiry: date | None = None
    quantity: Decimal | None = None
    unit: str = "EA"
    description: str = ""
    item: str = ""
    pack_size: Decimal | None = None  # units of `unit` in one trade unit (what AI 30 counts)
    pack_unit: str = ""
    # The lot's status when it is not simply usable ("ON HOLD", "QUARANTINE", "EXPIRED 2026-11-14"):
    # printed first on the label's text, so a forced label of held goods says so (tester W25).
    status_mark: str = ""

    def elements(self) -> list[Element]:
        """The GS1 elements in symbol order, validated; raises LabelError when they cannot be printed."""
        found = [Element("01", self.gtin.zfill(14)), Element("10", self.lot)]
        if self.expiry is not None:
            found.append(Element("17", self.expiry.strftime("%y%m%d")))
        if self.quantity is not None:
            found.append(quantity_element(self.quantity, self.unit, self.pack_size))
        found.sort(key=lambda e: _ORDER.index(e.ai[:3] if e.ai.startswith("310") else e.ai))
        scan = check(found)
        read = (scan.gtin, scan.lot, scan.expiry, scan.quantity)
        if read != (self.gtin.zfill(14), self.lot, self.expiry, self._label_quantity()):
            # e.g. an expiry over 50 years ahead: two-digit years read back a century off
            raise LabelError(f"the label would scan as {read}, not as what it should say")
        return found

    def _label_quantity(self) -> Decimal | None:
        """What the label's quantity element reads back as: packs when it counts packs."""
        if self.quantity is None or not self._counts_packs():
            return self.quantity
        return self.quantity / (self.pack_size or 1)

    def _counts_packs(self) -> bool:
        return self.unit.upper() not in KILOGRAM_UNITS and is_measure_unit(self.unit)

    @property
    def quantity_text(self) -> str:
        if self.quantity is None:
            return ""
        amount = f"{self.quantity.normalize():f} {self.unit}".strip()
        packs = self._label_quantity()
        if self._counts_packs() and packs is not None:
            return f"{packs.normalize():f} {self.pack_unit or 'PACK'} = {amount}"
        return amount


def quantity_element(quantity: Decimal, unit: str, pack_size: Decimal | None = None) -> Element:
    """AI 310n (net kg, n decimals) for kilogram units, else AI 30 (a count of trade units):
    for another measure (L, M) the count of packs of ``pack_size``, never a bare count of litres.

    >>> quantity_element(Decimal("40"), "L", Decimal("10"))
    Element(ai='30', value='4')
    """
    if quantity <= 0:
        raise LabelError(f"the quantity must be positive, not {quantity}")
    if unit.upper() not in KILOGRAM_UNITS and is_measure_unit(unit):
        if not pack_size:
            raise LabelError(
                f"{quantity} {unit} cannot go on the label: AI 30 counts trade units, and the item "
                f"has no pack size saying how many {unit} one holds; print without a quantity"
            )
        packs = quantity / pack_size
        if packs != packs.to_integral_value():
            raise LabelError(f"{quantity} {unit} is not a whole number of packs of {pack_size:f} {unit}")
        quantity = packs
    if unit.upper() in KILOGRAM_UNITS:
        exponent = -quantity.normalize().as_tuple().exponent  # type: ignore[operator]
        decimals = max(0, int(exponent))
        if decimals > 5:
            raise LabelError(f"a weight of {quantity} kg has more than 5 decimals")
        value = int(quantity.scaleb(decimals))
        if value > 999_999:
            raise LabelError(f"a weight of {quantity} kg does not fit the 6 digits of AI 310{decimals}")
        return Element(f"310{decimals}", f"{value:06d}")
    if quantity != quantity.to_integral_value():
        raise LabelError(f"a count of {unit} must be a whole number, not {quantity}")
    if quantity > 99_999_999:
        raise LabelError(f"a count of {quantity} does not fit the 8 digits of AI 30")
    return Element("30", str(int(quantity)))


def element_string(elements: list[Element]) -> str:
    """The data a scanner sends for these elements: GS after each variable-length one but the last."""
    parts = []
    for index, element in enumerate(elements):
        parts.append(element.ai + element.value)
        if not element.fixed_length and index < len(elements) - 1:
            parts.append(GS)
    return "".join(parts)


def human_readable(elements: list[Element]) -> str:
    """The line printed under a barcode: "(01)09521234001348(17)261231(10)ABC"."""
    return "".join(f"({e.ai}){e.value}" for e in elements)


def bracketed(elements: list[Element]) -> str:
    r"""Bracketed input for GS1 encoders; brackets inside values (allowed in CSET 82) escaped as \( \)."""
    return "".join(f"({e.ai})" + e.value.replace("(", r"\(").replace(")", r"\)") for e in elements)


def check(elements: list[Element]) -> Scan:
    """Refuse what our own interpreter would not accept back: bad check digits, characters, lengths."""
    scan = interpret_text("]C1" + element_string(elements))
    if scan.errors:
        problems = "; ".join(_first_sentence(f.message) for f in scan.errors)
        raise LabelError(f"not a valid GS1 label: {problems}")
    return scan


def _first_sentence(message: str) -> str:
    return message.partition(". ")[0].split(": the label")[0].rstrip(".")
