"""Every vector in ../shared/standards, checked at the layer it was written for.

Vectors that depend on engine options we do not share (or are placeholders) are xfail with
the reason from ``lotscan.codes.conformance.KNOWN_DIFFERENCES``; everything else must pass.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from lotscan.codes.conformance import CHECKS, Outcome, evaluate, run, vector_files
from lotscan.codes.linters import LINTERS

STANDARDS = Path(__file__).resolve().parents[3].parent / "shared" / "standards"
VECTOR_FILES = [name for name in CHECKS if name != "linters.json"]


@cache
def _load(name: str) -> list[dict]:
    if not STANDARDS.is_dir():
        return []
    return vector_files(STANDARDS)[name]


@cache
def _outcomes(name: str) -> list[Outcome]:
    return list(evaluate(name, _load(name)))


def _cases() -> list[object]:
    cases: list[object] = []
    for name in VECTOR_FILES:
        for index in range(len(_load(name))):
            cases.append(pytest.param(name, index, id=f"{name}[{index}]"))
    if not cases:
        cases.append(pytest.param("", 0, marks=pytest.mark.skip(reason=f"no {STANDARDS}")))
    return cases


@pytest.mark.parametrize(("name", "index"), _cases())
def test_vector(name: str, index: int) -> None:
    vector = _load(name)[index]
    outcome = _outcomes(name)[index]
    if not outcome.passed and outcome.known_difference:
        pytest.xfail(outcome.known_difference)
    assert outcome.passed, f"{vector!r}: {outcome.detail}"


def _linter_names() -> list[str]:
    if not STANDARDS.is_dir():
        return []
    return sorted({v["linter"] for v in json.loads((STANDARDS / "gs1/linters.json").read_text())})


# Linters with vectors we cannot pass, and how many: see conformance.KNOWN_DIFFERENCES.
KNOWN_LINTER_FAILURES = {"csumalpha": 2, "gcppos1": 4, "gcppos2": 5}


@pytest.mark.parametrize("linter", _linter_names() or ["<none>"])
def test_linter_vectors(standards, linter: str) -> None:
    if linter not in LINTERS:
        pytest.xfail(f"linter {linter} is not implemented (not used at a lot-scanning station)")
    vectors = [v for v in vector_files(standards)["linters.json"] if v["linter"] == linter]
    outcomes = list(evaluate("linters.json", vectors))
    failures = [
        (v["value"], v["ok"], o.detail) for o, v in zip(outcomes, vectors, strict=True) if not o.passed
    ]
    assert len(failures) == KNOWN_LINTER_FAILURES.get(linter, 0), failures


def test_true_pass_rates(standards) -> None:
    rates = defaultdict(float)
    for name, outcomes in run(standards).items():
        rates[name] = sum(o.passed for o in outcomes) / len(outcomes)
    assert rates["scan-data.json"] == 1.0
    assert rates["ai-unbracketed.json"] == 1.0
    assert rates["vectors.json"] == 1.0
    # The rest: only option-dependent or placeholder vectors differ.
    assert rates["digital-link.json"] > 0.94
    assert rates["ai-bracketed.json"] > 0.96
    assert rates["ai-validate.json"] > 0.98
    assert rates["linters.json"] > 0.83
