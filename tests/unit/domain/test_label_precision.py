"""A label's trade measure says an amount only as closely as its decimals can (tester X7):
2 SACK = 50 KG is what a label of 110.231 lb (AI 3203) says, since 50 kg is 110.2311 lb. The
property: for any whole count of packs and any measure AI whose decimals can state it, the label
encoding that amount rounded to its decimals states it; an amount farther from the label than
half a unit of its last decimal never is."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from lotscan.domain.units import ITEM_UNITS, MEASURE_AIS, measure_from_label

# (item unit, label AI's first three digits) of one dimension, every pair the tables convert.
UNIT_AND_AI = sorted(
    (unit, ai)
    for unit, (dimension, _) in ITEM_UNITS.items()
    for ai, (_, ai_dimension, _) in MEASURE_AIS.items()
    if dimension == ai_dimension
)
PACK_SIZES = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), places=3)


def label_of(exact: Decimal, unit: str, ai: str, decimals: int) -> str | None:
    """The label's six digits for ``exact`` units of ``unit``, rounded to ``decimals`` in the
    AI's unit, as a printer would; None when six digits cannot hold it."""
    in_label_unit = exact * ITEM_UNITS[unit][1] / MEASURE_AIS[ai][2]
    digits = int(in_label_unit.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN).scaleb(decimals))
    return f"{digits:06d}" if 0 < digits < 1_000_000 else None


@given(
    count=st.integers(min_value=1, max_value=5000),
    pack_size=PACK_SIZES,
    unit_and_ai=st.sampled_from(UNIT_AND_AI),
    decimals=st.integers(min_value=0, max_value=5),
)
def test_a_label_that_rounds_the_counted_amount_states_it(
    count: int, pack_size: Decimal, unit_and_ai: tuple[str, str], decimals: int
) -> None:
    unit, ai = unit_and_ai
    assume(pack_size > 0)
    digits = label_of(count * pack_size, unit, ai, decimals)
    assume(digits is not None)
    assert digits is not None
    measure = measure_from_label(f"{ai}{decimals}", digits, unit)
    counted = count * float(pack_size)  # as the station multiplies a typed count by the pack size
    assert measure.states(counted), (measure.describe(), counted, measure.precision)


@given(
    digits=st.integers(min_value=1, max_value=999_999),
    unit_and_ai=st.sampled_from(UNIT_AND_AI),
    decimals=st.integers(min_value=0, max_value=5),
    beyond=st.floats(min_value=1.01, max_value=1e6),
    above=st.booleans(),
)
def test_an_amount_beyond_the_labels_precision_is_never_stated(
    digits: int, unit_and_ai: tuple[str, str], decimals: int, beyond: float, above: bool
) -> None:
    unit, ai = unit_and_ai
    measure = measure_from_label(f"{ai}{decimals}", f"{digits:06d}", unit)
    assert measure.amount is not None and measure.precision is not None
    typed = measure.amount + (1 if above else -1) * beyond * measure.precision
    assert not measure.states(typed), (measure.describe(), typed, measure.precision)


def test_the_testers_pounds_state_two_sacks_and_not_a_gram_more() -> None:
    pounds = measure_from_label("3203", "110231", "KG")
    assert pounds.states(2 * 25.0)
    assert not pounds.states(50.001)
    assert pounds.precision is not None and abs(pounds.precision - 0.0005 * 0.45359237) < 1e-15
