"""Turning reasons into one Verdict under the site policy, overrides included."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lotscan.domain.policy import Policy
from lotscan.domain.reasons import ReasonCode, recorded_sentence, sentence
from lotscan.domain.verdict import Level, Reason, Suggestion, Verdict, worst


@dataclass
class Findings:
    """Reasons a workflow found, gathered before the policy decides what they mean."""

    reasons: list[tuple[ReasonCode, dict[str, Any]]] = field(default_factory=list)
    suggestion: Suggestion | None = None

    def add(self, code: ReasonCode, **facts: Any) -> None:
        self.reasons.append((code, facts))

    def has(self, code: ReasonCode) -> bool:
        return any(c is code for c, _ in self.reasons)

    def __bool__(self) -> bool:
        return bool(self.reasons)


def judge(
    findings: Findings,
    policy: Policy,
    override: str | None,
    success_message: str,
    *,
    recording: bool = False,
) -> tuple[Verdict, bool]:
    """The verdict, and whether the scan may be recorded. ``recording``: it will be, when allowed,
    so a warning's sentence says what was done, not what to ask first."""
    reasons = []
    for code, facts in findings.reasons:
        level = policy.level_of(code)
        said = recorded_sentence if recording and level is Level.WARNING else sentence
        text = said(code, **facts)
        reasons.append(Reason(code.value, text, level, code in policy.overridable))
    level = worst([r.level for r in reasons])
    if level is not Level.REJECTED:
        message = success_message if level is Level.ACCEPTED else _warning_message(reasons, success_message)
        return Verdict(level, message, tuple(reasons), findings.suggestion), True
    if override:
        refused = _override_refusal(reasons, policy, override)
        if refused is None:
            codes = ", ".join(r.code for r in reasons if r.level is Level.REJECTED)
            note = Reason(
                ReasonCode.OVERRIDDEN.value,
                sentence(ReasonCode.OVERRIDDEN, override=override, codes=codes),
                Level.WARNING,
            )
            return (
                Verdict(
                    Level.WARNING,
                    f"{success_message} (override {override})",
                    (*reasons, note),
                    findings.suggestion,
                    overridden=True,
                ),
                True,
            )
        reasons.append(refused)
    first = next(r for r in reasons if r.level is Level.REJECTED)
    return Verdict(Level.REJECTED, first.message, tuple(reasons), findings.suggestion), False


def _warning_message(reasons: list[Reason], success_message: str) -> str:
    warning = next(r for r in reasons if r.level is Level.WARNING)
    return f"{success_message} {warning.message}"


def _override_refusal(reasons: list[Reason], policy: Policy, override: str) -> Reason | None:
    if override not in policy.override_reasons:
        detail = f"use one of {', '.join(policy.override_reasons)}."
    else:
        blocking = [r.code for r in reasons if r.level is Level.REJECTED and not r.overridable]
        if not blocking:
            return None
        detail = f"{', '.join(blocking)} cannot be overridden."
    return Reason(
        ReasonCode.BAD_OVERRIDE.value,
        sentence(ReasonCode.BAD_OVERRIDE, override=override, detail=detail),
        Level.REJECTED,
    )
