"""Units of measure: which item units are measures (a kilogram, a litre) and which are counts.

GS1 AI 30 and AI 37 are counts of trade units (GS1 General Specifications 3.2: "AI (30) ...
indicates the quantity of items contained", "AI (37) ... the count of trade items"). A count
recorded in an item kept in kilograms needs the item's pack size (how many kilograms one trade
unit holds); without it the station cannot know the amount and asks. A unit not listed here as
a measure (EA, PCE, SACK, CASE, ...) is a count of that thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Context, Decimal

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


# GS1 General Specifications 3.6 and the GS1 Syntax Dictionary: the trade measures of a
# variable measure trade item (its net weight, net volume, length, area), by the AI's first
# three digits; the fourth digit places the decimal point. Each unit is given with its size in
# the dimension's base unit (kg, l, m, m²), exactly as defined (1 lb = 0.45359237 kg; US
# liquid measures from 1 gal = 231 in³). Logistic measures (330n-337n, 340n-349n, 353n-355n,
# 362n-363n, 367n-369n) describe the pallet or package, not the goods, and widths and heights
# are no quantity: they are not listed, so they never become a scan's quantity.
_INCH = Decimal("0.0254")
_CUBIC_INCH_L = _INCH**3 * 1000  # 0.016387064 l
MEASURE_AIS: dict[str, tuple[str, str, Decimal]] = {
    "310": ("kg", "mass", Decimal(1)),
    "320": ("lb", "mass", Decimal("0.45359237")),
    "356": ("troy oz", "mass", Decimal("0.0311034768")),
    "315": ("l", "volume", Decimal(1)),
    "316": ("m³", "volume", Decimal(1000)),
    "357": ("fl oz (US)", "volume", _CUBIC_INCH_L * 231 / 128),
    "360": ("qt (US)", "volume", _CUBIC_INCH_L * 231 / 4),
    "361": ("gal (US)", "volume", _CUBIC_INCH_L * 231),
    "364": ("in³", "volume", _CUBIC_INCH_L),
    "365": ("ft³", "volume", _CUBIC_INCH_L * 12**3),
    "366": ("yd³", "volume", _CUBIC_INCH_L * 36**3),
    "311": ("m", "length", Decimal(1)),
    "321": ("in", "length", _INCH),
    "322": ("ft", "length", _INCH * 12),
    "323": ("yd", "length", _INCH * 36),
    "314": ("m²", "area", Decimal(1)),
    "350": ("in²", "area", _INCH**2),
    "351": ("ft²", "area", (_INCH * 12) ** 2),
    "352": ("yd²", "area", (_INCH * 36) ** 2),
}

# Item units (UN/ECE Rec. 20 codes and the words item masters use) with their dimension and
# size in its base unit. A measure unit missing here (TON: short or long?) converts nothing.
ITEM_UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("KG", "KGM"), ("mass", Decimal(1))),
    **dict.fromkeys(("G", "GRM", "GR"), ("mass", Decimal("0.001"))),
    **dict.fromkeys(("MG", "MGM"), ("mass", Decimal("0.000001"))),
    **dict.fromkeys(("T", "TNE"), ("mass", Decimal(1000))),
    **dict.fromkeys(("LB", "LBR", "LBS"), ("mass", Decimal("0.45359237"))),
    **dict.fromkeys(("OZ", "ONZ"), ("mass", Decimal("0.028349523125"))),
    **dict.fromkeys(("L", "LTR", "LT"), ("volume", Decimal(1))),
    **dict.fromkeys(("ML", "MLT"), ("volume", Decimal("0.001"))),
    **dict.fromkeys(("CL", "CLT"), ("volume", Decimal("0.01"))),
    "DL": ("volume", Decimal("0.1")),
    **dict.fromkeys(("HL", "HLT"), ("volume", Decimal(100))),
    **dict.fromkeys(("M3", "MTQ"), ("volume", Decimal(1000))),
    **dict.fromkeys(("GAL", "GLL"), ("volume", _CUBIC_INCH_L * 231)),
    **dict.fromkeys(("M", "MTR"), ("length", Decimal(1))),
    **dict.fromkeys(("CM", "CMT"), ("length", Decimal("0.01"))),
    **dict.fromkeys(("MM", "MMT"), ("length", Decimal("0.001"))),
    "KM": ("length", Decimal(1000)),
    **dict.fromkeys(("FT", "FOT"), ("length", _INCH * 12)),
    **dict.fromkeys(("IN", "INH"), ("length", _INCH)),
    **dict.fromkeys(("YD", "YRD"), ("length", _INCH * 36)),
    **dict.fromkeys(("M2", "MTK"), ("area", Decimal(1))),
    **dict.fromkeys(("FT2", "FTK"), ("area", (_INCH * 12) ** 2)),
}
_EXACT = Context(prec=34)


def measure_ai(ai: str) -> bool:
    """True for a trade measure AI (310n kg, 320n lb, 315n l, ...) that gives a quantity.

    >>> measure_ai("3103"), measure_ai("3203"), measure_ai("3153"), measure_ai("3303"), measure_ai("30")
    (True, True, True, False, False)
    """
    return len(ai) == 4 and ai[:3] in MEASURE_AIS and ai[3] in "012345"


@dataclass(frozen=True, slots=True)
class LabelMeasure:
    """A label's trade measure (AI 310n-366n) and, when the item's unit is of its dimension,
    the same amount in that unit: what gets recorded."""

    ai: str  # e.g. 3203
    value: Decimal  # the label's number, e.g. 88.185
    label_unit: str  # e.g. lb
    dimension: str  # mass, volume, length, area
    unit: str  # the item's unit, e.g. KG
    amount: float | None  # in the item's unit; None when it cannot be converted
    # Half a unit of the label's last decimal, in the item's unit: how far the true amount may
    # be from what the label can state (110.231 lb says 50 kg to within 0.0005 lb).
    precision: float | None = None

    def states(self, quantity: float) -> bool:
        """True when the label, at the precision its decimals give, says ``quantity`` of the
        item's unit: 50 KG is what a label of 110.231 lb says, 50.001 KG is not (tester X7).

        >>> pounds = measure_from_label("3203", "110231", "KG")
        >>> pounds.states(50.0), pounds.states(49.999941), pounds.states(50.001)
        (True, True, False)
        >>> measure_from_label("3103", "005000", "KG").states(2.0)
        False
        """
        if self.amount is None or self.precision is None or not math.isfinite(quantity):
            return False
        # the float product of a count and a pack size may be an ulp off the exact amount
        slack = 1e-9 * max(abs(quantity), abs(self.amount))
        return abs(quantity - self.amount) <= self.precision + slack

    def describe(self) -> str:
        """Both figures, as the operator is told them; one when the units are the same.

        >>> measure_from_label("3203", "088185", "KG").describe()
        '88.185 lb = 40.000043 KG'
        >>> measure_from_label("3103", "040000", "KG").describe()
        '40 KG'
        """
        said = f"{number(float(self.value))} {self.label_unit}"
        if self.amount is None:
            return said
        if self.label_unit.upper() == self.unit.strip().upper():
            return f"{number(self.amount)} {self.unit}"
        return f"{said} = {number(self.amount)} {self.unit}"


def measure_from_label(ai: str, digits: str, item_unit: str) -> LabelMeasure:
    """The label's measure in the item's unit, converted exactly (Decimal, 34 digits) between
    units of one dimension; ``amount`` is None for another dimension (a weight on an item kept
    in litres or counted in EA) or an item unit without a known size.

    >>> measure_from_label("3203", "088185", "KG").amount
    40.00004314845
    >>> measure_from_label("3103", "010000", "L").amount is None
    True
    >>> measure_from_label("3153", "010000", "ML").amount
    10000.0
    """
    label_unit, dimension, size = MEASURE_AIS[ai[:3]]
    value = Decimal(int(digits)).scaleb(-int(ai[3]))
    item = ITEM_UNITS.get(item_unit.strip().upper())
    amount = precision = None
    if item is not None and item[0] == dimension:
        amount = float(_EXACT.divide(_EXACT.multiply(value, size), item[1]))
        half_unit = Decimal(5).scaleb(-int(ai[3]) - 1)  # 0.0005 for three decimals
        precision = float(_EXACT.divide(_EXACT.multiply(half_unit, size), item[1]))
    return LabelMeasure(ai, value, label_unit, dimension, item_unit, amount, precision)
