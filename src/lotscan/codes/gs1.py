"""GS1 element strings: split ``01...10...<GS>17...`` into AI elements and check each value.

Offsets are indexes into the element string given; callers map them back to what was scanned.
"""

from __future__ import annotations

from dataclasses import dataclass

from lotscan.codes import findings as f
from lotscan.codes.ai_table import AI_TABLE, GS, AIDefinition, Component, find_ai
from lotscan.codes.linters import _CSET39_SET, _CSET64_SET, _CSET82_SET, LINTERS, Linter, LintError
from lotscan.codes.scan import Finding

_DIGITS = frozenset("0123456789")
_CHARSETS = {"N": _DIGITS, "X": _CSET82_SET, "Y": _CSET39_SET, "Z": _CSET64_SET | {"="}}
_CHARSET_NAMES = {
    "N": "digits only",
    "X": "letters, digits and GS1 punctuation",
    "Y": "capitals, digits, '#', '-' and '/'",
    "Z": "letters, digits, '-' and '_'",
}
_DATE_LINTERS = frozenset({"yymmd0", "yymmdd", "yyyymmd0", "yyyymmdd", "hh", "mi", "ss", "hhmi"})


@dataclass(frozen=True, slots=True)
class Element:
    ai: str
    value: str
    start: int  # first character of the AI
    value_start: int
    end: int  # one past the value

    @property
    def definition(self) -> AIDefinition | None:
        return find_ai(self.ai)


def split_elements(data: str) -> tuple[list[Element], list[Finding]]:
    """Split an element string (GS separated, optional leading GS) into elements.

    Stops at the first thing that is not an AI: what follows cannot be trusted.

    >>> elements, findings = split_elements("0109521234543213\x1d10ABC")
    >>> [(e.ai, e.value) for e in elements], findings
    ([('01', '09521234543213'), ('10', 'ABC')], [])
    """
    elements: list[Element] = []
    length = len(data)
    index = 0
    while index < length:
        if data[index] == GS:
            index += 1
            continue
        definition = find_ai(data, index)
        if definition is None:
            return elements, [_not_an_ai(data, index)]
        value_start = index + len(definition.ai)
        if definition.predefined_length:
            end = min(value_start + definition.max_length, length)
            separator = data.find(GS, value_start, end)
            if separator != -1:
                end = separator
        else:
            separator = data.find(GS, value_start)
            end = length if separator == -1 else separator
        elements.append(Element(definition.ai, data[value_start:end], index, value_start, end))
        index = end
    if not elements:
        return elements, [f.finding(f.MALFORMED_GS1, "The scan holds no GS1 data. " + f.RESCAN)]
    return elements, []


def _not_an_ai(data: str, index: int) -> Finding:
    digits = 0
    while digits < 4 and index + digits < len(data) and data[index + digits] in _DIGITS:
        digits += 1
    if digits >= 2:
        text = data[index : index + digits]
        return f.finding(
            f.UNKNOWN_AI,
            f"'{text}' at position {index + 1} is not a GS1 Application Identifier: the label is "
            "misprinted or a separator was lost. " + f.RESCAN,
            index,
            index + digits,
        )
    return f.finding(
        f.MALFORMED_GS1,
        f"Expected a GS1 Application Identifier (digits) at position {index + 1}. " + f.RESCAN,
        index,
        index + 1,
    )


def check_element(element: Element) -> list[Finding]:
    """Length, character set and content (check digit, date, code list) of one element."""
    definition = AI_TABLE.get(element.ai) or element.definition  # AIs are prefix-free
    if definition is None:  # split_elements only yields known AIs
        return [f.finding(f.UNKNOWN_AI, f"AI ({element.ai}) is unknown.")]
    value = element.value
    position = 0
    problems: list[Finding] = []
    for component in definition.components:
        remaining = len(value) - position
        if remaining == 0:
            if component.optional:
                break
            return [_length_problem(element, definition, "too short")]
        take = component.max_length if component.min_length == component.max_length else remaining
        if take > remaining:
            return [_length_problem(element, definition, "too short")]
        take = min(take, component.max_length)
        part = value[position : position + take]
        problem = _check_component(element, definition, component, part, position)
        if problem is not None:
            problems.append(problem)
        position += take
    if position < len(value):
        problems.append(_length_problem(element, definition, "too long"))
    return problems


_Plan = tuple[frozenset[str], tuple[tuple[str, Linter], ...]]


def _plan_of(component: Component) -> _Plan:
    """The characters a component allows and the linters it runs (the ones implemented)."""
    linters = tuple((name, LINTERS[name]) for name in component.linters if name in LINTERS)
    return _CHARSETS[component.charset], linters


# Every component of the AI table, by identity: the table lives as long as the process.
_PLANS: dict[int, _Plan] = {
    id(component): _plan_of(component)
    for definition in AI_TABLE.values()
    for component in definition.components
}


def _check_component(
    element: Element,
    definition: AIDefinition,
    component: Component,
    part: str,
    offset: int,
) -> Finding | None:
    allowed, linters = _PLANS.get(id(component)) or _plan_of(component)
    if not allowed.issuperset(part):
        for index, char in enumerate(part):
            if char not in allowed:
                at = element.value_start + offset + index
                return f.finding(
                    f.BAD_CHARACTER,
                    f"{_label(definition)} contains {_show(char)}, which is not allowed here "
                    f"({_CHARSET_NAMES[component.charset]}). The label or the scanner's keyboard "
                    "layout is wrong. " + f.RESCAN,
                    at,
                    at + 1,
                )
    for linter_name, linter in linters:
        error = linter(part)
        if error is not None:
            return _lint_finding(element, definition, linter_name, error, offset)
    return None


def _lint_finding(
    element: Element, definition: AIDefinition, linter: str, error: LintError, offset: int
) -> Finding:
    start = element.value_start + offset + error.start
    end = element.value_start + offset + max(error.end, error.start + 1)
    label = _label(definition)
    if error.error in ("GS1_LINTER_INCORRECT_CHECK_DIGIT", "GS1_LINTER_INCORRECT_CHECK_PAIR"):
        return f.finding(
            f.BAD_CHECK_DIGIT,
            f"{label} {element.value} has a wrong check digit: the label is misprinted or was "
            "misread. " + f.RESCAN,
            start,
            end,
        )
    if linter in _DATE_LINTERS:
        return f.finding(
            f.BAD_DATE,
            f"{label} {element.value} is not a real date/time ({_words(error.error)}). Check "
            "the date printed on the label and tell a supervisor.",
            start,
            end,
        )
    if error.error == "GS1_LINTER_NON_DIGIT_CHARACTER":
        return f.finding(f.BAD_CHARACTER, f"{label} must be digits only. " + f.RESCAN, start, end)
    return f.finding(
        f.INVALID_VALUE,
        f"{label} {element.value} is not valid ({_words(error.error)}). " + f.RESCAN,
        start,
        end,
    )


def _length_problem(element: Element, definition: AIDefinition, how: str) -> Finding:
    if definition.min_length == definition.max_length:
        expected = f"exactly {definition.max_length}"
    else:
        expected = f"{definition.min_length} to {definition.max_length}"
    code = f.WRONG_LENGTH
    message = f"{_label(definition)} is {how}: {len(element.value)} characters, expected {expected}. "
    if how == "too long" and not definition.predefined_length:
        message += "A GS separator is probably missing after it. "
    return f.finding(code, message + f.RESCAN, element.start, element.end)


def _label(definition: AIDefinition) -> str:
    return f"({definition.ai}) {definition.title}"


def _words(error: str) -> str:
    return error.removeprefix("GS1_LINTER_").replace("_", " ").lower()


def _show(char: str) -> str:
    return repr(char) if char.isprintable() else f"control character 0x{ord(char):02X}"


def element_string(elements: list[Element] | list[tuple[str, str]]) -> str:
    """Canonical element string: GS only after variable-length values that are not last."""
    pairs = [(e.ai, e.value) if isinstance(e, Element) else e for e in elements]
    out: list[str] = []
    for index, (ai, value) in enumerate(pairs):
        out.append(ai + value)
        definition = find_ai(ai)
        last = index == len(pairs) - 1
        if not last and (definition is None or not definition.predefined_length):
            out.append(GS)
    return "".join(out)
