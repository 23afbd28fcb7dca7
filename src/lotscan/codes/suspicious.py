"""Lots that look like they swallowed the next element because a GS separator was lost.

``10ABC17250301`` reads as lot "ABC17250301"; the tail "17250301" is AI 17 with a valid date,
so the label probably said lot "ABC" and expiry 2025-03-01. Only AIs whose values are hard to
hit by chance are considered (dates, GTIN/SSCC with their check digits, net weight), so that
ordinary lot numbers do not raise false alarms. A count (AI 30, 37) is easy to hit by chance in
a number, so it is suspected only after a lot with letters in it: ``FL25003`` + ``3050`` is lot
``FL25003`` and a count of 50, while ``20230501`` stays a lot. A count of zero is never taken
as swallowed data (``LOT3700`` stays a lot): no label counts zero trade items.

A guess is dropped when what it swallowed is already in the same symbol (tester tz, Z10): a
label carries an AI once, so a lot ``LOT3012`` on a label that also says (30) 2 did not swallow
a (30) 12. Where every AI is written out (bracketed text, a Digital Link) nothing can have been
lost: `lotscan.codes.interpret` does not ask there at all. A GS after the lot proves nothing:
``FL25003`` + ``3050`` followed by GS is what a lost separator before a count gives, since the
count, of variable length, is itself followed by GS (GS1 General Specifications 7.8.4).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

from lotscan.codes.ai_table import GS
from lotscan.codes.gs1 import Element, check_element, split_elements

_COUNTS = frozenset({"30", "37"})
_LIKELY_SWALLOWED = (
    frozenset({"00", "01", "02", "11", "13", "15", "16", "17"}) | _COUNTS | {f"310{n}" for n in range(6)}
)
# AIs whose variable-length value can swallow what follows.
_SWALLOWERS = frozenset({"10", "21", "22", "235", "240", "241", "250", "251", "30", "37"})


def swallowed_split(element: Element, elsewhere: Collection[str] = ()) -> tuple[str, list[Element]] | None:
    """``(true value, swallowed elements)`` when the value ends in plausible AI data.
    ``elsewhere``: the AIs the rest of the symbol carries; a guess swallowing one of them is
    no guess (a label carries each AI once)."""
    if element.ai not in _SWALLOWERS:
        return None
    return first_swallowed(element.value, _candidates(element.value), elsewhere)


def first_swallowed(
    value: str, positions: Iterable[int], elsewhere: Collection[str] = ()
) -> tuple[str, list[Element]] | None:
    """The first of ``positions`` in ``value`` where plausible AI data starts, split there;
    none that swallows an AI of ``elsewhere``."""
    for index in positions:
        start = value[index : index + 2]
        if start not in _STARTS:
            continue
        # Cheap test first: a count is all digits to the end, the others start with 6 digits.
        rest = value[index + 2 :] if start in _COUNTS else value[index + 2 : index + 8]
        if not rest.isdigit() or (start not in _COUNTS and len(rest) < 6):
            continue
        elements, problems = split_elements(value[index:])
        if problems or not elements or elements[0].ai not in _LIKELY_SWALLOWED:
            continue
        if any(check_element(e) for e in elements):
            continue
        if any(e.ai in elsewhere for e in elements):
            continue
        if elements[0].ai in _COUNTS and (value[:index].isdigit() or int(elements[0].value) == 0):
            continue
        return value[:index], elements
    return None


_STARTS = frozenset(ai[:2] for ai in _LIKELY_SWALLOWED)
_DIGIT_RUN = re.compile("[0-9]{3,}")


def _candidates(value: str) -> Iterator[int]:
    """Where, from the second character on, a swallowed element may start, in order: inside a
    run of ASCII digits. Swallowed data is digits the AI table checks as digits (an AI, then
    an N-type value), so it starts a run of 8 or more (a date or key: its AI and 6 digits at
    least) or lies in the run that ends the value (a count). Every other place fails the
    checks of `swallowed_split` anyway; skipping them spares a slice per character."""
    length = len(value)
    for run in _DIGIT_RUN.finditer(value, 1):
        begin, end = run.span()
        if end == length or end - begin >= 8:
            # The last start is 3 before the end: an AI of two digits and a count of one (tester
            # tz, Z1: lot FL25003 and (30) 2 read as lot FL25003302).
            yield from range(begin, end - 2)


def corrected_element_string(ais: dict[str, str]) -> str | None:
    """The element string the label probably carries, each swallowed element split out again
    (GS-separated); None when nothing looks swallowed."""
    parts: list[tuple[str, str]] = []
    changed = False
    for ai, value in ais.items():
        split = swallowed_split(Element(ai, value, 0, 0, len(value)), ais.keys() - {ai})
        if split is None:
            parts.append((ai, value))
            continue
        changed = True
        true_value, swallowed = split
        parts.append((ai, true_value))
        parts.extend((element.ai, element.value) for element in swallowed)
    if not changed:
        return None
    return GS.join(f"{ai}{value}" for ai, value in parts)
