"""Message-level GS1 rules: which AIs need, or exclude, which others; repeats; DigSig keys.

Encoded from the GS1 General Specifications 4.14 ("Mandatory association of element strings",
"Invalid pairs of element strings"). In the patterns below ``n`` stands for any digit, so
``31nn`` is every AI 3100-3199; ``01+21`` means both; a comma lists alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from lotscan.codes import findings as f
from lotscan.codes.ai_table import AI_TABLE, find_ai
from lotscan.codes.gs1 import Element
from lotscan.codes.scan import Finding

_WEIGHTS_LOG = "3300-3365 3400-3495 3530-3555 3620-3635 3670-3695 8009"  # logistic measures

# requirement (alternatives) -> AIs that need it. An AI listed under two requirements needs both.
REQUIRES: dict[str, str] = {
    "37": "02 8026",
    "01,02,03,8006,8026": "10 11 13 15 16",
    "8020": "12 3910-3919 415",
    "01,02,03,255,8006,8026": "17",
    "01,02,8006,8026": "20 240 241 242 422 7001",
    "01,03,8006": "21",
    "01": "22 235 243 3370-3375 3920-3929 710-717 8001 8014 8200",
    "01,8006": "250 251 7020 7021 7240 8012",
    "21": "250",
    "414": "254",
    "01,02": "30 3100-3295 3500-3525 3560-3615 3640-3665 423-427 7002 7003 7005-7011 7030-7039 8005 8008",
    "00,01": _WEIGHTS_LOG,
    "00": "37 403 4300-4302 4304-4312 4314-4333 7041",
    "02,8026": "37",
    "255,8020": "3900-3909",
    "30,31nn,32nn,35nn,36nn": "3920-3939 3950-3955",
    "255": "3940-3943 8111",
    "422": "427",
    "4302": "4303",
    "4312": "4313",
    "01+10": "7004",
    "416": "7020",
    "7021": "7022",
    "01,8004": "7230-7239",
    "8017,8018": "7241 7242 7253-7256 8019",
    "8018": "7250-7252 7257 7259",
    "8018+7259": "7258",
    "415": "8007 8020",
    "8010": "8011",
    "00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018": "8030",
    "01+21": "8040",
    "01+21+8040": "8041-8043",
}

# excluded AIs -> AIs that must not appear with them
EXCLUDES: dict[str, str] = {
    "255,37": "01",
    "01,03": "02",
    "01,02,37": "03",
    "235": "21",
    "01,02,415,8006,8020,8026": "255",
    "390n,391n,394n,8111": "3900-3909",
    "392n,393n": "3920-3929",
    "394n,8111": "3940-3943",
    "392n,393n,395n,8005": "3950-3955",
    "421": "420",
    "4307": "421",
    "426": "422-425",
    "4331": "4330",
    "4330": "4331",
    "4333": "4332",
    "4332": "4333",
    "7251": "7250",
    "7250": "7251",
    "7256,7259": "7253-7255",
    "7256": "7259",
    "01,37": "8006",
    "8018": "8017",
    "8017": "8018",
    "02,8006": "8026",
}

# A measure may appear once, with one decimal-point position: 3102 excludes 3100-3105.
SAME_MEASURE_EXCLUSIVE = "3100-3695 3910-3919 3930-3939"

# With a digital signature (8030) these keys must carry their optional serial component.
DIGSIG_SERIAL_LENGTH = {"253": 13, "255": 13, "8003": 14}


def _expand(spec: str) -> list[str]:
    ais: list[str] = []
    for token in spec.split():
        if "-" in token:
            first, last = token.split("-")
            candidates = (str(n).zfill(len(first)) for n in range(int(first), int(last) + 1))
            ais.extend(ai for ai in candidates if ai in AI_TABLE)
        else:
            ais.append(token)
    return ais


def _pattern(token: str) -> re.Pattern[str]:
    return re.compile(token.replace("n", "[0-9]") + "$")


@cache
def _rules() -> tuple[dict[str, list[list[list[str]]]], dict[str, list[str]]]:
    requires: dict[str, list[list[list[str]]]] = {}
    for requirement, ais in REQUIRES.items():
        alternatives = [alternative.split("+") for alternative in requirement.split(",")]
        for ai in _expand(ais):
            requires.setdefault(ai, []).append(alternatives)
    excludes: dict[str, list[str]] = {}
    for excluded, ais in EXCLUDES.items():
        for ai in _expand(ais):
            excludes.setdefault(ai, []).extend(excluded.split(","))
    for ai in _expand(SAME_MEASURE_EXCLUSIVE):
        excludes.setdefault(ai, []).append(ai[:3] + "n")
    return requires, excludes


def requirements_of(ai: str) -> list[list[list[str]]]:
    return _rules()[0].get(ai, [])


def exclusions_of(ai: str) -> list[str]:
    return _rules()[1].get(ai, [])


def _present(token: str, ais: Iterable[str]) -> bool:
    if "n" not in token:
        return token in ais
    pattern = _pattern(token)
    return any(pattern.match(ai) for ai in ais)


# Sets of AIs already found to break no rule: a station sees a few label shapes over and over,
# and whether a set of AIs breaks a rule depends on the set alone (repeats are checked apart).
_CLEAN: set[frozenset[str]] = set()


def check_associations(elements: list[Element]) -> list[Finding]:
    findings: list[Finding] = []
    findings.extend(_check_repeats(elements))
    present = {element.ai for element in elements}
    shape = frozenset(present)
    if shape in _CLEAN:
        return findings
    reported: set[tuple[str, str]] = set()
    for element in elements:
        for token in exclusions_of(element.ai):
            others = [ai for ai in present if ai != element.ai]
            if _present(token, others) and (element.ai, token) not in reported:
                reported.add((element.ai, token))
                clash = next(ai for ai in others if _pattern(token).match(ai))
                findings.append(
                    f.finding(
                        f.AI_ASSOCIATION,
                        f"{_name(element.ai)} and {_name(clash)} must not be on the same label. "
                        "The label is wrong: set the item aside and call a supervisor.",
                        element.start,
                        element.end,
                    )
                )
        for alternatives in requirements_of(element.ai):
            if any(all(_present(t, present) for t in needed) for needed in alternatives):
                continue
            if (element.ai, "req") in reported:
                continue
            reported.add((element.ai, "req"))
            wanted = " or ".join(" with ".join(_name(t) for t in needed) for needed in alternatives)
            findings.append(
                f.finding(
                    f.AI_ASSOCIATION,
                    f"{_name(element.ai)} needs {wanted} in the same scan. If the label has "
                    "another barcode, scan that one; otherwise call a supervisor.",
                    element.start,
                    element.end,
                )
            )
    digsig = _check_digsig(elements, present)
    if not findings and not digsig and "8030" not in present and len(_CLEAN) < 10_000:
        _CLEAN.add(shape)
    findings.extend(digsig)
    return findings


def _check_repeats(elements: list[Element]) -> list[Finding]:
    seen: dict[str, str] = {}
    findings: list[Finding] = []
    for element in elements:
        first = seen.setdefault(element.ai, element.value)
        if first != element.value:
            findings.append(
                f.finding(
                    f.AI_REPEATED,
                    f"{_name(element.ai)} appears twice with different values ({first} and "
                    f"{element.value}). The label is wrong: call a supervisor.",
                    element.start,
                    element.end,
                )
            )
    return findings


def _check_digsig(elements: list[Element], present: set[str]) -> list[Finding]:
    if "8030" not in present:
        return []
    findings: list[Finding] = []
    for element in elements:
        key_length = DIGSIG_SERIAL_LENGTH.get(element.ai)
        if key_length is not None and len(element.value) <= key_length:
            findings.append(
                f.finding(
                    f.AI_ASSOCIATION,
                    f"A digital signature (8030) needs a serialised {_name(element.ai)}, but it "
                    "has no serial component. Call a supervisor.",
                    element.start,
                    element.end,
                )
            )
    return findings


def _name(ai: str) -> str:
    definition = find_ai(ai) if "n" not in ai else None
    return f"({ai}) {definition.title}" if definition else f"({ai})"
