"""Every reason sentence is said with the facts its template names (tester W4: a move to the
place it was taken from showed "Lot {lot} is not recorded at {location}; records show it at
{where}" on the station). Two guards: every call site in src that asks for a reason passes the
facts its code's sentences need (read from the source, so a path no test walks is covered too),
and a sentence asked for without them is an error, never a template shown to the operator."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lotscan.domain.reasons import (
    MESSAGES,
    RECORDED_MESSAGES,
    MissingFacts,
    ReasonCode,
    facts_needed,
    recorded_sentence,
    sentence,
)
from lotscan.services.checks import STATUS_REASONS

SRC = Path(__file__).resolve().parents[3] / "src" / "lotscan"

# The functions that turn a code and its facts into a sentence, directly or through Findings.
SAYERS = {"add", "sentence", "recorded_sentence", "_reject", "_refuse"}

# Call sites whose code is chosen at run time, by file and expression: the codes it can be.
CHOSEN_AT_RUN_TIME: dict[tuple[str, str], frozenset[ReasonCode]] = {
    ("services/checks.py", "code"): frozenset({ReasonCode.BAD_CHECK_DIGIT, ReasonCode.MALFORMED_GS1}),
    ("services/checks.py", "reason"): frozenset(STATUS_REASONS.values()),
    ("services/workflows/receive.py", "checks.STATUS_REASONS[existing.status]"): frozenset(
        STATUS_REASONS.values()
    ),
    # A looked-up lot's status said as its reason on the command line (tester W11).
    ("cli/scan_cmd.py", "code"): frozenset({*STATUS_REASONS.values(), ReasonCode.LOT_EXPIRED}),
}


def needed(code: ReasonCode) -> frozenset[str]:
    return facts_needed(MESSAGES[code]) | facts_needed(RECORDED_MESSAGES.get(code, ""))


def _name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


def _literal_code(node: ast.expr) -> ReasonCode | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ReasonCode":
        return ReasonCode[node.attr]
    return None


def reason_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) in SAYERS and node.args:
                found.append((path.relative_to(SRC).as_posix(), node.lineno, node))
    return found


def test_every_call_site_passes_the_facts_its_sentences_need() -> None:
    problems, chosen_seen = [], set()
    for where, line, call in reason_calls():
        given = {k.arg for k in call.keywords}
        if None in given:  # a forwarder (**facts): its own callers are checked here
            continue
        code = _literal_code(call.args[0])
        if code is not None:
            codes = frozenset({code})
        elif not call.keywords:
            continue  # a set's .add(x): a reason is never asked for without facts but by its code
        else:
            key = (where, ast.unparse(call.args[0]))
            if key not in CHOSEN_AT_RUN_TIME:
                problems.append(f"{where}:{line}: code {key[1]} chosen at run time: list it here")
                continue
            chosen_seen.add(key)
            codes = CHOSEN_AT_RUN_TIME[key]
        for each in codes:
            missing = needed(each) - given
            if missing:
                problems.append(f"{where}:{line}: {each.value} without {', '.join(sorted(missing))}")
    assert problems == []
    assert chosen_seen == set(CHOSEN_AT_RUN_TIME), "a listed call site is gone: take it off the list"


def test_the_scan_of_call_sites_sees_them_all() -> None:
    """The check above is not vacuous: it reads the call sites of codes in every layer that says
    reasons, the move's among them."""
    calls = reason_calls()
    files = {where for where, _, _ in calls}
    assert {"services/workflows/move.py", "services/checks.py", "services/session.py"} <= files
    codes = {_literal_code(call.args[0]) for _, _, call in calls} - {None}
    assert len(codes) > len(ReasonCode) // 2


@pytest.mark.parametrize("code", list(MESSAGES), ids=str)
def test_a_sentence_without_its_facts_is_an_error_never_a_template(code: ReasonCode) -> None:
    facts = {name: f"<{name}>" for name in needed(code)}
    for say, template in ((sentence, MESSAGES[code]), (recorded_sentence, RECORDED_MESSAGES.get(code))):
        text = say(code, **facts)
        assert "{" not in text.replace("{seq}", "") and "}" not in text.replace("{seq}", ""), text
        for name in facts_needed(template or MESSAGES[code]):
            fewer = {k: v for k, v in facts.items() if k != name}
            with pytest.raises(MissingFacts, match=name):
                say(code, **fewer)
