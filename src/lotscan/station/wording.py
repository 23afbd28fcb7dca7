"""Service sentences that name command-line options, said the station screen's way."""

from __future__ import annotations

from dataclasses import replace

from lotscan.domain.verdict import Reason, Verdict

SCREEN_WORDS = (
    ("(scan its barcode or give --task)", "(scan its barcode, or press t to choose it)"),
    (" (or give --operator)", ""),
)


def for_screen(text: str) -> str:
    for cli_words, screen_words in SCREEN_WORDS:
        text = text.replace(cli_words, screen_words)
    return text


def verdict_for_screen(verdict: Verdict) -> Verdict:
    if "--" not in verdict.message and not any("--" in r.message for r in verdict.reasons):
        return verdict
    reasons = tuple(Reason(r.code, for_screen(r.message), r.level, r.overridable) for r in verdict.reasons)
    return replace(verdict, message=for_screen(verdict.message), reasons=reasons)
