"""The human-readable form ``(01)09521234543213(10)ABC``; ``\\(`` is a literal bracket."""

from __future__ import annotations

from lotscan.codes import findings as f
from lotscan.codes.ai_table import find_ai
from lotscan.codes.gs1 import Element
from lotscan.codes.scan import Finding


def looks_bracketed(text: str) -> bool:
    return text.startswith("(") and ")" in text[:6]


def parse_bracketed(text: str) -> tuple[list[Element], list[Finding]]:
    """Elements of the human-readable form "(01)...(10)...", or a finding where it breaks.

    >>> elements, findings = parse_bracketed("(01)09521234543213(10)ABC")
    >>> [(e.ai, e.value) for e in elements], findings
    ([('01', '09521234543213'), ('10', 'ABC')], [])
    >>> "expected '(' before an AI" in parse_bracketed("01)0952")[1][0].message
    True
    """
    if "\\" not in text:
        plain = _plain_elements(text)
        if plain is not None:
            return plain, []
    return parse_one_by_one(text)


def parse_one_by_one(text: str) -> tuple[list[Element], list[Finding]]:
    """`parse_bracketed` one "(" at a time: escapes, and the finding where a text breaks."""
    elements: list[Element] = []
    index = 0
    length = len(text)
    while index < length:
        if text[index] != "(":
            return elements, [_malformed("expected '(' before an AI", index)]
        close = text.find(")", index + 1, index + 6)
        ai = text[index + 1 : close] if close != -1 else ""
        if close == -1 or not (2 <= len(ai) <= 4) or not ai.isdigit():
            return elements, [_malformed("'(' must be followed by a 2-4 digit AI and ')'", index)]
        known = find_ai(ai)
        if known is None or known.ai != ai:
            return elements, [
                f.finding(
                    f.UNKNOWN_AI,
                    f"({ai}) is not a GS1 Application Identifier. " + f.RESCAN,
                    index,
                    close + 1,
                )
            ]
        value_start = close + 1
        parts: list[str] = []
        cursor = value_start
        while True:  # the value runs to the next "(" that is not written "\("
            bracket = text.find("(", cursor)
            if bracket == -1:
                parts.append(text[cursor:])
                cursor = length
                break
            if bracket > cursor and text[bracket - 1] == "\\":
                parts.append(text[cursor : bracket - 1] + "(")
                cursor = bracket + 1
                continue
            parts.append(text[cursor:bracket])
            cursor = bracket
            break
        value = "".join(parts)
        if not value:
            return elements, [_malformed(f"({ai}) has no value", index, close + 1)]
        elements.append(Element(ai, value, index, value_start, cursor))
        index = cursor
    if not elements:
        return elements, [_malformed("no AI found", 0)]
    return elements, []


def _plain_elements(text: str) -> list[Element] | None:
    """The elements of a well-formed text without escapes, found by splitting at every "(";
    None at the first thing that is not "(AI)value", for the loop above to report (it reads
    such a text the same way, one "(" at a time)."""
    if not text.startswith("("):
        return None
    elements: list[Element] = []
    index = 0
    for part in text[1:].split("("):
        close = part.find(")")
        if not 2 <= close <= 4:
            return None
        ai = part[:close]
        known = find_ai(ai) if ai.isdigit() else None
        value = part[close + 1 :]
        if known is None or known.ai != ai or not value:
            return None
        value_start = index + close + 2
        end = value_start + len(value)
        elements.append(Element(ai, value, index, value_start, end))
        index = end
    return elements


def _malformed(why: str, start: int, end: int | None = None) -> Finding:
    return f.finding(
        f.MALFORMED_GS1,
        f"The bracketed GS1 text is malformed: {why}. " + f.RESCAN,
        start,
        end if end is not None else start + 1,
    )
