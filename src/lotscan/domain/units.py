"""Units of measure: which item units are measures (a kilogram, a litre) and which are counts.

GS1 AI 30 and AI 37 are counts of trade units (GS1 General Specifications 3.2: "AI (30) ...
indicates the quantity of items contained", "AI (37) ... the count of trade items"). A count
recorded in an item kept in kilograms needs the item's pack size (how many kilograms one trade
unit holds); without it the station cannot know the amount and asks. A unit not listed here as
a measure (EA, PCE, SACK, CASE, ...) is a count of that thing.
"""

from __future__ import annotations

from dataclasses import dataclass

# Mass, volume, length and area, as item masters write them (UN/ECE Rec. 20 codes and words).
MEASURE_UNITS = frozenset(
    {
        "KG", "KGM", "G", "GRM", "GR", "MG", "MGM", "T", "TNE", "TON", "LB", "LBR", "LBS", "OZ", "ONZ",
        "L", "LTR", "LT", "ML", "MLT", "CL", "CLT", "DL", "HL", "HLT", "M3", "MTQ", "GAL", "GLL",
        "M", "MTR", "CM", "CMT", "MM", "MMT", "KM", "FT", "FOT", "IN", "INH", "YD", "YRD",
        "M2", "MTK", "FT2", "FTK",
    }
)  # fmt: skip


def is_measure_unit(unit: str) -> bool:
    """True when ``unit`` measures an amount (mass, volume, length, area) rather than counting.

    >>> is_measure_unit("kg"), is_measure_unit("L"), is_measure_unit("EA"), is_measure_unit("SACK")
    (True, True, False, False)
    """
    return unit.strip().upper() in MEASURE_UNITS


@dataclass(frozen=True, slots=True)
class PackCount:
    """A count of trade units read from a label, converted to the item's base unit."""

    count: float  # trade units on the label, e.g. 100 (sacks)
    pack_unit: str  # what one trade unit is called, e.g. SACK
    pack_size: float  # base units in one trade unit, e.g. 25 (KG)
    unit: str  # the item's base unit, e.g. KG

    @property
    def amount(self) -> float:
        """The quantity in the base unit: what gets recorded."""
        return self.count * self.pack_size

    def describe(self) -> str:
        """Both figures, as the operator is told them.

        >>> PackCount(100, "SACK", 25, "KG").describe()
        '100 SACK = 2,500 KG'
        >>> PackCount(3, "BAG", 12.5, "KG").describe()
        '3 BAG = 37.5 KG'
        """
        return f"{number(self.count)} {self.pack_unit} = {number(self.amount)} {self.unit}"


def number(value: float) -> str:
    """A quantity with thousands separators and no needless decimals.

    >>> number(2500.0), number(37.5), number(0.125), number(1234567.25)
    ('2,500', '37.5', '0.125', '1,234,567.25')
    """
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text or "0"
