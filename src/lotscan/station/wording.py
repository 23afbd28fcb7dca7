"""Service sentences name command-line options (`lotscan scan --qty`); a station says them its
own way: the screen names its keys, the line-by-line station its typed commands."""

from __future__ import annotations

from dataclasses import replace

from lotscan.domain.verdict import Reason, Verdict

Words = tuple[tuple[str, str], ...]

SCREEN_WORDS: Words = (
    ("(scan its barcode or give --task)", "(scan its barcode, or press t to choose it)"),
    (" (or give --operator)", ""),
    ("(--qty N)", "(key q, or /qty N)"),
)
LINE_WORDS: Words = (
    ("(scan its barcode or give --task)", "(scan its barcode, or type /help)"),
    (" (or give --operator)", ""),
    ("(--qty N)", "(type /qty N)"),
)


def for_screen(text: str, words: Words = SCREEN_WORDS) -> str:
    for cli_words, station_words in words:
        text = text.replace(cli_words, station_words)
    return text


def verdict_for_screen(verdict: Verdict, words: Words = SCREEN_WORDS) -> Verdict:
    if "--" not in verdict.message and not any("--" in r.message for r in verdict.reasons):
        return verdict
    reasons = tuple(
        Reason(r.code, for_screen(r.message, words), r.level, r.overridable) for r in verdict.reasons
    )
    return replace(verdict, message=for_screen(verdict.message, words), reasons=reasons)


def verdict_for_line(verdict: Verdict) -> Verdict:
    """The line-by-line station (`lotscan station` without a screen) types commands."""
    return verdict_for_screen(verdict, LINE_WORDS)
