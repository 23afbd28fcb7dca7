"""The element string, the human-readable line, and what a label refuses to carry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lotscan.codes.interpret import interpret_text
from lotscan.labels.content import Element, LotLabel, bracketed, element_string, human_readable
from lotscan.labels.errors import LabelError

GS = "\x1d"
COOKIE = "09521234001348"
FLOUR = "19521234001017"


def test_fixed_length_first_and_gs_only_between_variable_length_elements() -> None:
    label = LotLabel(COOKIE, "AB12", date(2026, 12, 31), Decimal(24))
    elements = label.elements()
    assert [e.ai for e in elements] == ["01", "17", "10", "30"]
    assert element_string(elements) == f"01095212340013481726123110AB12{GS}3024"
    assert human_readable(elements) == "(01)09521234001348(17)261231(10)AB12(30)24"


def test_no_gs_after_the_last_element_nor_after_fixed_length_ones() -> None:
    assert element_string(LotLabel(COOKIE, "X", date(2027, 1, 2)).elements()) == (
        "01095212340013481727010210X"
    )
    assert element_string(LotLabel(COOKIE, "X").elements()) == "010952123400134810X"


def test_a_kilogram_quantity_is_a_net_weight_with_its_decimals() -> None:
    label = LotLabel(FLOUR, "F1", None, Decimal("12.50"), unit="KG")
    elements = label.elements()
    assert [(e.ai, e.value) for e in elements] == [("01", FLOUR), ("3101", "000125"), ("10", "F1")]
    scan = interpret_text("]C1" + element_string(elements))
    assert scan.ok and scan.quantity == Decimal("12.5")


def test_the_element_string_reads_back_through_our_interpreter() -> None:
    label = LotLabel(COOKIE, "A(B)%&<>_x", date(2028, 2, 29), Decimal(99_999_999))
    scan = interpret_text("]C1" + element_string(label.elements()))
    assert scan.ok, scan.errors
    assert (scan.gtin, scan.lot, scan.expiry, scan.quantity) == (
        COOKIE,
        "A(B)%&<>_x",
        date(2028, 2, 29),
        Decimal(99_999_999),
    )


def test_brackets_in_a_lot_are_escaped_for_bracketed_encoders() -> None:
    assert bracketed([Element("01", COOKIE), Element("10", "A(B)")]) == rf"(01){COOKIE}(10)A\(B\)"


@pytest.mark.parametrize(
    ("label", "words"),
    [
        (LotLabel("09521234001349", "L1"), "check digit"),
        (LotLabel(COOKIE, "has space"), "' '"),
        (LotLabel(COOKIE, "é"), "'é'"),
        (LotLabel(COOKIE, "A" * 21), "too long"),
        (LotLabel(COOKIE, "L1", quantity=Decimal("1.5")), "whole number"),
        (LotLabel(COOKIE, "L1", quantity=Decimal(0)), "positive"),
        (LotLabel(COOKIE, "L1", quantity=Decimal(100_000_000)), "8 digits"),
        (LotLabel(FLOUR, "L1", quantity=Decimal("1000000"), unit="KG"), "6 digits"),
        (LotLabel(FLOUR, "L1", quantity=Decimal("0.000001"), unit="KG"), "5 decimals"),
        (LotLabel(COOKIE, "L1", date(date.today().year + 60, 1, 1)), "would scan as"),
    ],
)
def test_what_cannot_be_printed_is_refused_with_a_reason(label: LotLabel, words: str) -> None:
    with pytest.raises(LabelError) as caught:
        label.elements()
    assert words in str(caught.value)
