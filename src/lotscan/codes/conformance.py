"""Run the GS1 Syntax Engine and EPC test vectors against lotscan.codes and report pass rates.

    python -m lotscan.codes.conformance ../shared/standards

Each vector is checked at the layer it was written for (linters, element strings, bracketed
text, message rules, Digital Link URIs, scanner data, EPC hex). A handful of vectors depend on
engine options we deliberately do not share, or are placeholders: they are listed in
``KNOWN_DIFFERENCES`` with the reason, and counted as failures in the true pass rate.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lotscan.codes.ai_table import GS
from lotscan.codes.associations import check_associations
from lotscan.codes.bracketed import parse_bracketed
from lotscan.codes.epc import EPCError, decode_epc
from lotscan.codes.gs1 import Element, check_element, element_string, split_elements
from lotscan.codes.interpret import interpret_text
from lotscan.codes.linters import LINTERS
from lotscan.codes.scan import Finding

TODAY = date(2026, 6, 23)  # the vectors' release; dates in them are judged from here

OPTION_DEPENDENT = (
    "contradicts another vector with the same input: the engine ran it with a non-default "
    "option (unknown AIs, zero-suppressed GTINs or convenience names permitted or not)"
)
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("ai-bracketed.json", "inbuf"): "placeholder of the engine's test macro, not a vector",
    ("ai-validate.json", "(89)ABC(89)ABC(89)ABC"): (
        "engine ran it with unknown AIs permitted; AI 89 does not exist and we refuse it"
    ),
    ("linters.json", "couponcode"): "North American coupon linter: not implemented",
    ("linters.json", "couponposoffer"): "North American coupon linter: not implemented",
    ("linters.json", "packagetype"): "UN/ECE Rec. 21 package list (AI 7041): not implemented",
    ("linters.json", "gcppos1"): "needs GS1's company-prefix data source (or is a placeholder)",
    ("linters.json", "gcppos2"): "needs GS1's company-prefix data source (or is a placeholder)",
    ("linters.json", "csumalpha"): (
        "30-character values: the engine skips the check pair beyond its implementation limit"
    ),
}


@dataclass(frozen=True, slots=True)
class Outcome:
    file: str
    key: str  # the input, as identification
    expected_ok: bool
    passed: bool
    detail: str = ""
    known_difference: str | None = None


def _gs1_syntax(elements: list[Element], problems: list[Finding]) -> list[Finding]:
    if problems:
        return problems
    found = []
    for element in elements:
        found.extend(check_element(element))
    return found


def _caret(elements: list[Element]) -> str:
    return "^" + element_string(elements).replace(GS, "^")


def check_unbracketed(vector: dict[str, Any]) -> tuple[bool, str]:
    data: str = vector["data"]
    if not data.startswith("^"):
        return False, "no leading FNC1"
    elements, problems = split_elements(data[1:].replace("^", GS))
    problems = _gs1_syntax(elements, problems)
    return not problems, "; ".join(p.code for p in problems)


def check_bracketed(vector: dict[str, Any]) -> tuple[bool, str]:
    elements, problems = parse_bracketed(vector["bracketed"])
    problems = _gs1_syntax(elements, problems)
    ok = not problems
    if ok and vector["ok"] and _caret(elements) != vector["expect"]:
        return False, f"gave {_caret(elements)!r}"
    return ok, "; ".join(p.code for p in problems)


def check_validate(vector: dict[str, Any]) -> tuple[bool, str]:
    elements, problems = parse_bracketed(vector["args"][1])
    problems = _gs1_syntax(elements, problems) or check_associations(elements)
    return not problems, "; ".join(p.code for p in problems)


def check_digital_link(vector: dict[str, Any]) -> tuple[bool, str]:
    scan = interpret_text(vector["uri"], today=TODAY)
    ok = scan.ok and scan.symbology == "GS1 Digital Link"
    if ok and vector["ok"]:
        got = _caret([Element(ai, value, 0, 0, 0) for ai, value in scan.ais.items()])
        if got != vector["expect"]:
            return False, f"gave {got!r}"
    return ok, "; ".join(e.code for e in scan.errors)


def check_scan_data(vector: dict[str, Any]) -> tuple[bool, str]:
    scan = interpret_text(vector["scan"], today=TODAY)
    # Plain-data symbols (]Q1, ]d1, ]J0) may carry any text: the engine accepts it as data;
    # the station says UNKNOWN_FORMAT because it cannot use it, which is not a syntax error.
    plain = scan.symbology in ("QR", "DataMatrix", "DotCode") and scan.aim_id in (
        "]Q1",
        "]d1",
        "]J0",
    )
    errors = [e for e in scan.errors if not (plain and e.code == "UNKNOWN_FORMAT")]
    ok = not errors
    if ok and vector["ok"]:
        if plain and not scan.ais:
            payload = vector["scan"][3:]
            # The engine escapes a leading "^" or "\\" so data cannot pass for FNC1.
            got = "\\" + payload if payload[:1] in ("^", "\\") else payload
        elif scan.symbology in ("EAN-13", "EAN-8"):
            size = 13 if scan.symbology == "EAN-13" else 8
            rest = [Element(ai, v, 0, 0, 0) for ai, v in scan.ais.items() if ai != "01"]
            got = (scan.gtin or "")[-size:] + ("|" + _caret(rest) if rest else "")
        elif plain:
            got = vector["scan"][3:]
        else:
            got = _caret([Element(ai, value, 0, 0, 0) for ai, value in scan.ais.items()])
        if got != vector["expect"]:
            return False, f"gave {got!r}"
    return ok, "; ".join(e.code for e in errors)


def check_linter(vector: dict[str, Any]) -> tuple[bool | None, str]:
    linter = LINTERS.get(vector["linter"])
    if linter is None:
        return None, "linter not implemented"
    error = linter(vector["value"])
    if error is None:
        return True, ""
    if not vector["ok"] and error.error != vector.get("error"):
        return None, f"refused with {error.error}, engine says {vector.get('error')}"
    return False, error.error


def check_epc(vector: dict[str, Any]) -> tuple[bool, str]:
    try:
        epc = decode_epc(vector["hex"])
    except EPCError as exc:
        return False, str(exc)
    if "pure_identity_uri" in vector:
        elements = "".join(f"({ai}){value}" for ai, value in epc.ais)
        if (epc.uri, elements, epc.filter) != (
            vector["pure_identity_uri"],
            vector["gs1_element_string"],
            vector["filter"],
        ):
            return False, f"gave {epc.uri} {elements}"
    return True, ""


_KEYS: dict[str, Callable[[dict[str, Any]], str]] = {
    "scan-data.json": lambda v: v["scan"],
    "digital-link.json": lambda v: v["uri"],
    "ai-bracketed.json": lambda v: v["bracketed"],
    "ai-unbracketed.json": lambda v: v["data"],
    "ai-validate.json": lambda v: v["args"][1],
    "linters.json": lambda v: v["linter"],
    "vectors.json": lambda v: v["hex"],
}
# A check answers whether we accept the vector; None means we cannot judge it (a failure).
CHECKS: dict[str, Callable[[dict[str, Any]], tuple[bool | None, str]]] = {
    "scan-data.json": check_scan_data,
    "digital-link.json": check_digital_link,
    "ai-bracketed.json": check_bracketed,
    "ai-unbracketed.json": check_unbracketed,
    "ai-validate.json": check_validate,
    "linters.json": check_linter,
    "vectors.json": check_epc,
}


def vector_files(root: Path) -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {}
    for name in CHECKS:
        path = root / ("epc" if name == "vectors.json" else "gs1") / name
        data = json.loads(path.read_text(encoding="utf-8"))
        if name == "vectors.json":
            vectors = [dict(v, ok=True) for v in data["valid"]]
            vectors += [dict(v, ok=False) for v in data["invalid"]]
        else:
            vectors = data
        files[name] = vectors
    return files


def evaluate(name: str, vectors: list[dict[str, Any]]) -> Iterator[Outcome]:
    key_of = _KEYS[name]
    verdicts: dict[str, set[bool]] = {}
    for vector in vectors:
        verdicts.setdefault(key_of(vector) + repr(vector.get("value")), set()).add(vector["ok"])
    for vector in vectors:
        key = key_of(vector)
        ours_ok, detail = CHECKS[name](vector)
        passed = ours_ok is not None and ours_ok == vector["ok"]
        known = KNOWN_DIFFERENCES.get((name, key))
        if len(verdicts[key + repr(vector.get("value"))]) > 1:
            known = OPTION_DEPENDENT
        yield Outcome(name, key, vector["ok"], passed, detail, None if passed else known)


def run(root: Path) -> dict[str, list[Outcome]]:
    return {name: list(evaluate(name, vectors)) for name, vectors in vector_files(root).items()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else "../shared/standards")
    if not root.is_dir():
        print(f"no standards folder at {root}", file=sys.stderr)
        return 2
    unexplained = 0
    for name, outcomes in run(root).items():
        passed = sum(o.passed for o in outcomes)
        known = sum(1 for o in outcomes if not o.passed and o.known_difference)
        failing = len(outcomes) - passed - known
        unexplained += failing
        rate = 100 * passed / len(outcomes)
        print(
            f"{name:22} {passed:5}/{len(outcomes):<5} {rate:6.2f}%  "
            f"known differences {known:4}  unexplained {failing}"
        )
        for outcome in outcomes:
            if not outcome.passed and not outcome.known_difference:
                print(f"    FAIL {outcome.key!r} expected ok={outcome.expected_ok}: {outcome.detail}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
