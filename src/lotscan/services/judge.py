"""Turning reasons into one Verdict under the site policy, overrides included."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

from lotscan.domain.policy import NEVER_OVERRIDDEN, Policy
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

    def has_any(self, codes: Container[ReasonCode]) -> bool:
        """Whether any of ``codes`` was found (one pass over the reasons, not one per code)."""
        return any(c in codes for c, _ in self.reasons)

    def __bool__(self) -> bool:
        return bool(self.reasons)


def judge(
    findings: Findings,
    policy: Policy,
    override: str | None,
    success_message: str,
    *,
    recording: bool = False,
    covers: frozenset[str] | None = None,
) -> tuple[Verdict, bool]:
    """The verdict, and whether the scan may be recorded. ``recording``: it will be, when allowed,
    so a warning's sentence says what was done, not what to ask first. A scan refused in the end
    (another reason refuses it) keeps the sentences of what was not done (tester's #15c: a refusal
    said "50 is recorded"). ``covers``: the refusing codes the override's approver was shown; a
    refusing reason they were not shown is not passed (tester X5), and the approval is asked again."""
    levels = [policy.level_of(code) for code, _ in findings.reasons]
    level = worst(levels)
    refused = None
    if level is Level.REJECTED and override:
        blocking = [
            code for (code, _), lv in zip(findings.reasons, levels, strict=True) if lv is Level.REJECTED
        ]
        refused = _override_refusal(blocking, policy, override) or _unseen_refusal(blocking, override, covers)
    allowed = level is not Level.REJECTED or (bool(override) and refused is None)
    reasons = []
    for (code, facts), reason_level in zip(findings.reasons, levels, strict=True):
        said = recorded_sentence if recording and allowed and reason_level is Level.WARNING else sentence
        reasons.append(Reason(code.value, said(code, **facts), reason_level, code in policy.overridable))
    if level is not Level.REJECTED:
        message = success_message if level is Level.ACCEPTED else _warning_message(reasons, success_message)
        return Verdict(level, message, tuple(reasons), findings.suggestion), True
    if allowed:
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
    if refused is not None:
        reasons.append(refused)
    first = next(r for r in reasons if r.level is Level.REJECTED)
    return Verdict(Level.REJECTED, first.message, tuple(reasons), findings.suggestion), False


def _warning_message(reasons: list[Reason], success_message: str) -> str:
    warning = next(r for r in reasons if r.level is Level.WARNING)
    return f"{success_message} {warning.message}"


def _unseen_refusal(
    blocking: list[ReasonCode], override: str, covers: frozenset[str] | None
) -> Reason | None:
    """The refusing reasons the override's approver was not shown; None when they saw them all."""
    unseen = [code.value for code in blocking if covers is not None and code.value not in covers]
    if not unseen:
        return None
    detail = (
        f"it was approved for {', '.join(sorted(covers or ()))} only, and this scan is also refused for "
        f"{', '.join(dict.fromkeys(unseen))}. Ask the supervisor again (o) if it should pass."
    )
    return Reason(
        ReasonCode.BAD_OVERRIDE.value,
        sentence(ReasonCode.BAD_OVERRIDE, override=override, detail=detail),
        Level.REJECTED,
    )


def _override_refusal(blocking: list[ReasonCode], policy: Policy, override: str) -> Reason | None:
    """Why the override cannot pass the refusing reasons ``blocking``; None when it passes."""
    if override not in policy.override_reasons:
        detail = f"use one of {', '.join(policy.override_reasons)}."
    else:
        fixed = [code.value for code in blocking if code not in policy.overridable]
        if not fixed:
            return None
        detail = f"{', '.join(fixed)} cannot be overridden."
        remedies = [NEVER_OVERRIDDEN[code] for code in blocking if code in NEVER_OVERRIDDEN]
        if remedies:  # tester X5: a place the records say holds none is counted, never overridden
            detail += f" {remedies[0][0].upper()}{remedies[0][1:]}."
    return Reason(
        ReasonCode.BAD_OVERRIDE.value,
        sentence(ReasonCode.BAD_OVERRIDE, override=override, detail=detail),
        Level.REJECTED,
    )
