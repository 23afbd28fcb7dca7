"""Service sentences name command-line options (`lotscan scan --qty`); a station says them its
own way: the screen names its keys, the line-by-line station its typed commands."""

from __future__ import annotations

from dataclasses import replace

from lotscan.domain.verdict import Level, Reason, Verdict

Words = tuple[tuple[str, str], ...]
UNRECORDED_WORD = "NOT RECORDED"

SCREEN_WORDS: Words = (
    ("(scan its barcode or give --task)", "(scan its barcode, or press t to choose it)"),
    (" (or give --operator)", ""),
    ("(--qty N)", "(key q, or /qty N)"),
    ("type /produce to make", "press p (or /produce) to make"),
    ("(/reason TEXT)", "(key r)"),
)
# While the reason field is open (a supervisor mode chosen with key m opens it at once), key r
# would type an `r` into it: the screen says where to type (tester tz Z9c).
REASON_FIELD_WORDS: Words = tuple(
    (cli_words, "(type it at Reason>)" if cli_words == "(/reason TEXT)" else station_words)
    for cli_words, station_words in SCREEN_WORDS
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
    said = [verdict.message, *(r.message for r in verdict.reasons)]
    if not any(cli_words in text for text in said for cli_words, _ in words):
        return verdict
    reasons = tuple(
        Reason(r.code, for_screen(r.message, words), r.level, r.overridable) for r in verdict.reasons
    )
    return replace(verdict, message=for_screen(verdict.message, words), reasons=reasons)


def verdict_for_line(verdict: Verdict) -> Verdict:
    """The line-by-line station (`lotscan station` without a screen) types commands."""
    return verdict_for_screen(verdict, LINE_WORDS)


# What a verdict is called, and the codes beside it: the same on the screen (widgets/banner.py)
# and in the line-by-line station (cli/interactive.py): what the operator is told is what got
# recorded.

# A lot status a lookup shows as an alarm: nothing may be done with the lot but by a decision.
ALARM_STATUSES = frozenset({"RECALLED", "REJECTED"})


def unrecorded(verdict: Verdict) -> bool:
    """A verdict under which nothing was recorded, nor refused: a lookup's, a label to check
    before anything is recorded. ACCEPTED and WARNING both mean "recorded" (README's verdicts;
    tester's #15b and T13: a lookup of a recalled lot read ACCEPTED), so neither is said."""
    return verdict.level is not Level.REJECTED and not verdict.recorded


def looked_up_status(verdict: Verdict) -> str | None:
    """The status of a looked-up lot that is not simply usable (RECALLED, HOLD, QUARANTINE,
    REJECTED, EXPIRED), shown beside NOT RECORDED; None for a released, unexpired lot."""
    details = verdict.details
    if details.get("type") != "lot" or verdict.recorded:
        return None
    status = str(details.get("status", "")).upper()
    if status and status != "RELEASED":
        return status
    return "EXPIRED" if details.get("expired") else None


def verdict_word(verdict: Verdict) -> str:
    return UNRECORDED_WORD if unrecorded(verdict) else verdict.level.value


def also_said(verdict: Verdict) -> list[Reason]:
    """The reasons of a verdict not already said by its headline, each once, in order (tester
    tz2, A1: the line station said `verdict.reasons[1:]`, taking the first reason for the
    headline's; when the headline was the worst, second reason, it was said twice and the first,
    SUSPICIOUS_LOT, never)."""
    said = {" ".join(verdict.message.split())}
    worst = [r for r in verdict.reasons if r.level is verdict.level] or list(verdict.reasons)
    headline = worst[0] if worst else None  # the reason the headline says, worst first
    others = []
    for reason in verdict.reasons:
        text = " ".join(reason.message.split())
        if reason is headline or (text and any(text in done for done in said)):
            continue
        said.add(text)
        others.append(reason)
    return others


def reason_codes(verdict: Verdict) -> list[str]:
    """The codes behind a warning or refusal (NOT_FEFO, LOT_RECALLED...), worst first; a
    looked-up lot's status when it is not released (T13)."""
    status = looked_up_status(verdict)
    if status is not None:
        return [status, *(r.code for r in verdict.reasons if r.level is verdict.level)]
    if verdict.level is Level.ACCEPTED:
        return []
    worst = [r.code for r in verdict.reasons if r.level is verdict.level]
    return worst or [r.code for r in verdict.reasons]
