"""The parser's fast paths read every text exactly as the plain code does (issue 14 #8: the
judgement spends a quarter of its time reading the barcode, so the common shapes take a
shortcut). Each shortcut is compared with the one-step-at-a-time reading on generated texts
that mix well-formed labels with every way of breaking them."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotscan.codes.ai_table import AI_TABLE
from lotscan.codes.bracketed import parse_bracketed, parse_one_by_one
from lotscan.codes.gs1 import Element
from lotscan.codes.suspicious import first_swallowed, swallowed_split

EXAMPLES = settings(
    max_examples=int(os.environ.get("LOTSCAN_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
AIS = sorted(AI_TABLE)
# Characters labels carry, and the ones that break a bracketed text or a lot.
PIECES = st.sampled_from(
    ["(", ")", "\\", "0", "1", "3", "7", "9", "A", "z", "-", "/", "²", "٣", " ", "\x1d", "é"]
)


@st.composite
def bracketed_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        ai = draw(st.sampled_from([*AIS, "1", "12345", "23", "0", "", "9x"]))
        value = draw(st.one_of(st.text(PIECES, max_size=8), st.from_regex(r"[0-9]{0,14}", fullmatch=True)))
        parts.append(
            draw(st.sampled_from(["(", "", ")", "(("])) + ai + draw(st.sampled_from([")", "", "))"])) + value
        )
    return "".join(parts)


@EXAMPLES
@given(text=bracketed_texts())
def test_bracketed_shortcut_reads_as_one_by_one(text: str) -> None:
    assert parse_bracketed(text) == parse_one_by_one(text)


@EXAMPLES
@given(text=st.text(PIECES, max_size=30))
def test_bracketed_shortcut_on_any_text(text: str) -> None:
    assert parse_bracketed(text) == parse_one_by_one(text)


def _swallowed_by_every_position(element: Element) -> tuple[str, list[Element]] | None:
    """The search as it was: a slice at every position of the value."""
    return first_swallowed(element.value, range(1, len(element.value) - 2))


LOT_PIECES = st.sampled_from(
    ["0", "1", "3", "7", "00", "01", "17", "30", "37", "310", "2612", "31", "A", "F", "-", "²", "٣", "\x1d"]
)


@EXAMPLES
@given(ai=st.sampled_from(["10", "21", "30", "37", "250"]), pieces=st.lists(LOT_PIECES, max_size=12))
def test_swallowed_search_finds_what_every_position_finds(ai: str, pieces: list[str]) -> None:
    value = "".join(pieces)
    element = Element(ai, value, 0, 2, 2 + len(value))
    assert swallowed_split(element) == _swallowed_by_every_position(element)


def test_swallowed_search_on_the_labels_of_the_docs() -> None:
    for value, expected in [
        ("ABC17250301", "ABC"),
        ("FL250033050", "FL25003"),
        ("FL25003302", "FL25003"),  # tester tz, Z1: a count of one digit
        ("LOT300", None),
        ("LOT3700", None),
        ("20230501", None),
        ("L00007-000003", None),
    ]:
        found = swallowed_split(Element("10", value, 0, 2, 2 + len(value)))
        assert (found[0] if found else None) == expected
        assert found == _swallowed_by_every_position(Element("10", value, 0, 2, 2 + len(value)))
